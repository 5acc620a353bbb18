import { EventEmitter } from "node:events";
import crypto from "node:crypto";
import net from "node:net";
import type { Logger } from "../platform/logger.js";
import type { AmiMessage } from "./ami-codec.js";
import { AmiSession, type ListResult } from "./ami-session.js";
import { PbxError } from "./pbx.errors.js";

export type { ListResult } from "./ami-session.js";

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  /** Never logged. */
  secret: string;
  log: Logger;
  actionTimeoutMs?: number;
  /** A Ping this often; no answer within actionTimeoutMs means the link is dead. */
  keepaliveMs?: number;
  /** Reconnect backoff: first retry within `minDelayMs`, doubling with jitter up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A frame larger than this drops the link (an Asterisk event is a few KiB). */
  maxFrameBytes?: number;
  /** False for a link that only sends actions (Login "Events: off"): the PBX sends it no events. */
  events?: boolean;
}

export type AmiState = "disconnected" | "connecting" | "connected";

/** Parsing and tracking time one turn of the event loop may spend on AMI input. */
const READ_BUDGET_MS = 10;

/**
 * The AMI client: a TCP socket, our bounded linear parser (AmiSession over ami-codec), login,
 * actions as promises with timeouts, event lists collected to their Complete event, a fast
 * reconnect with jittered backoff and a keepalive Ping for half-open links. asterisk-manager is not
 * used here any more: its reader is quadratic and names emitter events after ActionIDs and event
 * names, so one frame could crash or freeze the process (docs/pbx.md has the measurements).
 *
 * Emits "event" (AmiMessage with lower-cased keys, and the time it arrived), "connected" after each
 * successful login, and "disconnected" (reason) each time the link is lost. A listener that throws
 * is logged and the stream goes on: no PBX frame can take the process down.
 */
export class AmiClient extends EventEmitter {
  private socket: net.Socket | null = null;
  private session: AmiSession | null = null;
  private stateValue: AmiState = "disconnected";
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private readonly o: Required<AmiClientOptions>;
  /** Counters for /api/health and the logs (malformed frames are logged sparingly). */
  readonly stats = { malformed: 0, oversized: 0, listenerErrors: 0, reconnects: 0 };

  constructor(opts: AmiClientOptions) {
    super();
    this.o = { actionTimeoutMs: 5000, keepaliveMs: 10_000, minDelayMs: 500, maxDelayMs: 5000, maxFrameBytes: 1024 * 1024, events: true, ...opts };
  }

  get state(): AmiState {
    return this.stateValue;
  }

