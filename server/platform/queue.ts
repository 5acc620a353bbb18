import Bull from "bull";
import type { Redis } from "ioredis";

export type Queue<T = unknown> = Bull.Queue<T>;

/**
 * A bull queue on the shared Redis. Bull needs three connections per queue (client, subscriber,
 * blocking client): they are duplicates of the shared one, so one REDIS_URL configures them all.
 * `prefix` keeps deployments (and test files) apart on one Redis.
 */
export function createQueue<T>(name: string, redis: Redis, prefix: string): Queue<T> {
  const queue = new Bull<T>(name, {
    prefix: `${prefix}:bull`,
    createClient: (type) =>
      type === "client"
        ? redis.duplicate()
        : redis.duplicate({ maxRetriesPerRequest: null, enableReadyCheck: false }),
  });
  queues.add({ queue: queue as Queue, prefix });
  const close = queue.close.bind(queue);
  queue.close = (doNotWaitJobs?: boolean) => {
    for (const q of queues) if (q.queue === (queue as Queue)) queues.delete(q);
    return close(doNotWaitJobs);
  };
  return queue;
}

const queues = new Set<{ queue: Queue; prefix: string }>();

/** The bull queues open in this process under a prefix (the /metrics figures). */
export function openQueues(prefix: string): Queue[] {
  return [...queues].filter((q) => q.prefix === prefix).map((q) => q.queue);
}
