import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import type { Redis } from "ioredis";
import type { AuthService, SessionsEnded } from "../../auth/auth.service.js";
import type { PublicUser } from "../../auth/users.service.js";
import type { Logger } from "../logger.js";
import type { ClientToServerEvents, EventName, EventPayload, ServerToClientEvents } from "./events.js";

interface SocketData {
  user: PublicUser;
  sessionId: string;
  expiresAt: number;
}

/** Between server nodes: a session ended here, forget it in your token cache too. */
interface ServerSideEvents {
  "sessions:ended": (e: SessionsEnded) => void;
}

/** Every socket's session is checked against the database this often (catches anything missed). */
const sweepMs = 60_000;
/** Longest setTimeout Node keeps; a later expiry is left to the sweep. */
const maxTimerMs = 2 ** 31 - 1;

const sessionRoom = (sessionId: string) => `session:${sessionId}`;
const userRoom = (userId: number) => `user:${userId}`;

/**
 * Socket.IO, authenticated by the same bearer token as the REST API. Each socket joins
 * `user:<id>`, `role:<role>` and `session:<session id>`; the Redis adapter carries pushes to
 * sockets on other nodes. A socket lives no longer than its session: logout disconnects that
 * session's sockets, deactivation, a password or role change all of the user's sockets (on every
 * node), a timer ends it when the session expires, and a periodic sweep re-checks the rest.
 */
export class Realtime {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>;
  private readonly pubSub: Redis[] = [];
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly sweep: NodeJS.Timeout;

  constructor(
    http: HttpServer,
    private readonly auth: AuthService,
    redis: Redis,
    redisPrefix: string,
    private readonly log: Logger,
  ) {
    // destroyUpgrade off: /api/stream (server/integration) answers its own upgrades after an
    // asynchronous token check, which engine.io would otherwise cut off after a second.
    this.io = new Server(http, { serveClient: false, cors: { origin: false }, destroyUpgrade: false });
    const pub = redis.duplicate();
    const sub = redis.duplicate();
    pub.on("error", () => {});
    sub.on("error", () => {});
    this.pubSub.push(pub, sub);
    this.io.adapter(createAdapter(pub, sub, { key: `${redisPrefix}:socket.io` }));
    this.io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      auth
        .session(typeof token === "string" ? token : undefined, { fresh: true })
        .then((s) => {
          socket.data.user = s.user;
          socket.data.sessionId = s.sessionId;
          socket.data.expiresAt = s.expiresAt.getTime();
          next();
        })
        .catch((err: Error) => next(new Error(err.message)));
    });
    this.io.on("connection", (socket) => this.connected(socket));
    auth.onSessionsEnded((e) => this.endSessions(e));
    this.io.on("sessions:ended", (e) => auth.forget(e));
    this.sweep = setInterval(() => void this.checkSessions().catch((err: Error) => log.warn({ err: err.message }, "socket session check failed")), sweepMs);
    this.sweep.unref();
  }

  private closed = false;

  toUser<E extends EventName>(userId: number, event: E, payload: EventPayload<E>): void {
    if (this.closed) return;
    (this.io.to(userRoom(userId)).emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  /** Every socket of users with this role, on every node. */
  toRole<E extends EventName>(role: string, event: E, payload: EventPayload<E>): void {
    if (this.closed) return;
    (this.io.to(`role:${role}`).emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  toAll<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (this.closed) return;
    (this.io.emit as (e: string, p: unknown) => boolean)(event, payload);
  }

  /** Disconnects the sockets of ended sessions on every node; other nodes also forget the tokens. */
  endSessions(e: SessionsEnded): void {
    if (this.closed) return;
    this.io.in("userId" in e ? userRoom(e.userId) : sessionRoom(e.sessionId)).disconnectSockets(true);
    this.io.serverSideEmit("sessions:ended", e);
  }

  /** Disconnects this node's sockets whose session is no longer valid. */
  async checkSessions(): Promise<number> {
    const sockets = [...this.io.of("/").sockets.values()];
    const live = await this.auth.liveSessions([...new Set(sockets.map((s) => s.data.sessionId))]);
    let ended = 0;
    for (const s of sockets)
      if (!live.has(s.data.sessionId)) {
        s.disconnect(true);
        ended++;
      }
    return ended;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    for (const t of this.expiryTimers.values()) clearTimeout(t);
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    for (const c of this.pubSub) c.disconnect();
  }

  private connected(socket: Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>): void {
    const { user, sessionId, expiresAt } = socket.data;
    void socket.join([userRoom(user.id), `role:${user.role}`, sessionRoom(sessionId)]);
    const left = expiresAt - Date.now();
    if (left < maxTimerMs) {
      const timer = setTimeout(() => socket.disconnect(true), Math.max(0, left));
      timer.unref();
      this.expiryTimers.set(socket.id, timer);
    }
    socket.on("disconnect", () => {
      clearTimeout(this.expiryTimers.get(socket.id));
      this.expiryTimers.delete(socket.id);
    });
    this.log.debug({ userId: user.id, socket: socket.id }, "console connected");
  }
}
