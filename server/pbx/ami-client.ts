import { EventEmitter } from "node:events";
import crypto from "node:crypto";
import AsteriskManager, { type Manager } from "asterisk-manager";
import type { Logger } from "../platform/logger.js";
import type { AmiMessage } from "./ami-codec.js";
import { unsafeValue } from "./ami-codec.js";
import { PbxError, pbxErrorFromMessage } from "./pbx.errors.js";

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
}

export type AmiState = "disconnected" | "connecting" | "connected";

export interface ListResult {
  response: AmiMessage;
  events: AmiMessage[];
}

type Raw = Record<string, string | string[] | Record<string, string>>;

/**
 * The adapter around asterisk-manager, closing its gaps (docs/pbx.md): our own fast reconnect with
 * jittered backoff instead of its 10-60 s one; actions as promises with timeouts that fail at once
 * while disconnected instead of being held and fired later; event-list actions collected up to
 * their Complete event; values checked for CR/LF/NUL before they reach its writer; AMI errors
 * turned into PbxError codes; the secret never logged.
 *
 * Emits "event" (AmiMessage with lower-cased keys, and the time it arrived), "connected" after each successful login, and
 * "disconnected" (reason) each time the link is lost.
 */
export class AmiClient extends EventEmitter {
  private manager: Manager | null = null;
  private stateValue: AmiState = "disconnected";
  private stopped = true;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private readonly lists = new Map<string, (e: AmiMessage) => void>();
  private readonly o: Required<AmiClientOptions>;

  constructor(opts: AmiClientOptions) {
    super();
    this.o = { actionTimeoutMs: 5000, keepaliveMs: 10_000, minDelayMs: 500, maxDelayMs: 5000, ...opts };
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
    const m = this.manager;
    if (m && this.stateValue === "connected") await this.action("Logoff", {}, { timeoutMs: 1000 }).catch(() => {});
    this.drop("stopped");
    m?.disconnect();
  }

