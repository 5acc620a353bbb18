import crypto from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { ClusterBus } from "../../server/platform/cluster/cluster-bus.js";
import { createRedis } from "../../server/platform/redis.js";
import { redisProxy } from "../support/cluster.js";
import { expectEventually } from "../support/eventually.js";

/**
 * Pub/sub keeps nothing for a subscriber that is away: a node whose bus link dropped must learn
 * that it may have missed changes (its card cache starts over), once it hears again.
 */
describe("cluster bus (Redis)", () => {
  const log = pino({ level: "silent" });
  const prefix = `bustest:${crypto.randomBytes(4).toString("hex")}`;
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it("tells a node that heard nothing while its link was down, once it hears again", async () => {
    const proxy = await redisProxy();
    const aRedis = createRedis(proxy.url, log);
    const bRedis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", log);
    const a = new ClusterBus(aRedis, prefix, log, "a");
    const b = new ClusterBus(bRedis, prefix, log, "b");
    cleanup.push(() => proxy.close(), () => aRedis.disconnect(), () => bRedis.disconnect(), () => a.close(), () => b.close());
    const heard: string[] = [];
    let resubscribed = 0;
    a.on("client-changed", (id) => heard.push(id));
    a.onResubscribed(() => resubscribed++);

    await expectEventually(() => {
      b.publish("client-changed", "1");
      expect(heard).toContain("1");
    });
    expect(resubscribed).toBe(0);

    proxy.cut();
    b.publish("client-changed", "2"); // lost for node a
    proxy.restore();
    await expectEventually(() => expect(resubscribed).toBe(1), 10_000);
    expect(heard).not.toContain("2");
    await expectEventually(() => {
      b.publish("client-changed", "3");
      expect(heard).toContain("3");
    });
  });
});
