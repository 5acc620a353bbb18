import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import type { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { freshPostgresDatabase } from "../support/databases.js";
import { expectEventually } from "../support/eventually.js";
import { adminPassword } from "../support/test-server.js";
import { clusterDid, clusterEnv, clusterSimulator, consoleOn, leaseHolder, login, startNode, type NodeProcess } from "../support/cluster.js";

const agents = ["1001", "1002"];

/**
 * The wallboard on two server processes sharing PostgreSQL, Redis and the PBX (the simulator over
 * TCP, in this process): a supervisor connected to the node that does not hold the PBX gets the
 * holder's pushes, and both nodes answer GET /api/wallboard with the same callers and agents; a
 * spy requested on the other node reaches the PBX once, with the mode remembered across nodes.
 */
describe("wallboard on two nodes", () => {
  let sim: AmiSimulator;
  let db: { url: string; drop: () => Promise<void> };
  const nodes: NodeProcess[] = [];
  const sockets: Socket[] = [];
  let adminToken: string;
  const spies: string[] = [];
  const supToken = new Map<NodeProcess, string>();

  beforeAll(async () => {
    sim = clusterSimulator({ speed: 0.2, agents, autoAnswer: false, strategy: "ringall", extraAgents: [{ ext: "1010", name: "Sup", autoAnswer: true }] });
    sim.onAction = (action, _session, m) => {
      if (action === "originate" && m?.application === "ChanSpy") spies.push(String(m.data));
    };
    await sim.listen(0);
    db = await freshPostgresDatabase();
    const env = clusterEnv(db.url, sim.port, { SIM_SPEED: "0.2" });
    nodes.push(await startNode("a", env));
    nodes.push(await startNode("b", env));
    adminToken = await login(nodes[0]!, "admin", adminPassword);
    const sup = await nodes[0]!.api("POST", "/api/users", { token: adminToken, body: { username: "sam", password: "sam-secret-pw", role: "supervisor", extension: "1010", displayName: "Sam" } });
    expect(sup.status).toBe(201);
    await nodes[0]!.api("PUT", `/api/users/${sup.body.id}/queues`, { token: adminToken, body: { queues: ["support"] } });
    for (const n of nodes) supToken.set(n, await login(n, "sam", "sam-secret-pw"));
    await expectEventually(async () => void (await leaseHolder(nodes)), 15_000);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    await sim?.close();
    await db?.drop();
  });

  it("a supervisor on the other node gets the holder's pushes; both nodes show the same board", async () => {
    const h = await leaseHolder(nodes);
    const other = nodes.find((n) => n !== h)!;
    const c = await consoleOn(other, supToken.get(other)!);
    sockets.push(c.socket);
    const callId = sim.pbx.inboundCall({ from: "+14155550123", did: clusterDid, talkSeconds: 600 });
    await expectEventually(() => expect(c.of("wallboard:update").some((u) => u.payload.queues.some((q: { waiting: { callId: string }[] }) => q.waiting.some((w) => w.callId === callId)))).toBe(true), 15_000);
    for (const n of nodes)
      await expectEventually(async () => {
        const b = (await n.api("GET", "/api/wallboard", { token: supToken.get(n) })).body;
        expect(b.queues.find((q: { name: string }) => q.name === "support").waiting.map((w: { callId: string }) => w.callId)).toEqual([callId]);
      }, 15_000);
    expect(sim.pbx.answer("1001")).toBe(true);
    for (const n of nodes)
      await expectEventually(async () => {
        const b = (await n.api("GET", "/api/wallboard", { token: supToken.get(n) })).body;
        expect(b.agents.find((a: { agent: string }) => a.agent === "1001")).toMatchObject({ state: "on-call", call: { callId } });
        // Both nodes say the same version: the holder's last push.
        expect(b.source).toBe((await h.health()).node);
      }, 15_000);
  });

  it("listening, asked on the node without the PBX, is originated once and shown with its mode on both nodes", async () => {
    const h = await leaseHolder(nodes);
    const other = nodes.find((n) => n !== h)!;
    const r = await other.api("POST", "/api/supervisor/spy", { token: supToken.get(other), body: { agent: "1001", mode: "barge" } });
    expect(r.status).toBe(202);
    for (const n of nodes)
      await expectEventually(async () => {
        const b = (await n.api("GET", "/api/wallboard", { token: supToken.get(n) })).body;
        expect(b.agents.find((a: { agent: string }) => a.agent === "1001").call.spy).toEqual({ mode: "barge", supervisor: "Sam" });
      }, 15_000);
    expect(spies).toEqual(["PJSIP/1001,qEB"]);
  });
});
