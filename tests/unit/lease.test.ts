import crypto from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { pino } from "pino";
import { Lease } from "../../server/platform/cluster/lease.js";

/** The lease on a real Redis: one holder at a time, numbers always rising, even past a lost counter. */
describe("lease with fencing (Redis)", () => {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const key = `leasetest:${crypto.randomBytes(4).toString("hex")}:lease`;
  const log = pino({ level: "silent" });
  afterAll(async () => {
    await redis.del(key, `${key}:fence`);
    redis.disconnect();
  });
  const acquired = (l: Lease) => new Promise<number>((r) => l.once("acquired", r));

  it("gives the lease to one node, hands it over on release with a larger number, and never goes below the floor", async () => {
    const a = new Lease(redis, key, "a", log, { ttlMs: 3000, renewMs: 100 });
    const b = new Lease(redis, key, "b", log, { ttlMs: 3000, renewMs: 100, floor: async () => 41 });
    const first = acquired(a);
    a.start();
    const fa = await first;
    b.start();
    expect(a.held).toBe(true);
    expect(b.held).toBe(false);
    // Redis loses its counter (flushed, replaced); the database has seen 41 already.
    await redis.del(`${key}:fence`);
    const second = acquired(b);
    const lost = new Promise<string>((r) => a.once("lost", r));
    // A node that stops hands the lease over at once (it does not wait for the TTL).
    await a.stop();
    expect(await lost).toBe("stopped");
    const fb = await second;
    expect(fb).toBeGreaterThan(41);
    expect(fb).toBeGreaterThan(fa);
    expect(await b.holder()).toEqual({ node: "b", fence: fb });
    await b.stop();
  });
});
