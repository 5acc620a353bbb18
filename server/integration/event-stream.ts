import type http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { bearerToken } from "../auth/auth.middleware.js";
import type { Logger } from "../platform/logger.js";
import type { ApiTokens } from "./api-tokens.service.js";
import { ResumeError, type EventLog, type StreamEvent } from "./event-log.js";
import { streamQuery } from "./integration.schemas.js";

export const streamPath = "/api/stream";

/** Close codes: the resume point cannot be served (4410), the token was revoked meanwhile (4401). */
export const closeCodes = { resumeRefused: 4410, revoked: 4401, internal: 1011 } as const;

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Bad Request"}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * `GET /api/stream?after=<seq>` (WebSocket, `Authorization: Bearer <api token>` with
 * `events:stream`): one JSON event per message, in sequence order. With `after`, the events after
 * it that are still kept come first, then the live ones, none twice; a point no longer kept is an
 * `{type:"error", code:"RESUME_TOO_OLD", ...}` message and a close (4410).
 */
export class EventStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });

  constructor(
    private readonly server: http.Server,
    private readonly events: EventLog,
    private readonly tokens: ApiTokens,
    private readonly log: Logger,
  ) {
    server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === streamPath) void this.upgrade(req, socket, head, url);
      // Socket.IO answers its own upgrades; any other path is not a WebSocket endpoint.
      else if (!url.pathname.startsWith("/socket.io/")) socket.destroy();
    });
  }

  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    socket.on("error", () => {});
    const q = streamQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!q.success) return refuse(socket, 400, "VALIDATION", `${q.error.issues[0]?.path.join(".") || "query"}: ${q.error.issues[0]?.message ?? "invalid"}`);
    let scopes: string[];
    try {
      scopes = (await this.tokens.authenticate(bearerToken(req.headers.authorization))).scopes;
    } catch (err) {
      return refuse(socket, 401, "UNAUTHENTICATED", (err as Error).message);
    }
    if (!scopes.includes("events:stream")) return refuse(socket, 403, "FORBIDDEN", "this API token has no events:stream scope");
    const token = bearerToken(req.headers.authorization)!;
    // Without `after`: from the last event numbered before the handshake completes. Read before the
    // 101, an event the client causes once its socket is open is numbered after it, so it is sent
    // (read back from the log if this node's tail has not brought it yet). Read once the socket was
    // open, a node slowed down between the 101 and the read skipped it. Redis unreachable: left
    // undefined, and serve() closes with 1011.
    const after = q.data.after ?? (await this.events.lastSeq().catch(() => undefined));
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // A token revoked (or its admin deactivated) while streaming: the stream ends within a minute.
      const recheck = setInterval(() => {
        this.tokens.authenticate(token).catch(() => ws.close(closeCodes.revoked, "API token revoked"));
      }, 30_000);
      ws.on("close", () => clearInterval(recheck));
      void this.serve(ws, after);
    });
  }

  private async serve(ws: WebSocket, after: number | undefined): Promise<void> {
    let lastSent = -1;
    let buffered: StreamEvent[] | null = [];
    const send = (e: StreamEvent) => {
      if (e.seq <= lastSent || ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(e));
      lastSent = e.seq;
    };
    // Listening first: whatever is appended from now on reaches us, whatever was before is read.
    const unsubscribe = this.events.subscribe((e) => (buffered ? buffered.push(e) : send(e)));
    ws.on("close", unsubscribe);
    ws.on("error", () => {});
    try {
      if (after === undefined) lastSent = await this.events.lastSeq();
      else {
        lastSent = after;
        for (;;) {
          const page = await this.events.after(lastSent, 1000);
          for (const e of page) send(e);
          // A client gone in the middle of a catch-up: send() no longer moves lastSent, so without
          // this the same full page would be read again and again, for as long as the node runs.
          if (page.length < 1000 || ws.readyState !== ws.OPEN) break;
        }
      }
      const pending = buffered;
      buffered = null;
      for (const e of pending) send(e);
    } catch (err) {
      unsubscribe();
      if (err instanceof ResumeError) {
        ws.send(JSON.stringify({ type: "error", code: err.code, message: err.message, oldestSeq: err.oldestSeq, lastSeq: err.lastSeq }));
        ws.close(closeCodes.resumeRefused, err.code);
      } else {
        this.log.warn({ err: (err as Error).message }, "event stream: could not start");
        ws.close(closeCodes.internal, "event log unavailable");
      }
    }
  }

  /** Ends every stream socket (server shutdown). */
  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }
}