  /** One action; resolves with its response, rejects with a PbxError (never queued for later). */
  action(name: string, fields: Record<string, string | string[]>, opts: { timeoutMs?: number } = {}): Promise<AmiMessage> {
    const prepared = this.prepare(name, fields);
    if (prepared instanceof Error) return Promise.reject(prepared);
    const { m, id, req } = prepared;
    return new Promise<AmiMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        m.removeListener(id, onReply as (...a: unknown[]) => void);
        reject(new PbxError("TIMEOUT", `${name}: no answer from the PBX within ${opts.timeoutMs ?? this.o.actionTimeoutMs} ms`));
      }, opts.timeoutMs ?? this.o.actionTimeoutMs);
      const onReply = (err: Raw | undefined, res: Raw) => {
        clearTimeout(timer);
        const msg = normalize(err ?? res);
        if (err || msg.response?.toLowerCase() === "error") reject(pbxErrorFromMessage(name, msg.message));
        else resolve(msg);
      };
      m.action(req, onReply);
    });
  }

  /**
   * An action whose answer is an event list (QueueStatus, CoreShowChannels, QueueSummary ...):
   * resolves with the response and every list event, once the "...Complete" event arrived.
   */
  listAction(name: string, fields: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<ListResult> {
    const prepared = this.prepare(name, fields);
    if (prepared instanceof Error) return Promise.reject(prepared);
    const { m, id, req } = prepared;
    const events: AmiMessage[] = [];
    const timeoutMs = opts.timeoutMs ?? this.o.actionTimeoutMs * 2;
    return new Promise<ListResult>((resolve, reject) => {
      let response: AmiMessage | null = null;
      let complete = false;
      const finish = () => {
        if (response && complete) {
          clearTimeout(timer);
          this.lists.delete(id);
          resolve({ response, events });
        }
      };
      const timer = setTimeout(() => {
        this.lists.delete(id);
        m.removeListener(id, onReply as (...a: unknown[]) => void);
        reject(new PbxError("TIMEOUT", `${name}: the list did not complete within ${timeoutMs} ms`));
      }, timeoutMs);
      // Registered before sending: list events may follow the response in the same TCP read.
      this.lists.set(id, (e) => {
        if (e.eventlist?.toLowerCase() === "complete") complete = true;
        else events.push(e);
        finish();
      });
      const onReply = (err: Raw | undefined, res: Raw) => {
        const msg = normalize(err ?? res);
        if (err || msg.response?.toLowerCase() === "error") {
          clearTimeout(timer);
          this.lists.delete(id);
          reject(pbxErrorFromMessage(name, msg.message));
          return;
        }
        response = msg;
        finish();
      };
      m.action(req, onReply);
    });
  }

  /** The live connection, a fresh ActionID and the checked request; or why the action cannot go. */
  private prepare(name: string, fields: Record<string, string | string[]>): { m: Manager; id: string; req: ReturnType<typeof toRequest> } | Error {
    const m = this.manager;
    if (!m || this.stateValue !== "connected") return new PbxError("NOT_CONNECTED", `${name}: the PBX link is down`);
    const id = `crm-${crypto.randomBytes(6).toString("hex")}`;
    try {
      return { m, id, req: toRequest(name, id, fields) };
    } catch (err) {
      return err as Error;
    }
  }

  private connectNow(): void {
    if (this.stopped) return;
    this.setState("connecting");
    const m = AsteriskManager(undefined, this.o.host, this.o.username, this.o.secret, true);
    this.manager = m;
    const mine = () => this.manager === m;
    let loginTimer: NodeJS.Timeout | null = setTimeout(() => {
      if (mine()) this.fail(m, "connect or login timed out");
    }, this.o.actionTimeoutMs);
    m.on("error", (err: Error) => {
      if (mine() && this.stateValue !== "connected") this.fail(m, err.message);
    });
    m.on("close", () => {
      if (mine()) this.fail(m, "connection closed");
    });
    m.on("managerevent", (raw: Raw) => {
      if (!mine()) return;
      const receivedAt = performance.timeOrigin + performance.now();
      const e = normalize(raw);
      const id = e.actionid;
      const list = id ? this.lists.get(id) : undefined;
      if (list) list(e);
      else this.emit("event", e, receivedAt);
    });
    m.connect(this.o.port, this.o.host, (err) => {
      if (!mine()) return;
      if (err) return this.fail(m, err.message);
      m.login((loginErr) => {
        if (!mine()) return;
        if (loginTimer) clearTimeout(loginTimer);
        loginTimer = null;
        if (loginErr) {
          const msg = normalize(loginErr as Raw).message ?? (loginErr as Error).message;
          this.o.log.error({ host: this.o.host, port: this.o.port, username: this.o.username, reason: msg }, "AMI login refused");
          return this.fail(m, `login refused: ${msg}`);
        }
        this.attempt = 0;
        this.setState("connected");
        this.o.log.info({ host: this.o.host, port: this.o.port, username: this.o.username }, "AMI connected");
        this.startKeepalive(m);
        this.emit("connected");
      });
    });
  }

  private startKeepalive(m: Manager): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = setInterval(() => {
      if (this.manager !== m) return;
      // A half-open TCP link never reports close: a Ping without answer is how we notice.
      this.action("Ping", {}).catch((err: PbxError) => {
        if (this.manager === m && err.code === "TIMEOUT") this.fail(m, "keepalive Ping unanswered");
      });
    }, this.o.keepaliveMs);
    this.keepaliveTimer.unref();
  }

  private fail(m: Manager, reason: string): void {
    if (this.manager !== m) return;
    const wasConnected = this.stateValue === "connected";
    this.drop(reason);
    m.disconnect();
    if (wasConnected) this.o.log.warn({ reason }, "AMI link lost");
    if (this.stopped) return;
    // First retry within minDelayMs, then doubling with full jitter, capped at maxDelayMs.
    const ceiling = Math.min(this.o.maxDelayMs, this.o.minDelayMs * 2 ** this.attempt);
    const delay = this.attempt === 0 ? Math.random() * this.o.minDelayMs : ceiling / 2 + (Math.random() * ceiling) / 2;
    this.attempt++;
    this.reconnectTimer = setTimeout(() => this.connectNow(), delay);
  }

  private drop(reason: string): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
    const m = this.manager;
    this.manager = null;
    m?.removeAllListeners("managerevent");
    m?.on("error", () => {});
    if (this.stateValue === "connected") {
      this.setState("disconnected");
      this.emit("disconnected", reason);
    } else this.setState("disconnected");
  }

  private setState(s: AmiState): void {
    this.stateValue = s;
  }
}

/** An action for asterisk-manager's writer, every value checked (it writes them as they are). */
function toRequest(name: string, id: string, fields: Record<string, string | string[]>): Record<string, string | Record<string, string>> {
  const req: Record<string, string | Record<string, string>> = { action: name, actionid: id };
  for (const [k, v] of Object.entries(fields)) {
    if (k.toLowerCase() === "variable") {
      // asterisk-manager writes an object as one "Variable: name=value" line per entry.
      const vars: Record<string, string> = {};
      for (const pair of Array.isArray(v) ? v : [v]) {
        const eq = pair.indexOf("=");
        if (eq <= 0 || unsafeValue.test(pair)) throw new PbxError("INVALID_ARGUMENT", `${name}: bad variable ${JSON.stringify(pair)}`, "variable");
        vars[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      req.variable = vars;
      continue;
    }
    if (Array.isArray(v) || unsafeValue.test(k) || unsafeValue.test(v) || k.includes(":"))
      throw new PbxError("INVALID_ARGUMENT", `${name}: ${k} may not contain CR, LF or NUL`, k);
    req[k] = v;
  }
  return req;
}

/** asterisk-manager's parsed object → our AmiMessage (repeated headers joined by "\n"). */
export function normalize(raw: Raw): AmiMessage {
  const out: AmiMessage = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === "string") out[k] = v;
    else if (Array.isArray(v)) out[k] = v.join("\n");
    // It turns "Variable: NAME" (VarSet) and "Variable: NAME=value" into {NAME: value}.
    else if (v && typeof v === "object") out[k] = Object.entries(v).map(([n, val]) => (val === "" ? n : `${n}=${val}`)).join("\n");
  }
  return out;
}
