import Bull from "bull";
import type { Redis } from "ioredis";

export type Queue<T = unknown> = Bull.Queue<T>;

/**
 * A bull queue on the shared Redis. Bull needs three connections per queue (client, subscriber,
 * blocking client): they are duplicates of the shared one, so one REDIS_URL configures them all.
 * `prefix` keeps deployments (and test files) apart on one Redis.
 */
export function createQueue<T>(name: string, redis: Redis, prefix: string): Queue<T> {
  return new Bull<T>(name, {
    prefix: `${prefix}:bull`,
    createClient: (type) =>
      type === "client"
        ? redis.duplicate()
        : redis.duplicate({ maxRetriesPerRequest: null, enableReadyCheck: false }),
  });
}
