import { EventEmitter } from "node:events";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";

export interface LeaseOptions {
  /** How long a lease lives without renewal. A dead holder is replaced within about this long. */
  ttlMs?: number;
  /** How often the holder renews, and a standby tries to take it. */
  renewMs?: number;
  /**
   * The highest fencing number already used where the holder writes (pbx_fences): a new number is
   * always above it, even if Redis lost its counter (a flushed or replaced Redis).
   */
  floor?: () => Promise<number>;
}

// Take the lease if nobody holds it: a new fencing number, larger than any before it (in Redis and,
// through ARGV[3], where the holder writes).
const acquireScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
local fence = redis.call('INCR', KEYS[2])
if fence <= tonumber(ARGV[3]) then
  fence = tonumber(ARGV[3]) + 1
  redis.call('SET', KEYS[2], fence)
end
redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. fence, 'PX', ARGV[2])
return fence`;

// Renew only a lease that is still ours (same node, same fencing number).
const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * A lease in Redis that makes one node at a time the holder of a resource (a PBX's event stream),
 * with fencing: each acquisition gets a number larger than every earlier one, carried on what the
 * holder writes, so writes from a holder that lost the lease (paused, cut off) can be refused.
 *
 * The holder renews every `renewMs`; a standby tries to take it as often. A holder that cannot renew
 * steps down by itself before its lease can have expired in Redis (it counts from the last renewal
 * it saw succeed), so two nodes never both believe they hold it. Emits "acquired" (fence) and
 * "lost" (reason).
 */
export class Lease extends EventEmitter {
  private fenceValue: number | null = null;
  private validUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly floor: () => Promise<number>;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    readonly nodeId: string,
    private readonly log: Logger,
    opts: LeaseOptions = {},
  ) {
    super();
    this.ttlMs = opts.ttlMs ?? 3000;
    this.renewMs = opts.renewMs ?? 1000;
    this.floor = opts.floor ?? (() => Promise.resolve(0));
  }

  get held(): boolean {
    return this.fenceValue !== null && Date.now() < this.validUntil;
  }

  /** The fencing number of the lease this node holds, or null. */
  get fence(): number | null {
    return this.held ? this.fenceValue : null;
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.fenceValue !== null) {
      const token = this.token(this.fenceValue);
      this.drop("stopped");
      // Let a standby take over at once instead of waiting for the TTL.
      await this.redis.eval(releaseScript, 1, this.key, token).catch(() => {});
    }
  }

  /**
   * Gives the lease up now (this node found it cannot act as holder): another node, or this one
   * later, takes it with a new fencing number.
   */
  async release(reason: string): Promise<void> {
    if (this.fenceValue === null) return;
    const token = this.token(this.fenceValue);
    this.drop(reason);
    await this.redis.eval(releaseScript, 1, this.key, token).catch(() => {});
  }

  /** Who holds the lease now, as Redis says ("<node> <fence>"), or null. */
  async holder(): Promise<{ node: string; fence: number } | null> {
    const v = await this.redis.get(this.key).catch(() => null);
    if (!v) return null;
    const [node, fence] = v.split(" ");
    return { node: node ?? "", fence: Number(fence) };
  }

  private token(fence: number): string {
    return `${this.nodeId} ${fence}`;
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    try {
      if (this.fenceValue === null) {
        // Without the database, Redis's own counter is the floor; a holder that finds a higher number
        // there later gives the lease up (the call journal checks it on every write).
        const floor = await this.floor().catch(() => 0);
        const fence = (await this.bounded(this.redis.eval(acquireScript, 2, this.key, `${this.key}:fence`, this.nodeId, String(this.ttlMs), String(floor)))) as number | null;
        if (fence !== null && !this.stopped) {
          this.fenceValue = Number(fence);
          this.validUntil = started + this.ttlMs - this.renewMs;
          this.log.info({ key: this.key, fence: this.fenceValue }, "lease acquired");
          this.emit("acquired", this.fenceValue);
        }
      } else {
        const ok = (await this.bounded(this.redis.eval(renewScript, 1, this.key, this.token(this.fenceValue), String(this.ttlMs)))) as number;
        if (ok === 1) this.validUntil = started + this.ttlMs - this.renewMs;
        else this.drop("taken by another node");
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message, key: this.key }, "lease: Redis unreachable");
    }
    // Counted from the last renewal that succeeded: cut off from Redis, the holder stops in time.
    if (this.fenceValue !== null && Date.now() >= this.validUntil) this.drop("could not renew");
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.renewMs);
      this.timer.unref();
    }
  }

  /**
   * A Redis command that has not answered within one renewal period counts as failed: ioredis
   * holds commands while it reconnects, and a holder must not wait on them past its lease.
   * (An acquisition that answers late still counts: Redis holds it, and the next renewal keeps it
   * or the TTL frees it.)
   */
  private bounded<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("Redis did not answer in time")), this.renewMs);
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  private drop(reason: string): void {
    if (this.fenceValue === null) return;
    this.log.warn({ key: this.key, fence: this.fenceValue, reason }, "lease lost");
    this.fenceValue = null;
    this.validUntil = 0;
    this.emit("lost", reason);
  }
}
