import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { Logger } from "../platform/logger.js";
import type { PbxEvent } from "./pbx-events.js";
import type { PbxSnapshot } from "./pbx-link.js";

/** What the lease holder saw on its PBX link, in order; every node applies the same items. */
export type FeedItem =
  | { k: "event"; e: PbxEvent; at: number }
  | { k: "snapshot"; s: PbxSnapshot; at: number }
  /** The holder's PBX link went down: until the next snapshot nobody knows what the PBX holds. */
  | { k: "link-down"; at: number };

// Append only while the caller still holds the lease (same node and fencing number): a holder that
// lost it, paused or cut off, cannot add anything once another node has taken over.
const appendScript = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local last = false
for i = 3, #ARGV do last = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', 'd', ARGV[i]) end
return last`;

/**
 * One PBX's feed: a Redis stream the lease holder appends to (fenced, in batches, in order) and
 * the other nodes read, so every node's call tracker and agent states follow the same PBX.
 * `emit("item", item)` on a reader for each item, in the holder's order.
 */
export class PbxFeed extends EventEmitter {
  private queue: string[] = [];
  private flushing = false;
  private token: string | null = null;
  /** The last stream id this node appended or read: where reading resumes. */
  private lastId = "$";
  private reading = false;
  private reader: Redis | null = null;
  private loop: Promise<void> = Promise.resolve();
  /** Items the holder could not append (the lease was gone): it stops being holder. */
  onFenced: () => void = () => {};

  constructor(
    private readonly redis: Redis,
    private readonly streamKey: string,
    private readonly leaseKey: string,
    private readonly log: Logger,
    private readonly maxLen = 200_000,
  ) {
    super();
  }

  /** As holder: items are appended under this lease token ("<node> <fence>"). */
  beginAppending(token: string): void {
    this.token = token;
  }

  stopAppending(): void {
    this.token = null;
    this.queue = [];
  }

  append(item: FeedItem): void {
    if (!this.token) return;
    this.queue.push(JSON.stringify(item));
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flush());
    }
  }

  private async flush(): Promise<void> {
    while (this.queue.length && this.token) {
      const batch = this.queue.splice(0, 500);
      const token = this.token;
      try {
        const id = (await this.redis.eval(appendScript, 2, this.leaseKey, this.streamKey, token, String(this.maxLen), ...batch)) as string | null;
        if (id === null) {
          this.log.warn({ items: batch.length }, "PBX feed: lease gone, append refused");
          this.stopAppending();
          this.onFenced();
          break;
        }
        this.lastId = id;
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, "PBX feed: append failed");
        this.queue.unshift(...batch);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    this.flushing = false;
  }

  /** Waits until everything queued so far has been appended (or refused). */
  async drainAppends(): Promise<void> {
    while (this.flushing || (this.queue.length && this.token)) await new Promise((r) => setTimeout(r, 5));
  }

  /** As a reader: follows the stream from where this node last was, emitting each item. */
  startReading(): void {
    if (this.reading) return;
    this.reading = true;
    const reader = this.redis.duplicate();
    reader.on("error", () => {});
    this.reader = reader;
    this.loop = this.readLoop(reader);
  }

  /** Stops reading after catching up with everything in the stream now (before taking over). */
  async stopReadingCaughtUp(): Promise<void> {
    await this.stopReading();
    // The loop is over (its blocked XREAD aborted): nothing else reads, so nothing is applied twice.
    for (;;) {
      const got = await this.readOnce(this.redis, null);
      if (!got) break;
    }
  }

  async close(): Promise<void> {
    this.stopAppending();
    await this.stopReading();
  }

  private async stopReading(): Promise<void> {
    this.reading = false;
    this.reader?.disconnect();
    this.reader = null;
    await this.loop;
  }

  private async readLoop(conn: Redis): Promise<void> {
    while (this.reading) {
      try {
        await this.readOnce(conn, 1000);
      } catch (err) {
        if (!this.reading) break;
        this.log.warn({ err: (err as Error).message }, "PBX feed: read failed");
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * Where a node that just started reads from: the holder's latest snapshot of the PBX (it resyncs
   * after every connect and every few minutes), so replaying from there rebuilds the live calls
   * and agent states exactly as the holder has them. With no snapshot left, the oldest item.
   */
  private async startingPoint(conn: Redis): Promise<string> {
    let end = "+";
    for (let pages = 0; pages < 1000; pages++) {
      const page = await conn.xrevrange(this.streamKey, end, "-", "COUNT", 1000);
      for (const [id, fields] of page) if (fields[1]?.startsWith('{"k":"snapshot"')) return before(id);
      if (page.length < 1000) break;
      end = before(page[page.length - 1]![0]);
    }
    return "0-0";
  }

  /** One XREAD from lastId; true when it returned items. */
  private async readOnce(conn: Redis, blockMs: number | null): Promise<boolean> {
    if (this.lastId === "$") this.lastId = await this.startingPoint(conn);
    const args: (string | number)[] = ["COUNT", 1000];
    if (blockMs !== null) args.push("BLOCK", blockMs);
    const res = (await (conn.xread as (...a: (string | number)[]) => Promise<[string, [string, string[]][]][] | null>)(...args, "STREAMS", this.streamKey, this.lastId));
    const entries = res?.[0]?.[1] ?? [];
    for (const [id, fields] of entries) {
      this.lastId = id;
      const raw = fields[1];
      if (!raw) continue;
      try {
        this.emit("item", JSON.parse(raw) as FeedItem);
      } catch (err) {
        this.log.error({ err, id }, "PBX feed: item could not be applied");
      }
    }
    return entries.length > 0;
  }
}

/** The stream id just before `id` (XREAD returns what comes after the id it is given). */
function before(id: string): string {
  const [ms, seq] = id.split("-").map(BigInt) as [bigint, bigint];
  if (seq > 0n) return `${ms}-${seq - 1n}`;
  return ms > 0n ? `${ms - 1n}-18446744073709551615` : "0-0";
}
