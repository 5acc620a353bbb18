import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { freshPostgresDatabase } from "../support/databases.js";
import { expectEventually } from "../support/eventually.js";
import { adminPassword } from "../support/test-server.js";
import { clusterEnv, consoleOn, login, startNode, type NodeProcess, sqlOn } from "../support/cluster.js";

/**
 * Three server processes on one PostgreSQL, one Redis prefix and one PBX (the simulator over TCP):
 * exactly one consumes the PBX; a ring pops once on the ringing agent's console whichever node it
 * is connected to; every call is journaled once; killing the holder with SIGKILL during live calls
 * hands the PBX to another node, which still follows the live calls and journals once, with the
 * right outcome, the calls that ended meanwhile; a console that moves to another node gets its call.
 */
describe("three nodes, one PBX", () => {
  let sim: AmiSimulator;
  let db: { url: string; drop: () => Promise<void> };
  let env: Record<string, string>;
  const nodes: NodeProcess[] = [];
  let adminToken: string;
  const sql = (q: string, params: unknown[] = []) => sqlOn(db.url, q, params);
  const holders = async () => {
    const hs = await Promise.all(nodes.filter((n) => n.child.exitCode === null && n.child.signalCode === null).map(async (n) => ({ n, h: await n.health() })));
    return hs.filter((x) => x.h.lease === "holder").map((x) => x.n);
  };
  const journalRows = (linkedid: string) => sql("SELECT outcome, agent_extension, ended_while_disconnected FROM calls WHERE linkedid = $1", [linkedid]);

  beforeAll(async () => {
    sim = new AmiSimulator({
      secret: "clustersecret",
      badLoginDelayMs: 10,
      pbx: { speed: 0.05, agents: [{ ext: "1001", name: "Ann", autoAnswer: false }, { ext: "1002", name: "Bob", autoAnswer: false }] },
    });
    await sim.listen(0);
    db = await freshPostgresDatabase();
    env = clusterEnv(db.url, sim.port);
    // The first node migrates the empty database and creates the admin; the others join it.
    nodes.push(await startNode("a", env));
    nodes.push(...(await Promise.all([startNode("b", env), startNode("c", env)])));
    adminToken = await login(nodes[0]!, "admin", adminPassword);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    await sim?.close();
    await db?.drop();
  });

  it("elects exactly one holder of the PBX; every node reaches the PBX for actions", async () => {
    await expectEventually(async () => expect(await holders()).toHaveLength(1), 15_000);
    for (const n of nodes) await expectEventually(async () => expect((await n.health()).ami).toBe("connected"), 15_000);
    const [holder] = await holders();
    const h = await holder!.health();
    expect(h.pbx).toEqual([expect.objectContaining({ name: "main", lease: "holder", ami: "connected" })]);
    const fence = await sql("SELECT fence::int AS fence, node FROM pbx_fences WHERE pbx = 'main'");
    expect(fence).toEqual([{ fence: expect.any(Number), node: h.node }]);
  });

  it("while the holder cannot reach the PBX, every node says every agent is unknown and the PBX unreachable; then the same states again", async () => {
    const states = (n: NodeProcess) => n.api("GET", "/api/agents/states", { token: adminToken }).then((r) => r.body);
    const stateList = (b: { items: { agent: string; state: string }[] }) => b.items.map((a) => `${a.agent}:${a.state}`).sort();
    let before: string[] = [];
    await expectEventually(async () => {
      before = stateList(await states(nodes[0]!));
      expect(before).toContain("1001:available");
    }, 15_000);
    for (const n of nodes) await expectEventually(async () => expect(stateList(await states(n))).toEqual(before), 15_000);
    sim.faults.refuse = true;
    sim.dropConnections();
    try {
      for (const n of nodes)
        await expectEventually(async () => {
          const b = await states(n);
          expect(b.pbx).toEqual([{ pbx: "main", reachable: false, since: expect.any(String) }]);
          expect(stateList(b)).toEqual(before.map((x) => `${x.split(":")[0]}:unknown`));
        }, 15_000);
    } finally {
      sim.faults.refuse = false;
    }
    for (const n of nodes)
      await expectEventually(async () => {
        const b = await states(n);
        expect(b.pbx[0].reachable).toBe(true);
        expect(stateList(b)).toEqual(before);
      }, 30_000);
  });

  it("pops once on the ringing agent's console whichever node it is on, also for an agent created after every node started", async () => {
    const [holder] = await holders();
    const others = nodes.filter((n) => n !== holder);
    // Created through a node that is not the holder, after every node started: the holder learns of them.
    for (const [u, ext] of [["ann", "1001"], ["bob", "1002"]] as const) {
      const r = await others[0]!.api("POST", "/api/users", { token: adminToken, body: { username: u, password: `${u}-password`, role: "agent", extension: ext, displayName: u } });
      expect(r.status).toBe(201);
    }
    await others[0]!.api("POST", "/api/clients", { token: adminToken, body: { name: "Grace Hopper", phones: ["+1 415 555 0123"] } });
    // Ann's console on a standby node, Bob's on the holder.
    const ann = await consoleOn(others[1]!, await login(others[1]!, "ann", "ann-password"));
    const bob = await consoleOn(holder!, await login(holder!, "bob", "bob-password"));
    try {
      const callId = sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 1 });
      await expectEventually(() => {
        expect(ann.of("call:offer").filter((o) => o.payload.callId === callId)).toHaveLength(1);
        expect(bob.of("call:offer").filter((o) => o.payload.callId === callId)).toHaveLength(1);
      }, 15_000);
      expect(ann.of("call:offer")[0]!.payload.client).toMatchObject({ name: "Grace Hopper" });
      // Every node sees the same live call.
      for (const n of nodes) await expectEventually(async () => expect((await n.api("GET", "/api/calls/live", { token: adminToken })).body.items.map((c: { linkedid: string }) => c.linkedid)).toContain(callId), 10_000);
      expect(sim.pbx.answer("1001")).toBe(true);
      await expectEventually(async () => expect(await journalRows(callId)).toEqual([{ outcome: "answered", agent_extension: "1001", ended_while_disconnected: false }]), 15_000);
      // Still exactly one card each, and the ring ended on Bob's console once.
      expect(ann.of("call:offer").filter((o) => o.payload.callId === callId)).toHaveLength(1);
      expect(bob.of("call:withdrawn").filter((o) => o.payload.callId === callId)).toHaveLength(1);
    } finally {
      ann.socket.close();
      bob.socket.close();
    }
  }, 60_000);

  it("survives SIGKILL of the holder during live calls: another node takes over, follows them, journals each call once", async () => {
    const [holder] = await holders();
    const standby = nodes.find((n) => n !== holder)!;
    const annToken = await login(standby, "ann", "ann-password");
    const live = sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 100_000 });
    const endsDuringGap = sim.pbx.inboundCall({ from: "+14155550199", talkSeconds: 100_000 });
    await expectEventually(() => {
      expect(sim.pbx.answer("1001")).toBe(true);
    }, 10_000);
    // Ann talks on `live`; the other caller waits in the queue (Bob does not answer).
    await expectEventually(async () => {
      const ws = (await standby.api("GET", "/api/me/workspace", { token: annToken })).body;
      expect(ws.calls.map((c: { callId: string; state: string }) => [c.callId, c.state])).toContainEqual([live, "talking"]);
    }, 10_000);

    await holder!.kill();
    nodes.splice(nodes.indexOf(holder!), 1);
    // While nobody holds the PBX, the waiting caller gives up.
    sim.pbx.hangupByChannel(sim.pbx.liveChannels().find((c) => c.linkedid === endsDuringGap && c.uniqueid === endsDuringGap)!.name);
    await expectEventually(async () => expect(await holders()).toHaveLength(1), 15_000);

    // The call that ended while nobody consumed the PBX: journaled once, as abandoned.
    await expectEventually(async () => expect(await journalRows(endsDuringGap)).toEqual([{ outcome: "abandoned", agent_extension: null, ended_while_disconnected: true }]), 15_000);
    // The live call is still followed: on every node, and Ann's console (on a surviving node) gets it back.
    for (const n of nodes) expect((await n.api("GET", "/api/calls/live", { token: adminToken })).body.items.map((c: { linkedid: string }) => c.linkedid)).toContain(live);
    const other = nodes.find((n) => n !== standby)!;
    const moved = await login(other, "ann", "ann-password");
    expect((await other.api("GET", "/api/me/workspace", { token: moved })).body.calls.map((c: { callId: string }) => c.callId)).toContain(live);
    // It ends under the new holder: one row, answered by Ann.
    expect(sim.pbx.agentHangup("1001")).toBe(true);
    await expectEventually(async () => expect(await journalRows(live)).toEqual([{ outcome: "answered", agent_extension: "1001", ended_while_disconnected: false }]), 15_000);
    const fences = await sql("SELECT fence::int AS fence FROM pbx_fences");
    expect(fences[0]!.fence).toBeGreaterThan(1);
  }, 90_000);
});
