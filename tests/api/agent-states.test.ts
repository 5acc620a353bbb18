import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { consoleOn } from "../support/cluster.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";
import type { Pairs } from "../../server/pbx/sim/sim-events.js";

/** A console over Socket.IO (tests/support/cluster.ts), read by payload. */
async function consoleOf(s: TestServer, token: string) {
  const c = await consoleOn(s, token);
  return { ...c, of: (event: string) => c.of(event).map((g) => g.payload) };
}

/**
 * Agent states on the simulator over TCP, in the situations a real Asterisk 22 produced: phones
 * that report BUSY while ringing, the PBX out of reach, a PBX restart that drops every pause, and
 * the moment between a hang-up and the wrap-up pause.
 */
describe("agent states against the PBX (simulator over TCP, PGlite)", () => {
  let s: TestServer;
  const token: Record<string, string> = {};
  const sockets: Socket[] = [];
  const sim = () => s.app.telephony.sim!;
  const states = async () => (await s.api("GET", "/api/agents/states", { token: s.adminToken })).body;
  const stateOf = async (ext: string) => (await states()).items.find((a: { agent: string }) => a.agent === ext);
  const member = (queue: string, ext: string) => sim().pbx.members.get(queue)!.find((m) => m.iface === `PJSIP/${ext}`)!;

  beforeAll(async () => {
    s = await startTestServer({ env: { SIM_SPEED: "0.2", WRAPUP_SECONDS: "60" } });
    for (const [u, ext] of [["ann", "1001"], ["bob", "1002"], ["cid", "1003"]] as const) {
      await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role: "agent", extension: ext, displayName: u.toUpperCase() } });
      token[ext] = await s.login(u, `${u}-password`);
      sim().pbx.agent(ext)!.autoAnswer = false;
    }
    await expectEventually(async () => expect((await stateOf("1003"))?.state).toBe("available"));
  });
  afterAll(async () => {
    for (const x of sockets) x.close();
    await s?.close();
  });
  const open = async (ext: string) => {
    const c = await consoleOf(s, token[ext]!);
    sockets.push(c.socket);
    return c;
  };

  it("a phone that reports BUSY while it rings (device_state_busy_at = 1) shows ringing, then on a call", async () => {
    sim().pbx.config.deviceStateBusyAt = 1;
    try {
      const cid = await open("1001");
      const statuses: number[] = [];
      const watch = (p: Pairs) => {
        const f = Object.fromEntries(p);
        if (f.Event === "QueueMemberStatus" && f.Interface === "PJSIP/1001") statuses.push(Number(f.Status));
      };
      sim().pbx.on("event", watch);
      sim().pbx.inboundCall({ from: "+14155550123", did: "8005551000", talkSeconds: 100 });
      await expectEventually(() => expect(cid.of("agent:state").map((x) => x.state)).toContain("ringing"));
      expect(statuses.every((x) => x === 3)).toBe(true);
      expect(sim().pbx.answer("1001")).toBe(true);
      await expectEventually(() => expect(cid.of("agent:state").map((x) => x.state).at(-1)).toBe("on-call"));
      expect(sim().pbx.agentHangup("1001")).toBe(true);
      await expectEventually(() => expect(["wrap-up", "available"]).toContain(cid.of("agent:state").at(-1)?.state));
      sim().pbx.off("event", watch);
      expect(statuses).toContain(3);
      expect(statuses.every((x) => x === 3 || x === 1)).toBe(true);
      await s.api("POST", "/api/me/status", { token: token["1001"], body: { state: "available" } });
    } finally {
      sim().pbx.config.deviceStateBusyAt = 0;
    }
  });

  it("while the PBX is out of reach every agent is unknown, the consoles are told, and it all comes back", async () => {
    const ann = await open("1001");
    sim().faults.refuse = true;
    sim().dropConnections();
    await expectEventually(() => expect(ann.of("pbx:status").at(-1)).toMatchObject({ pbx: "main", reachable: false }));
    const during = await states();
    expect(during.pbx).toEqual([{ pbx: "main", reachable: false, since: expect.any(String) }]);
    expect(during.items.length).toBeGreaterThanOrEqual(3);
    for (const a of during.items) expect(a.state).toBe("unknown");
    expect(ann.of("agent:state").at(-1)).toMatchObject({ agent: "1001", state: "unknown" });
    const ws = (await s.api("GET", "/api/me/workspace", { token: token["1001"] })).body;
    expect(ws.status.state).toBe("unknown");
    expect(ws.pbx).toMatchObject({ pbx: "main", reachable: false });
    // A choice made now is kept, and applied when the PBX is back.
    const r = await s.api("POST", "/api/me/status", { token: token["1002"], body: { state: "paused", reason: "lunch" } });
    expect(r.status).toBe(503);
    expect(r.body.error.message).toMatch(/kept/);

    sim().faults.refuse = false;
    await expectEventually(() => expect(ann.of("pbx:status").at(-1)).toMatchObject({ pbx: "main", reachable: true }), 30_000);
    await expectEventually(() => expect(ann.of("agent:state").at(-1)).toMatchObject({ agent: "1001", state: "available" }), 30_000);
    await expectEventually(async () => expect(await stateOf("1002")).toMatchObject({ state: "paused", reason: "lunch" }), 30_000);
    expect(member("support", "1002")).toMatchObject({ paused: true, pausedReason: "lunch" });
    expect((await s.api("GET", "/api/me/workspace", { token: token["1001"] })).body.pbx).toMatchObject({ reachable: true });
  });

  it("after an Asterisk restart (pauses dropped, actions refused until FullyBooted) each agent's choice is put back", async () => {
    expect((await s.api("POST", "/api/me/status", { token: token["1002"], body: { state: "paused", reason: "lunch" } })).body).toMatchObject({ state: "paused", reason: "lunch" });
    expect((await s.api("POST", "/api/me/status", { token: token["1003"], body: { state: "logged-out" } })).body.state).toBe("logged-out");
    expect((await s.api("POST", "/api/me/status", { token: token["1001"], body: { state: "available" } })).body.state).toBe("available");
    const bob = await open("1002");
    const refused: string[] = [];
    const onAction = sim().onAction;
    sim().onAction = (action, session) => {
      onAction(action, session);
      if (sim().isBooting) refused.push(action);
    };
    await sim().restart(200, null);
    // Right after the restart the PBX holds no pause at all, and says nothing about it.
    expect(member("support", "1002")).toMatchObject({ paused: false, pausedReason: "" });
    // Logged in again before its modules are loaded: QueueStatus is refused, nothing is known yet.
    await expectEventually(() => expect(refused).toContain("queuestatus"), 30_000);
    expect(await stateOf("1002")).toMatchObject({ state: "unknown" });
    sim().finishBoot();
    await expectEventually(() => {
      expect(member("support", "1002")).toMatchObject({ paused: true, pausedReason: "lunch" });
      expect(member("sales", "1002")).toMatchObject({ paused: true, pausedReason: "lunch" });
      expect(member("sales", "1003")).toMatchObject({ paused: true, pausedReason: "logged-out" });
    }, 30_000);
    expect(member("support", "1001").paused).toBe(false);
    await expectEventually(async () => {
      expect(await stateOf("1002")).toMatchObject({ state: "paused", reason: "lunch" });
      expect(await stateOf("1003")).toMatchObject({ state: "logged-out" });
      expect(await stateOf("1001")).toMatchObject({ state: "available" });
    }, 30_000);
    // The console saw the PBX go, its agent unknown, then paused again as the PBX reports it.
    expect(bob.of("pbx:status").map((p) => p.reachable)).toEqual([false, true]);
    expect(bob.of("agent:state").map((x) => x.state)).toContain("unknown");
    expect(bob.of("agent:state").at(-1)).toMatchObject({ state: "paused", reason: "lunch" });
    sim().onAction = onAction;
    for (const ext of ["1002", "1003"]) await s.api("POST", "/api/me/status", { token: token[ext], body: { state: "available" } });
  });

  it("no call is offered between an agent's hang-up and the wrap-up pause: the queue's wrapuptime covers the round trip", async () => {
    // sales rings one member at a time (rrmemory); only 1001 is free.
    for (const ext of ["1002", "1003"]) await s.api("POST", "/api/me/status", { token: token[ext], body: { state: "paused", reason: "break" } });
    const sales = sim().pbx.config.queues.find((q) => q.name === "sales")!;
    sales.wrapupSeconds = 20;
    const ann = await open("1001");
    sim().pbx.inboundCall({ from: "+14155550123", did: "8005552000", talkSeconds: 100 });
    await expectEventually(() => expect(sim().pbx.answer("1001")).toBe(true));
    // The moment the agent's phone is free on the PBX, before the server has even read it, a new
    // caller arrives: app_queue decides whom to ring right now.
    const offered: string[] = [];
    let second = "";
    const onEvent = (p: Pairs) => {
      const f = Object.fromEntries(p);
      if (f.Event === "AgentCalled") offered.push(f.Interface!);
      if (f.Event === "QueueMemberStatus" && f.Interface === "PJSIP/1001" && f.Status === "1" && !second) second = sim().pbx.inboundCall({ from: "+14155550199", did: "8005552000", talkSeconds: 100 });
    };
    sim().pbx.on("event", onEvent);
    try {
      expect(sim().pbx.agentHangup("1001")).toBe(true);
      expect(second).not.toBe("");
      expect(offered).toEqual([]);
      await expectEventually(() => expect(ann.of("agent:state").at(-1)).toMatchObject({ state: "wrap-up" }));
      expect(member("sales", "1001")).toMatchObject({ paused: true, pausedReason: "after-call-work" });
      expect(offered).toEqual([]);
    } finally {
      sim().pbx.off("event", onEvent);
      sales.wrapupSeconds = 0;
      const caller = sim().pbx.liveChannels().find((c) => c.linkedid === second && c.uniqueid === second);
      if (caller) sim().pbx.hangupByChannel(caller.name);
    }
  });
});
