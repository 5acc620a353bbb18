import crypto from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "../platform/logger.js";

/**
 * Tells the other server nodes that a client changed, so each refreshes its in-memory phone index.
 * Messages from this node are ignored (it refreshed already).
 */
export class ClientChangeBus {
  private readonly node = crypto.randomUUID();
  private readonly sub: Redis;
  private readonly channel: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    onRemoteChange: (clientId: number) => void,
    log: Logger,
  ) {
    this.channel = `${prefix}:crm:client-changed`;
    this.sub = redis.duplicate();
    this.sub.on("error", () => {});
    this.sub.subscribe(this.channel).catch((err: Error) => log.warn({ err: err.message }, "client change bus: subscribe failed"));
    this.sub.on("message", (_channel: string, message: string) => {
      const [node, id] = message.split(" ");
      if (node !== this.node && id && /^\d+$/.test(id)) onRemoteChange(Number(id));
    });
  }

  publish(clientId: number): void {
    this.redis.publish(this.channel, `${this.node} ${clientId}`).catch(() => {});
  }

  close(): void {
    this.sub.disconnect();
  }
}
