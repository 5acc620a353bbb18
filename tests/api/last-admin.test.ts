import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe.each(dbKinds)("the last active admin stays (%s)", (db) => {
  let s: TestServer;
  let adminId = 0;
  beforeAll(async () => {
    s = await startTestServer({ db });
    adminId = (await s.api("GET", "/api/auth/me", { token: s.adminToken })).body.user.id;
  });
  afterAll(async () => s?.close());

  it("the only admin cannot demote or deactivate themselves: 409 with a clear message", async () => {
    const demote = await s.api("PATCH", `/api/users/${adminId}`, { token: s.adminToken, body: { role: "manager" } });
    expect(demote.status).toBe(409);
    expect(demote.body.error).toMatchObject({ code: "CONFLICT", field: "role" });
    expect(demote.body.error.message).toMatch(/last active admin/);
    const deactivate = await s.api("PATCH", `/api/users/${adminId}`, { token: s.adminToken, body: { active: false } });
    expect(deactivate.status).toBe(409);
    expect(deactivate.body.error.field).toBe("active");
    // Nothing changed, and other changes to the admin still work.
    const me = await s.api("PATCH", `/api/users/${adminId}`, { token: s.adminToken, body: { displayName: "Chief", role: "admin" } });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ role: "admin", active: true, displayName: "Chief" });
  });

  it("with a second admin one may step down; two admins demoting each other at once leave one", async () => {
    const second = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "admin2", password: "admin2-password", role: "admin" } });
    const token2 = await s.login("admin2", "admin2-password");
    const [r1, r2] = await Promise.all([
      s.api("PATCH", `/api/users/${second.body.id}`, { token: s.adminToken, body: { role: "agent" } }),
      s.api("PATCH", `/api/users/${adminId}`, { token: token2, body: { active: false } }),
    ]);
    // One wins; the other meets the rule (409), or, when the winner went first, finds its own
    // session ended (401) or its role gone (403).
    const statuses = [r1.status, r2.status];
    expect(statuses.filter((x) => x === 200)).toHaveLength(1);
    expect(statuses.find((x) => x !== 200)).toBeOneOf([409, 403, 401]);
    const users = (await s.app.users.list()).filter((u) => u.role === "admin" && u.active);
    expect(users).toHaveLength(1);
  });

  it("an inactive admin does not count as the one who remains", async () => {
    const spare = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "admin3", password: "admin3-password", role: "admin" } });
    const remaining = (await s.app.users.list()).find((u) => u.role === "admin" && u.active && u.username !== "admin3")!;
    const token = await s.login("admin3", "admin3-password");
    expect((await s.api("PATCH", `/api/users/${spare.body.id}`, { token, body: { active: false } })).status).toBe(200);
    const r = await s.api("PATCH", `/api/users/${remaining.id}`, { token: s.adminToken, body: { role: "supervisor" } }).catch(() => null);
    // Whoever is left as the one active admin is refused (the request may come from either admin's session).
    expect([409, 401]).toContain(r?.status);
    expect((await s.app.users.list()).filter((u) => u.role === "admin" && u.active)).toHaveLength(1);
  });
});
