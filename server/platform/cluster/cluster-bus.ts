import crypto from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../logger.js";

/**
 * Tells the other server nodes that something they keep in memory changed (a client's numbers for
 * the phone index, the users behind extensions), over Redis pub/sub. Each node has an id; a node
 * does not hear its own messages (it has applied the change already).
 */
export class ClusterBus {
  readonly nodeId: string;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, (payload: string) => void>();
  private readonly resubscribed: (() => void)[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    log: Logger,
    nodeId: string = crypto.randomUUID(),
  ) {
    this.nodeId = nodeId;
    // Subscribed by hand at every (re)connect, so the node knows when it hears the others again.
    this.sub = redis.duplicate({ autoResubscribe: false });
    this.sub.on("error", () => {});
    let before = false;
    this.sub.on("ready", () => {
      this.sub.psubscribe(`${prefix}:bus:*`).then(
        () => {
          if (before) for (const handler of this.resubscribed) handler();
          before = true;
        },
        (err: Error) => log.warn({ err: err.message }, "cluster bus: subscribe failed"),
      );
    });
    this.sub.on("pmessage", (_pattern: string, channel: string, message: string) => {
      const space = message.indexOf(" ");
      if (space < 0 || message.slice(0, space) === this.nodeId) return;
      this.handlers.get(channel.slice(`${prefix}:bus:`.length))?.(message.slice(space + 1));
    });
  }

  /** One handler per topic, for the other nodes' messages. */
  on(topic: string, handler: (payload: string) => void): void {
    this.handlers.set(topic, handler);
  }

  /**
   * Called once the bus hears again after its link to Redis dropped: what was published meanwhile
   * is lost (pub/sub keeps nothing), so whatever a node keeps up to date from it must start over.
   */
  onResubscribed(handler: () => void): void {
    this.resubscribed.push(handler);
  }

  publish(topic: string, payload: string): void {
    this.redis.publish(`${this.prefix}:bus:${topic}`, `${this.nodeId} ${payload}`).catch(() => {});
  }

  close(): void {
    this.sub.disconnect();
  }
}