  start(): void {
    this.stopped = false;
    this.connectNow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.stateValue === "connected") await this.action("Logoff", {}, { timeoutMs: 1000 }).catch(() => {});
    const s = this.socket;
    this.drop("stopped");
    s?.destroy();
  }

  /** One action; resolves with its response, rejects with a PbxError (never queued for later). */
  async action(name: string, fields: Record<string, string | string[]>, opts: { timeoutMs?: number } = {}): Promise<AmiMessage> {
    const s = this.session;
    if (!s || this.stateValue !== "connected") throw new PbxError("NOT_CONNECTED", `${name}: the PBX link is down`);
    return (await s.send(name, fields, { timeoutMs: opts.timeoutMs ?? this.o.actionTimeoutMs, list: false })).response;
  }

  /**
   * An action whose answer is an event list (QueueStatus, CoreShowChannels, QueueSummary ...):
   * resolves with the response and every list event, once the "...Complete" event arrived.
   */
  listAction(name: string, fields: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<ListResult> {
    const s = this.session;
    if (!s || this.stateValue !== "connected") return Promise.reject(new PbxError("NOT_CONNECTED", `${name}: the PBX link is down`));
    return s.send(name, fields, { timeoutMs: opts.timeoutMs ?? this.o.actionTimeoutMs * 2, list: true });
  }

  private connectNow(): void {
    if (this.stopped) return;
    this.stateValue = "connecting";
    const socket = net.createConnection({ host: this.o.host, port: this.o.port });
    socket.setNoDelay(true);
    this.socket = socket;
    const mine = () => this.socket === socket;
    const session = new AmiSession(
      {
        write: (bytes) => {
          if (mine()) socket.write(bytes);
        },
        onGreeting: () => void this.login(socket, session),
        onEvent: (e, receivedAt) => this.deliver(e, receivedAt),
        onMalformed: (reason, sample) => {
          // A log line for the first few and then one in a thousand: a flood must not flood the log.
          if (++this.stats.malformed <= 5 || this.stats.malformed % 1000 === 0)
            this.o.log.warn({ reason, sample, count: this.stats.malformed }, "malformed AMI frame skipped");
        },
        onOversized: (limit) => {
          this.stats.oversized++;
          this.fail(socket, `a frame grew past ${limit} bytes`);
        },
      },
      { maxFrameBytes: this.o.maxFrameBytes, idPrefix: `crm-${crypto.randomBytes(4).toString("hex")}` },
    );
    this.session = session;
    const loginTimer = setTimeout(() => {
      if (mine() && this.stateValue !== "connected") this.fail(socket, "connect or login timed out");
    }, this.o.actionTimeoutMs);
    // libuv reads a busy socket many times in one turn of the event loop: after READ_BUDGET_MS of
    // parsing and tracking, the socket is paused until the loop has turned once, so HTTP, Socket.IO
    // and timers run between bursts however fast the PBX sends (TCP holds the rest meanwhile).
    let busyMs = 0;
    socket.on("data", (chunk: Buffer) => {
      if (!mine()) return;
      const t = performance.now();
      session.push(chunk);
      if (busyMs === 0) setImmediate(() => (busyMs = 0));
      busyMs += performance.now() - t || Number.EPSILON;
      if (busyMs > READ_BUDGET_MS && !socket.isPaused()) {
        socket.pause();
        setImmediate(() => socket.resume());
      }
    });
    socket.on("error", (err) => {
      if (mine()) this.fail(socket, err.message);
    });
    socket.on("close", () => {
      clearTimeout(loginTimer);
      if (mine()) this.fail(socket, "connection closed");
    });
  }

  private async login(socket: net.Socket, session: AmiSession): Promise<void> {
    try {
      await session.send("Login", { Username: this.o.username, Secret: this.o.secret, Events: this.o.events ? "on" : "off" }, { timeoutMs: this.o.actionTimeoutMs, list: false });
    } catch (err) {
      if (this.socket !== socket) return;
      const reason = (err as Error).message.replace(/^Login: /, "");
      this.o.log.error({ host: this.o.host, port: this.o.port, username: this.o.username, reason }, "AMI login refused");
      return this.fail(socket, `login refused: ${reason}`);
    }
    if (this.socket !== socket) return;
    this.attempt = 0;
    this.stateValue = "connected";
    this.o.log.info({ host: this.o.host, port: this.o.port, username: this.o.username }, "AMI connected");
    this.startKeepalive(socket);
    this.safeEmit("connected");
  }

  /**
   * Hands one event to the listeners (events that share a read with the login's answer come before
   * "connected"; the resync it triggers is newer than they are).
   */
  private deliver(e: AmiMessage, receivedAt: number): void {
    this.safeEmit("event", e, receivedAt);
  }

  /** A listener that throws is logged; it never lets a frame take the process down. */
  private safeEmit(name: string, ...args: unknown[]): void {
    try {
      this.emit(name, ...args);
    } catch (err) {
      if (++this.stats.listenerErrors <= 5 || this.stats.listenerErrors % 1000 === 0)
        this.o.log.error({ err, event: (args[0] as AmiMessage | undefined)?.event, count: this.stats.listenerErrors }, "AMI event handler failed; event skipped");
    }
  }

  private startKeepalive(socket: net.Socket): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = setInterval(() => {
      if (this.socket !== socket) return;
      // A half-open TCP link never reports close: a Ping without answer is how we notice.
      this.action("Ping", {}).catch((err: PbxError) => {
        if (this.socket === socket && err.code === "TIMEOUT") this.fail(socket, "keepalive Ping unanswered");
      });
    }, this.o.keepaliveMs);
    this.keepaliveTimer.unref();
  }

  private fail(socket: net.Socket, reason: string): void {
    if (this.socket !== socket) return;
    const wasConnected = this.stateValue === "connected";
    this.drop(reason);
    socket.destroy();
    if (wasConnected) this.o.log.warn({ reason }, "AMI link lost");
    else this.o.log.debug({ reason }, "AMI connect failed");
    if (this.stopped) return;
    this.stats.reconnects++;
    // First retry within minDelayMs, then doubling with full jitter, capped at maxDelayMs.
    const ceiling = Math.min(this.o.maxDelayMs, this.o.minDelayMs * 2 ** this.attempt);
    const delay = this.attempt === 0 ? Math.random() * this.o.minDelayMs : ceiling / 2 + (Math.random() * ceiling) / 2;
    this.attempt++;
    this.reconnectTimer = setTimeout(() => this.connectNow(), delay);
  }

  private drop(reason: string): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
    this.socket = null;
    this.session?.close(reason);
    this.session = null;
    const wasConnected = this.stateValue === "connected";
    this.stateValue = "disconnected";
    if (wasConnected) this.safeEmit("disconnected", reason);
  }
}
