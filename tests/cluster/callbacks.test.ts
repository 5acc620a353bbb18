import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { freshPostgresDatabase } from "../support/databases.js";
import { expectEventually } from "../support/eventually.js";
import { adminPassword } from "../support/test-server.js";
import { clusterEnv, clusterSimulator, isAlive, leaseHolder, login, startNode, type NodeProcess, sqlOn } from "../support/cluster.js";

/** Every hour of every day: the tests must not depend on when they run. */
const always = { minAbandonSeconds: 1, timezone: "UTC", hours: null, holidays: [], callWindow: ["00:00", "24:00"], maxAttempts: 2, targetMinutes: 60 };
const agents = ["1001", "1002", "1003", "1004"];

/**
 * Callbacks on two server processes sharing PostgreSQL, Redis and the PBX (the simulator over
 * TCP, in this process): every Originate the PBX receives is counted with the CRM_CALLBACK_ID it
 * carries. Many callbacks due at once, with the agents accepting on the node that does not hold
 * the PBX while the holder's autodial fires: each is dialled once. The holder restarted and the
 * Redis keys flushed between scheduling and due time: the callback is dialled exactly once.
 */
describe("callbacks on two nodes", () => {
  let sim: AmiSimulator;
  let db: { url: string; drop: () => Promise<void> };
  let env: Record<string, string>;
  const nodes: NodeProcess[] = [];
  let adminToken: string;
  const agentToken = new Map<string, Map<NodeProcess, string>>();
  /** CRM_CALLBACK_ID of every Originate the PBX received. */
  const dialled: string[] = [];
  const sql = (q: string, params: unknown[] = []) => sqlOn(db.url, q, params);
  const timesDialled = (id: number) => dialled.filter((d) => d === String(id)).length;

  beforeAll(async () => {
    sim = clusterSimulator({ speed: 0.05, agents, autoAnswer: true, strategy: "rrmemory" });
    sim.onAction = (action, _session, m) => {
      if (action !== "originate") return;
      const id = /(?:^|\n)CRM_CALLBACK_ID=(\d+)/.exec(m?.variable ?? "");
      if (id) dialled.push(id[1]!);
    };
    await sim.listen(0);
    db = await freshPostgresDatabase();
    // The agent has one second to accept before the callback dials by itself.
    env = clusterEnv(db.url, sim.port, { CALLBACK_AUTODIAL_SECONDS: "1" });
    nodes.push(await startNode("a", env));
    nodes.push(await startNode("b", env));
    adminToken = await login(nodes[0]!, "admin", adminPassword);
    for (const ext of agents) {
      const r = await nodes[0]!.api("POST", "/api/users", { token: adminToken, body: { username: `a${ext}`, password: `pw-${ext}-secret`, role: "agent", extension: ext, displayName: `Agent ${ext}` } });
      expect(r.status).toBe(201);
    }
    for (const ext of agents) agentToken.set(ext, new Map(await Promise.all(nodes.map(async (n) => [n, await login(n, `a${ext}`, `pw-${ext}-secret`)] as const))));
    expect((await nodes[0]!.api("PUT", "/api/callbacks/settings/support", { token: adminToken, body: always })).status).toBe(200);
    await expectEventually(async () => void (await leaseHolder(nodes)), 15_000);
    // Every node sees every agent available (the holder dispatches only to those).
    for (const n of nodes)
      await expectEventually(async () => {
        const items = (await n.api("GET", "/api/agents/states", { token: adminToken })).body.items as { agent: string; state: string }[];
        expect(items.filter((a) => agents.includes(a.agent) && a.state === "available")).toHaveLength(agents.length);
      }, 15_000);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    await sim?.close();
    await db?.drop();
  });

  it("many callbacks due at once, accepted on the other node while the holder's autodial runs: each dialled exactly once, all reached", async () => {
    const h = await leaseHolder(nodes);
    const other = nodes.filter(isAlive).find((n) => n !== h)!;
    const count = 24;
    const dueAt = new Date(Date.now() + 3000).toISOString();
    // Created half through each node.
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const r = await nodes[i % 2]!.api("POST", "/api/callbacks", { token: adminToken, body: { number: `+1415555${String(100 + i).padStart(4, "0")}`, queue: "support", dueAt } });
      expect(r.status).toBe(201);
      ids.push(r.body.id as number);
    }
    // Each agent accepts whatever is offered to them, on the node that does not hold the PBX,
    // racing the holder's autodial (one second): one of the two wins, the other gets 409.
    const accepted = new Map<number, number>();
    let done = false;
    const acceptor = (async () => {
      while (!done) {
        const offered = (await sql("SELECT id, offered_to FROM callbacks WHERE status = 'offered'")) as { id: number; offered_to: string }[];
        await Promise.all(
          offered.map(async (o) => {
            const r = await other.api("POST", `/api/callbacks/${o.id}/accept`, { token: agentToken.get(o.offered_to)!.get(other)! });
            accepted.set(r.status, (accepted.get(r.status) ?? 0) + 1);
          }),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await expectEventually(async () => {
        const rows = (await sql("SELECT status, outcome FROM callbacks WHERE id = ANY($1::int[])", [ids])) as { status: string; outcome: string }[];
        expect(rows.filter((r) => r.status === "done" && r.outcome === "reached")).toHaveLength(count);
      }, 90_000, 200);
    } finally {
      done = true;
      await acceptor;
    }
    for (const id of ids) expect(timesDialled(id), `callback ${id}`).toBe(1);
    expect(dialled.filter((d) => ids.includes(Number(d)))).toHaveLength(count);
    // Both routes dialled some (the race was real), and every call is linked to its callback.
    expect(accepted.get(202) ?? 0).toBeGreaterThan(0);
    const attempts = (await sql("SELECT attempts, jsonb_array_length(call_ids) AS calls FROM callbacks WHERE id = ANY($1::int[])", [ids])) as { attempts: number; calls: number }[];
    expect(attempts.every((a) => a.attempts === 1 && a.calls === 1)).toBe(true);
  }, 120_000);

  it("the holder restarted and Redis flushed between scheduling and due time: dialled exactly once", async () => {
    const old = await leaseHolder(nodes);
    const dueAt = new Date(Date.now() + 8000);
    const r = await old.api("POST", "/api/callbacks", { token: adminToken, body: { number: "+14155550150", queue: "support", dueAt: dueAt.toISOString() } });
    expect(r.status).toBe(201);
    const id = r.body.id as number;
    // Its wake-up job is in Redis: the restart and the flush take it away.
    await old.stop();
    nodes.splice(nodes.indexOf(old), 1);
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      let flushed = 0;
      for (let cursor = "0"; ; ) {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${env.REDIS_PREFIX}:*`, "COUNT", 500);
        if (keys.length) flushed += await redis.del(...keys);
        cursor = next;
        if (cursor === "0") break;
      }
      expect(flushed).toBeGreaterThan(0);
    } finally {
      redis.disconnect();
    }
    // Still before the due time: the flush happened between scheduling and due time.
    expect(Date.now()).toBeLessThan(dueAt.getTime());
    expect(timesDialled(id)).toBe(0);
    nodes.push(await startNode("a2", env));
    await expectEventually(async () => {
      const [row] = (await sql("SELECT status, outcome, attempts FROM callbacks WHERE id = $1", [id])) as { status: string; outcome: string; attempts: number }[];
      expect(row).toEqual({ status: "done", outcome: "reached", attempts: 1 });
    }, 60_000, 200);
    expect(timesDialled(id)).toBe(1);
    // Not before its time.
    const [row] = (await sql("SELECT dialing_at FROM callbacks WHERE id = $1", [id])) as { dialing_at: Date }[];
    expect(new Date(row!.dialing_at).getTime()).toBeGreaterThanOrEqual(dueAt.getTime() - 1000);
  }, 120_000);
});
