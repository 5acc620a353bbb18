import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dbKinds } from "../support/databases.js";
import { adminPassword, startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

describe.each(dbKinds)("auth, users and audit on %s", (db) => {
  let s: TestServer;
  beforeAll(async () => {
    // The default session lifetime (12 h): no test here depends on how fast the machine runs.
    s = await startTestServer({ db });
  });
  afterAll(async () => s?.close());

  it("health answers without a token and says the PBX link state", async () => {
    const r = await s.api("GET", "/api/health");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "ok", db: "ok", dbKind: db === "pglite" ? "pglite" : "postgres" });
    // One node: it holds the lease of the one PBX (the simulator) and consumes its events.
    await expectEventually(async () => expect((await s.api("GET", "/api/health")).body).toMatchObject({ lease: "holder", pbx: [{ name: "main", kind: "simulator", lease: "holder" }] }));
    expect(r.body.journal).toMatchObject({ state: "ok", backlog: 0, failing: false, setAside: 0 });
    // The built-in simulator is reached over loopback TCP like a real Asterisk.
    await expectEventually(async () => expect((await s.api("GET", "/api/health")).body.ami).toBe("connected"));
    await s.app.telephony.sim!.restart(300);
    expect((await s.api("GET", "/api/health")).body.ami).toBe("disconnected");
    await expectEventually(async () => expect((await s.api("GET", "/api/health")).body.ami).toBe("connected"));
  });

  it("logs the bootstrap admin in and refuses a wrong password", async () => {
    const me = await s.api("GET", "/api/auth/me", { token: s.adminToken });
    expect(me.body.user).toMatchObject({ username: "admin", role: "admin" });
    const bad = await s.api("POST", "/api/auth/login", { body: { username: "admin", password: "nope-nope" } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe("BAD_CREDENTIALS");
    const missing = await s.api("POST", "/api/auth/login", { body: { username: "admin" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe("password");
  });

  it("needs a token on every other route", async () => {
    for (const p of ["/api/clients", "/api/users", "/api/tasks", "/api/audit", "/api/clients/1"]) {
      const r = await s.api("GET", p);
      expect(r.status, p).toBe(401);
      expect(r.body.error.code).toBe("UNAUTHENTICATED");
    }
    const forged = await s.api("GET", "/api/clients", { token: "x".repeat(43) });
    expect(forged.status).toBe(401);
  });

  it("creates users with roles and enforces them with 403", async () => {
    const created = await s.api("POST", "/api/users", {
      token: s.adminToken,
      body: { username: "ann", password: "ann-password", role: "agent", extension: "1001", displayName: "Ann Agent" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: "ann", role: "agent", extension: "1001" });
    expect(created.body.passwordHash).toBeUndefined();
    const agent = await s.login("ann", "ann-password");
    const denied = await s.api("POST", "/api/users", { token: agent, body: { username: "x1", password: "12345678", role: "admin" } });
    expect(denied.status).toBe(403);
    expect((await s.api("GET", "/api/audit", { token: agent })).status).toBe(403);
    // Extension names one phone: a second user cannot take it.
    const clash = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "bob", password: "bob-password", role: "agent", extension: "1001" } });
    expect(clash.status).toBe(409);
    expect(clash.body.error.field).toBe("extension");
    const badExt = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "bob", password: "bob-password", role: "agent", extension: "10\r\n01" } });
    expect(badExt.status).toBe(400);
    expect(badExt.body.error.field).toBe("extension");
  });

  it("records role changes in an append-only audit log", async () => {
    const users = await s.api("GET", "/api/users", { token: s.adminToken });
    const ann = users.body.items.find((u: { username: string }) => u.username === "ann");
    const r = await s.api("PATCH", `/api/users/${ann.id}`, { token: s.adminToken, body: { role: "supervisor" } });
    expect(r.body.role).toBe("supervisor");
    const audit = await s.api("GET", "/api/audit?action=user.update", { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({ action: "user.update", actorName: "admin", target: `user:${ann.id}`, details: { role: { from: "agent", to: "supervisor" } } });
    const logins = await s.api("GET", "/api/audit?action=auth.login_failed", { token: s.adminToken });
    expect(logins.body.items.length).toBeGreaterThan(0);
    await expect(s.app.db.exec(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(s.app.db.exec(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  });

  it("ends the session on logout and after deactivation", async () => {
    const token = await s.login("ann", "ann-password");
    expect((await s.api("POST", "/api/auth/logout", { token })).status).toBe(204);
    expect((await s.api("GET", "/api/auth/me", { token })).status).toBe(401);
    const token2 = await s.login("ann", "ann-password");
    const users = await s.api("GET", "/api/users", { token: s.adminToken });
    const ann = users.body.items.find((u: { username: string }) => u.username === "ann");
    await s.api("PATCH", `/api/users/${ann.id}`, { token: s.adminToken, body: { active: false } });
    expect((await s.api("GET", "/api/auth/me", { token: token2 })).status).toBe(401);
    expect((await s.api("POST", "/api/auth/login", { body: { username: "ann", password: "ann-password" } })).status).toBe(401);
  });

  it("rate-limits repeated failed logins with 429 and Retry-After", async () => {
    let last = { status: 0, headers: new Headers(), body: {} as any };
    for (let i = 0; i < 11; i++) last = await s.api("POST", "/api/auth/login", { body: { username: "victim", password: `guess-${i}` } });
    expect(last.status).toBe(429);
    expect(last.body.error.code).toBe("RATE_LIMITED");
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

/**
 * Session expiry on a server of its own with SESSION_TTL_HOURS=2, under a clock the test moves
 * (only Date is faked: the server's sockets and timers run as usual), rather than a lifetime short
 * enough to wait for, which a loaded machine can outlast before the other tests are done.
 */
describe.each(dbKinds)("session lifetime on %s", (db) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ db, env: { SESSION_TTL_HOURS: "2" } });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await s?.close();
  });
  const me = async (token: string) => (await s.api("GET", "/api/auth/me", { token })).status;

  it("expires tokens SESSION_TTL_HOURS after login, whether in use (cached) or not", async () => {
    const inUse = await s.login("admin", adminPassword);
    const idle = await s.login("admin", adminPassword);
    expect(await me(inUse)).toBe(200); // now in the server's short session cache
    const loggedInAt = Date.now();
    try {
      vi.useFakeTimers({ toFake: ["Date"], now: loggedInAt + 2 * 3600_000 - 60_000 });
      // A minute before the end: still valid.
      expect(await me(inUse)).toBe(200);
      expect(await me(idle)).toBe(200);
      // A few seconds past it (the login took a moment of real time): refused, cached or not.
      vi.setSystemTime(loggedInAt + 2 * 3600_000 + 10_000);
      expect(await me(inUse)).toBe(401);
      expect(await me(idle)).toBe(401);
      // A login made now lives its own 2 h.
      const fresh = await s.login("admin", adminPassword);
      expect(await me(fresh)).toBe(200);
      vi.setSystemTime(Date.now() + 2 * 3600_000 - 60_000);
      expect(await me(fresh)).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});
