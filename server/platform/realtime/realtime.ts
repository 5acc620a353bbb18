import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import type { Redis } from "ioredis";
import type { AuthService } from "../../auth/auth.service.js";
import type { PublicUser } from "../../auth/users.service.js";
import type { Logger } from "../logger.js";
import type { ClientToServerEvents, EventName, EventPayload, ServerToClientEvents } from "./events.js";

interface SocketData {
  user: PublicUser;
}

/**
 * Socket.IO, authenticated by the same bearer token as the REST API. Each socket joins
 * `user:<id>` and `role:<role>`; the Redis adapter carries pushes to sockets on other nodes.
 */
export class Realtime {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  private readonly pubSub: Redis[] = [];

  constructor(http: HttpServer, auth: AuthService, redis: Redis, redisPrefix: string, log: Logger) {
    this.io = new Server(http, { serveClient: false, cors: { origin: false } });
    const pub = redis.duplicate();
    const sub = redis.duplicate();
    pub.on("error", () => {});
    sub.on("error", () => {});
    this.pubSub.push(pub, sub);
    this.io.adapter(createAdapter(pub, sub, { key: `${redisPrefix}:socket.io` }));
    this.io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      auth
        .authenticate(typeof token === "string" ? token : undefined)
        .then((user) => {
          socket.data.user = user;
          next();
        })
        .catch((err: Error) => next(new Error(err.message)));
    });
    this.io.on("connection", (socket) => {
      const user = socket.data.user;
      void socket.join([`user:${user.id}`, `role:${user.role}`]);
      log.debug({ userId: user.id, socket: socket.id }, "console connected");
    });
  }

  private closed = false;

  toUser<E extends EventName>(userId: number, event: E, payload: EventPayload<E>): void {
    if (this.closed) return;
    (this.io.to(`user:${userId}`).emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  toAll<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (this.closed) return;
    (this.io.emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    for (const c of this.pubSub) c.disconnect();
  }
}
