import { Redis } from "ioredis";
import type { Logger } from "./logger.js";

/**
 * One Redis connection for commands, from which bull and Socket.IO's adapter duplicate their own.
 * It retries forever with a short capped backoff; the server keeps serving while Redis is away
 * (health says so) and the database stays the source of truth.
 */
export function createRedis(url: string, log: Logger): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2_000),
  });
  let down = false;
  redis.on("error", (err: Error) => {
    if (!down) log.warn({ err: err.message }, "redis unavailable; retrying");
    down = true;
  });
  redis.on("ready", () => {
    if (down) log.info("redis connection restored");
    down = false;
  });
  return redis;
}
