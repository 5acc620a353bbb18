import crypto from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { ClusterBus } from "../../server/platform/cluster/cluster-bus.js";
import { createRedis } from "../../server/platform/redis.js";
import { openDatabase } from "../../server/platform/db/database.js";
import { startScripts } from "../../server/scripts/scripts.module.js";
import { expectEventually } from "../support/eventually.js";

/**
 * Two nodes over one database and one Redis: a script published and a rule added on one node
 * reach the other node's in-memory catalog (the ring path there picks it without a query).
 */
describe("script catalog on two nodes", () => {
  const log = pino({ level: "silent" });
  const prefix = `scripttest:${crypto.randomBytes(4).toString("hex")}`;
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  it("a change on node A is in node B's catalog", async () => {
    const db = await openDatabase({ url: null, dataDir: null });
    cleanup.push(() => db.close());
    const node = async (id: string) => {
      const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", log);
      const bus = new ClusterBus(redis, prefix, log, id);
      cleanup.push(() => redis.disconnect(), () => bus.close());
      // Only the catalog and the scripts service are exercised: the run side's services are not called.
      return { bus, ...(await startScripts({ db, bus, clients: null as never, tasks: null as never, timeline: null as never, callbacks: null as never, log })) };
    };
    const a = await node("a");
    const b = await node("b");
    const facts = { queue: "support", direction: "inbound" as const, dialed: { number: "8005551000", label: null }, client: null };
    expect(b.catalog.choose(facts)).toBeNull();
    // Subscriptions are made asynchronously: wait until B hears A.
    let heard = false;
    b.bus.on("ping", () => (heard = true));
    await expectEventually(() => {
      a.bus.publish("ping", "");
      expect(heard).toBe(true);
    });

    const s = await a.scripts.create("Support", { start: "x", steps: { x: { type: "end", outcome: "resolved" } } }, { id: 1, username: "admin" });
    await a.scripts.publish(s.id, { id: 1, username: "admin" });
    await a.scripts.addRule({ queue: "support", scriptId: s.id });
    expect(a.catalog.choose(facts)).toMatchObject({ scriptId: s.id, version: 1 });
    await expectEventually(() => expect(b.catalog.choose(facts)).toMatchObject({ scriptId: s.id, version: 1, name: "Support" }));
  });
});
