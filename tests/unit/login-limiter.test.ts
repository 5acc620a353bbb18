import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { LoginLimiter } from "../../server/auth/login-limiter.js";
import { AppError } from "../../server/platform/errors.js";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0");
// Until its connection is ready a limiter counts in memory (it never waits for Redis).
const ready = new Promise((resolve) => redis.once("ready", resolve));
const prefix = () => `crmtest:${crypto.randomBytes(4).toString("hex")}`;

async function outcome(p: Promise<unknown>): Promise<"ok" | number> {
  try {
    await p;
    return "ok";
  } catch (err) {
    if (err instanceof AppError && err.code === "RATE_LIMITED") return err.retryAfterSeconds ?? -1;
    throw err;
  }
}

describe("login limiter (Redis)", () => {
  beforeAll(() => ready);
  afterAll(() => redis.disconnect());

  it("reserves atomically: of 50 parallel attempts for one user exactly the limit get through", async () => {
    const l = new LoginLimiter(redis, prefix(), { perUsername: 10, perAddress: 1000, windowSeconds: 60 });
    const results = await Promise.all(Array.from({ length: 50 }, () => outcome(l.reserve("Victim", "192.0.2.1"))));
    expect(results.filter((r) => r === "ok")).toHaveLength(10);
    const waits = results.filter((r): r is number => r !== "ok");
    expect(waits.every((w) => w > 0 && w <= 60)).toBe(true);
    // The username is case-insensitive; another user is not affected.
    expect(await outcome(l.reserve("victim", "192.0.2.9"))).toBeGreaterThan(0);
    expect(await outcome(l.reserve("someone-else", "192.0.2.1"))).toBe("ok");
  });

  it("limits an address across usernames, and a refused attempt costs the other limit nothing", async () => {
    const l = new LoginLimiter(redis, prefix(), { perUsername: 2, perAddress: 5, windowSeconds: 60 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => outcome(l.reserve(`user${i}`, "198.51.100.7"))));
    expect(results.filter((r) => r === "ok")).toHaveLength(5);
    expect(await outcome(l.reserve("user0", "198.51.100.8"))).toBe("ok");
    // user11 was refused by the address limit only: its own budget is untouched.
    expect(await outcome(l.reserve("user11", "198.51.100.8"))).toBe("ok");
    expect(await outcome(l.reserve("user11", "198.51.100.8"))).toBe("ok");
    expect(await outcome(l.reserve("user11", "198.51.100.8"))).toBeGreaterThan(0);
  });

  it("gives a successful login's points back: successes never lock anyone out", async () => {
    const l = new LoginLimiter(redis, prefix(), { perUsername: 3, perAddress: 3, windowSeconds: 60 });
    for (let i = 0; i < 20; i++) await (await l.reserve(`agent${i % 4}`, "203.0.113.1")).succeeded();
    const fails = await Promise.all(Array.from({ length: 3 }, () => outcome(l.reserve("agent0", "203.0.113.1"))));
    expect(fails).toEqual(["ok", "ok", "ok"]);
    expect(await outcome(l.reserve("agent0", "203.0.113.2"))).toBeGreaterThan(0);
  });

  it("shares the count between limiters on the same prefix (two nodes)", async () => {
    const p = prefix();
    const nodeA = new LoginLimiter(redis, p, { perUsername: 4, perAddress: 100, windowSeconds: 60 });
    const other = redis.duplicate();
    await new Promise((resolve) => other.once("ready", resolve));
    const nodeB = new LoginLimiter(other, p, { perUsername: 4, perAddress: 100, windowSeconds: 60 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => outcome((i % 2 ? nodeA : nodeB).reserve("shared", "192.0.2.50"))));
    expect(results.filter((r) => r === "ok")).toHaveLength(4);
    other.disconnect();
  });
});
