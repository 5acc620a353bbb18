import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

const always = { minAbandonSeconds: 1, timezone: "UTC", hours: null, holidays: [], callWindow: ["00:00", "24:00"], maxAttempts: 3, targetMinutes: 60 };

/**
 * POST /api/callbacks/:id/dial ("My callbacks", one click): an agent dials their own (or an
 * unassigned) pending callback at once on their own extension; nobody else's; once only.
 */
describe("dialling one's own callback", () => {
  let s: TestServer;
  const token: Record<string, string> = {};
  const id: Record<string, number> = {};
  const api = (method: string, p: string, who: string, body?: unknown) => s.api(method, p, { token: token[who], ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    s = await startTestServer({ env: { SIM_SPEED: "0.05", WRAPUP_SECONDS: "0", CALLBACK_AUTODIAL_SECONDS: "300" } });
    token.admin = s.adminToken;
    for (const [u, ext] of [["ann", "1001"], ["bob", "1002"], ["sue", null]] as const) {
      const r = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role: ext ? "agent" : "supervisor", ...(ext ? { extension: ext } : {}), displayName: u } });
      id[u] = r.body.id;
      token[u] = await s.login(u, `${u}-password`);
    }
    for (const ext of ["1001", "1002", "1003"]) s.app.telephony.sim!.pbx.agent(ext)!.autoAnswer = false;
    expect((await api("PUT", "/api/callbacks/settings/support", "admin", always)).status).toBe(200);
    await expectEventually(async () => expect((await api("GET", "/api/agents/states", "admin")).body.items.find((a: { agent: string }) => a.agent === "1001")?.state).toBe("available"), 10_000);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("offers it to the agent's own extension and dials at once; 403 for someone else's, 409 twice or without a phone", async () => {
    const later = new Date(Date.now() + 3600_000).toISOString();
    const mine = (await api("POST", "/api/callbacks", "ann", { number: "+1 415 555 0131", queue: "support", dueAt: later, assigneeId: id.ann })).body;
    expect(mine.status).toBe("pending");
    const bobs = (await api("POST", "/api/callbacks", "bob", { number: "+1 415 555 0132", queue: "support", dueAt: later, assigneeId: id.bob })).body;

    expect((await api("POST", `/api/callbacks/${bobs.id}/dial`, "ann")).status).toBe(403);
    expect((await api("POST", `/api/callbacks/${mine.id}/dial`, "sue")).status).toBe(409); // no extension
    const r = await api("POST", `/api/callbacks/${mine.id}/dial`, "ann");
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body).toMatchObject({ id: mine.id, status: "dialing", offeredTo: "1001", attempts: 1 });
    // The PBX rings Ann's phone for it.
    await expectEventually(async () => expect((await api("GET", "/api/agents/states", "admin")).body.items.find((a: { agent: string }) => a.agent === "1001")?.state).toBe("ringing"), 10_000, 50);
    expect((await api("POST", `/api/callbacks/${mine.id}/dial`, "ann")).status).toBe(409);
    expect((await api("POST", "/api/callbacks/999999/dial", "ann")).status).toBe(404);
  });
});
