import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminPassword, startTestServer, type TestServer } from "../support/test-server.js";

/** Requests come from 127.0.0.1, a trusted proxy: X-Forwarded-For sets the client address. */
const from = (address: string) => ({ "x-forwarded-for": address });

describe("login limits hold under parallel guessing (Redis, atomic reserve before the password check)", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "victim", password: "victim-password", role: "agent" } });
  });
  afterAll(async () => s?.close());

  const login = (username: string, password: string, address: string) =>
    s.api("POST", "/api/auth/login", { body: { username, password }, headers: from(address) });

  it("200 parallel wrong passwords for one user check at most 10; then even the right password waits", async () => {
    // Each guess from its own address, so only the per-username limit is in play.
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => login("victim", `guess-${i}`, `198.18.${i >> 8}.${i & 255}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((c) => c === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((c) => c === 429).length).toBeGreaterThanOrEqual(190);
    expect(statuses.every((c) => c === 401 || c === 429)).toBe(true);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(15 * 60);

    const right = await login("victim", "victim-password", "198.18.9.9");
    expect(right.status).toBe(429);
    // Usernames are one account whatever their case.
    expect((await login("VICTIM", "victim-password", "198.18.9.10")).status).toBe(429);
    // The audit log saw only the guesses that were checked.
    const audit = await s.api("GET", "/api/audit?action=auth.login_failed&actor=victim&limit=500", { token: s.adminToken });
    expect(audit.body.items.length).toBeLessThanOrEqual(10);
  });

  it("the per-address limit answers 429 past 100 checks, whatever the usernames", async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => login(`nobody${i}`, "wrong-password", "203.0.113.50")));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((c) => c === 401).length).toBeLessThanOrEqual(100);
    expect(statuses.filter((c) => c === 429).length).toBeGreaterThanOrEqual(100);
    // That address waits even with good credentials; the rest of the floor does not.
    expect((await login("admin", adminPassword, "203.0.113.50")).status).toBe(429);
    expect((await login("admin", adminPassword, "203.0.113.51")).status).toBe(200);
  });

  it("successful logins do not count: a floor behind one address signs in all day", async () => {
    for (let i = 0; i < 2; i++) await s.api("POST", "/api/users", { token: s.adminToken, body: { username: `floor${i}`, password: "floor-password", role: "agent" } });
    // Each user signs in 12 times (more than the limit of 10), both at once from one address.
    const signIns = async (user: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await login(user, "floor-password", "192.0.2.200")).status);
      return statuses;
    };
    const [a, b] = await Promise.all([signIns("floor0"), signIns("floor1")]);
    expect([...a!, ...b!]).toEqual(Array(24).fill(200));
  });
});
