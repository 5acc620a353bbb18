import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";
import { consoleOn, type NodeProcess } from "../support/cluster.js";

/**
 * Two PBXs in AMI_URL (east and west, each a simulator over TCP, each with its own agent): each is
 * followed, leased and journaled on its own; calls carry their PBX; a pop reaches the agent of the
 * PBX that rang; an agent's status goes to the PBX their phone is on.
 */
describe("several PBXs", () => {
  let s: TestServer;
  const sims: Record<"east" | "west", AmiSimulator> = {} as never;
  beforeAll(async () => {
    for (const [name, ext] of [["east", "1001"], ["west", "1002"]] as const) {
      const sim = new AmiSimulator({
        secret: "pbxsecret",
        badLoginDelayMs: 10,
        pbx: { systemName: name, speed: 0.05, agents: [{ ext, name: `Agent ${ext}`, autoAnswer: false }], queues: [{ name: "support", strategy: "ringall", timeoutSeconds: 15, retrySeconds: 2, members: [ext] }] },
      });
      await sim.listen(0);
      sims[name] = sim;
    }
    s = await startTestServer({ db: "postgres", env: { AMI_URL: `east=ami://crm:pbxsecret@127.0.0.1:${sims.east.port},west=ami://crm:pbxsecret@127.0.0.1:${sims.west.port}`, WRAPUP_SECONDS: "0" } });
    for (const [u, ext] of [["ann", "1001"], ["bob", "1002"]] as const)
      await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role: "agent", extension: ext, displayName: u } });
    await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace Hopper", phones: ["+1 415 555 0123"] } });
  });
  afterAll(async () => {
    await s?.close();
    await Promise.all(Object.values(sims).map((x) => x.close()));
  });

  it("follows each PBX under its own lease, and says so in health", async () => {
    await expectEventually(async () => {
      const h = (await s.api("GET", "/api/health")).body;
      expect(h.pbx).toEqual([
        expect.objectContaining({ name: "east", kind: "asterisk", ami: "connected", lease: "holder" }),
        expect.objectContaining({ name: "west", kind: "asterisk", ami: "connected", lease: "holder" }),
      ]);
      expect(h).toMatchObject({ ami: "connected", lease: "holder" });
    }, 15_000);
  });

  it("pops on the agent of the PBX that rings, journals each call with its PBX, and sends status to the agent's PBX", async () => {
    const node = { url: s.url } as NodeProcess;
    const ann = await consoleOn(node, await s.login("ann", "ann-password"));
    const bob = await consoleOn(node, await s.login("bob", "bob-password"));
    try {
      const eastCall = sims.east.pbx.inboundCall({ from: "+14155550123", talkSeconds: 1 });
      const westCall = sims.west.pbx.inboundCall({ from: "+14155550123", talkSeconds: 1 });
      await expectEventually(() => {
        expect(ann.of("call:offer").map((o) => o.payload.callId)).toEqual([eastCall]);
        expect(bob.of("call:offer").map((o) => o.payload.callId)).toEqual([westCall]);
      }, 15_000);
      expect(ann.of("call:offer")[0]!.payload.client).toMatchObject({ name: "Grace Hopper" });
      const live = (await s.api("GET", "/api/calls/live", { token: s.adminToken })).body.items;
      expect(live.map((c: { linkedid: string; pbx: string }) => [c.linkedid, c.pbx]).sort()).toEqual([[eastCall, "east"], [westCall, "west"]].sort());
      expect(sims.east.pbx.answer("1001")).toBe(true);
      expect(sims.west.pbx.answer("1002")).toBe(true);
      await expectEventually(async () => {
        const rows = (await s.api("GET", "/api/calls?limit=50", { token: s.adminToken })).body.items;
        expect(rows.map((r: { linkedid: string; pbx: string; outcome: string }) => [r.linkedid, r.pbx, r.outcome]).sort()).toEqual([[eastCall, "east", "answered"], [westCall, "west", "answered"]].sort());
      }, 15_000);
      // Bob's phone is on the west PBX: his pause is carried out there, not on east.
      const bobToken = await s.login("bob", "bob-password");
      const r = await s.api("POST", "/api/me/status", { token: bobToken, body: { state: "paused", reason: "lunch" } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ state: "paused", reason: "lunch" });
      expect(sims.west.pbx.members.get("support")![0]).toMatchObject({ paused: true, pausedReason: "lunch" });
      const states = (await s.api("GET", "/api/agents/states", { token: s.adminToken })).body.items;
      expect(states.find((x: { agent: string }) => x.agent === "1002")).toMatchObject({ pbx: "west", state: "paused" });
    } finally {
      ann.socket.close();
      bob.socket.close();
    }
  });
});
