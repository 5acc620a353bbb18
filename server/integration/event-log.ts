import type { Redis } from "ioredis";
import type { Logger } from "../platform/logger.js";

/** One domain event as integrators see it: `{seq, type, at, ...}`. */
export interface StreamEvent {
  seq: number;
  type: string;
  at: string;
  [field: string]: unknown;
}

/** A resume point older than what is kept, or one the log never reached. */
export class ResumeError extends Error {
  constructor(
    public readonly code: "RESUME_TOO_OLD" | "RESUME_UNKNOWN",
    message: string,
    public readonly oldestSeq: number | null,
    public readonly lastSeq: number,
  ) {
    super(message);
  }
}

// The number and the entry in one step: entries enter the stream in the order of their numbers,
// whichever node appends them, and the stream id is the number (`<seq>-0`).
const appendScript = `
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], seq .. '-0', 'e', ARGV[2])
return seq`;

const seqOf = (id: string) => Number(id.slice(0, id.indexOf("-")));

/**
 * The domain event log (docs/api.md "Integration API"): a Redis stream whose ids are a sequence
 * number shared by every node (INCR), trimmed to about `retention` entries. Each event is appended
 * once, by the node where it happened (call and agent events: the PBX's lease holder). Every node
 * tails the stream and hands each entry, in order, to its local listeners (/api/stream sockets,
 * webhooks), so every node serves the same sequence.
 */
export class EventLog {
  private readonly listeners = new Set<(e: StreamEvent) => void>();
  private readonly seqKey: string;
  private readonly streamKey: string;
  private tail: Redis | null = null;
  private closed = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly retention: number,
    private readonly log: Logger,
  ) {
    this.seqKey = `${prefix}:events:seq`;
    this.streamKey = `${prefix}:events`;
  }

  /** Appends one event; never throws (a Redis outage loses stream events, not the call). */
  async append(type: string, fields: Record<string, unknown>): Promise<number | null> {
    const body = JSON.stringify({ type, at: new Date().toISOString(), ...fields });
    try {
      return Number(await this.redis.eval(appendScript, 2, this.seqKey, this.streamKey, String(this.retention), body));
    } catch (err) {
      this.log.warn({ err: (err as Error).message, type }, "event log: could not append");
      return null;
    }
  }

  /** The last number given out (0: none yet). */
  async lastSeq(): Promise<number> {
    return Number((await this.redis.get(this.seqKey)) ?? 0);
  }

  /**
   * The events after `after`, `limit` at most, oldest first. Throws ResumeError when some of them
   * were trimmed already, or when `after` is past the last number.
   */
  async after(after: number, limit = 1000): Promise<StreamEvent[]> {
    const [first, last] = await Promise.all([this.redis.xrange(this.streamKey, "-", "+", "COUNT", 1), this.lastSeq()]);
    const oldest = first[0] ? seqOf(first[0][0]) : null;
    if (after > last)
      throw new ResumeError("RESUME_UNKNOWN", `no event ${after} was ever sent: the last is ${last} (the log was reset?); reconnect without 'after'`, oldest, last);
    if (after < last && (oldest === null || after < oldest - 1))
      throw new ResumeError("RESUME_TOO_OLD", `events after ${after} are no longer kept: the oldest kept is ${oldest ?? "none"}; reconnect without 'after' and read what was missed from the API`, oldest, last);
    const entries = await this.redis.xrange(this.streamKey, `${after + 1}-0`, "+", "COUNT", limit);
    return entries.map(([id, f]) => this.decode(id, f));
  }

  subscribe(listener: (e: StreamEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts tailing the stream from its current end; resolves once that end is known (so nothing
   * appended after a socket's start can be missed by the tail), retrying while Redis is not up.
   */
  start(): Promise<void> {
    let ready: () => void = () => {};
    const started = new Promise<void>((r) => (ready = r));
    const tail = this.redis.duplicate({ maxRetriesPerRequest: null });
    tail.on("error", () => {});
    this.tail = tail;
    this.loop = (async () => {
      let cursor: string | null = null;
      while (!this.closed) {
        try {
          if (cursor === null) {
            const [last] = await tail.xrevrange(this.streamKey, "+", "-", "COUNT", 1);
            cursor = last ? last[0] : "0-0";
            ready();
          }
          const got = (await tail.xread("COUNT", 500, "BLOCK", 2000, "STREAMS", this.streamKey, cursor)) as [string, [string, string[]][]][] | null;
          for (const [, entries] of got ?? []) {
            for (const [id, f] of entries) {
              cursor = id;
              const e = this.decode(id, f);
              for (const l of this.listeners) {
                try {
                  l(e);
                } catch (err) {
                  this.log.warn({ err: (err as Error).message }, "event log listener failed");
                }
              }
            }
          }
        } catch (err) {
          if (this.closed) return;
          this.log.warn({ err: (err as Error).message }, "event log: tail read failed; retrying");
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
    return Promise.race([started, this.loop]);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.tail?.disconnect();
    await this.loop;
    this.listeners.clear();
  }

  private decode(id: string, f: string[]): StreamEvent {
    const i = f.indexOf("e");
    const body = JSON.parse(f[i + 1] ?? "{}") as { type: string; at: string };
    return { seq: seqOf(id), ...body };
  }
}
