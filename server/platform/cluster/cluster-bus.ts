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

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    log: Logger,
    nodeId: string = crypto.randomUUID(),
  ) {
    this.nodeId = nodeId;
    this.sub = redis.duplicate();
    this.sub.on("error", () => {});
    this.sub.psubscribe(`${prefix}:bus:*`).catch((err: Error) => log.warn({ err: err.message }, "cluster bus: subscribe failed"));
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

  publish(topic: string, payload: string): void {
    this.redis.publish(`${this.prefix}:bus:${topic}`, `${this.nodeId} ${payload}`).catch(() => {});
  }

  close(): void {
    this.sub.disconnect();
  }
}
