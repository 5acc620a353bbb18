import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

/** The answer of a budget: go ahead, or wait this many seconds. */
export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A number of points per key and fixed window, counted on Redis so every node shares one count.
 * `take` checks and counts in one atomic step (a Lua INCRBY with expiry), so parallel requests
 * cannot all pass the check before any of them is counted.
 */
export interface Budget {
  readonly points: number;
  take(key: string, points?: number): Promise<Take>;
  /** Gives points back (a reserved attempt that turned out not to count). */
  giveBack(key: string, points?: number): Promise<void>;
}

export interface BudgetOptions {
  /** Redis key prefix of the deployment (REDIS_PREFIX). */
  prefix: string;
  /** What is counted, part of the key: `<prefix>:limit:<name>:<key>`. */
  name: string;
  points: number;
  windowSeconds: number;
}

/**
 * The only module that knows rate-limiter-flexible. While Redis is not ready, each node counts in
 * memory (same limits, per node) instead of waiting for Redis: a login must not hang on it.
 */
export function redisBudget(redis: Redis, o: BudgetOptions): Budget {
  const insurance = new RateLimiterMemory({ keyPrefix: o.name, points: o.points, duration: o.windowSeconds });
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${o.prefix}:limit:${o.name}`,
    points: o.points,
    duration: o.windowSeconds,
    rejectIfRedisNotReady: true,
    insuranceLimiter: insurance,
  });
  return {
    points: o.points,
    async take(key, points = 1) {
      try {
        // A Redis that hangs (frozen, its link half-open) still looks "ready": past the time limit
        // this node counts in memory rather than keep a login waiting on it.
        await answered(limiter.consume(key, points), () => insurance.consume(key, points));
        return { ok: true };
      } catch (err) {
        if (err instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
        throw err;
      }
    },
    async giveBack(key, points = 1) {
      if (points > 0) await answered(limiter.reward(key, points), () => insurance.reward(key, points));
    },
  };
}

/** How long a limit may wait for Redis before it is counted in memory instead. */
const redisAnswerMs = 500;

/** `p` if it settles within redisAnswerMs, else `fallback()`. */
function answered<T>(p: Promise<T>, fallback: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((r) => {
    timer = setTimeout(() => r("late"), redisAnswerMs);
  });
  p.catch(() => {}); // settles after the fallback answered: nobody waits for it any more
  return Promise.race([p, late]).then((v) => (v === "late" ? fallback() : v)).finally(() => clearTimeout(timer));
}
