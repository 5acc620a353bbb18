import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { freshPostgresDatabase } from "../support/databases.js";
import { expectEventually } from "../support/eventually.js";
import { adminPassword } from "../support/test-server.js";
import { clusterEnv, login, redisProxy, startNode, type NodeProcess, sqlOn } from "../support/cluster.js";

/**
 * The holder cut off from Redis (its link to Redis goes through a proxy the test cuts): it stops
 * consuming the PBX before its lease can have expired, the other node takes over, and the calls
 * go on being journaled once, by the new holder.
 */
describe("a holder cut off from Redis", () => {
  let sim: AmiSimulator;
  let db: { url: string; drop: () => Promise<void> };
  let proxy: Awaited<ReturnType<typeof redisProxy>>;
  let cutOff: NodeProcess;
  let other: NodeProcess;
  const sql = (q: string, params: unknown[] = []) => sqlOn(db.url, q, params);

  beforeAll(async () => {
    sim = new AmiSimulator({ secret: "clustersecret", badLoginDelayMs: 10, pbx: { speed: 0.05, agents: [{ ext: "1001", name: "Ann", autoAnswer: false }] } });
    await sim.listen(0);
    db = await freshPostgresDatabase();
    proxy = await redisProxy();
    const env = clusterEnv(db.url, sim.port);
    cutOff = await startNode("cut", { ...env, REDIS_URL: proxy.url });
    await expectEventually(async () => expect((await cutOff.health()).lease).toBe("holder"), 15_000);
    other = await startNode("other", env);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([cutOff, other].map((n) => n?.stop().catch(() => {})));
    await proxy?.close();
    await sim?.close();
    await db?.drop();
  });

  it("steps down, the other node takes over and bumps the fence, and calls are journaled once", async () => {
    const token = await login(other, "admin", adminPassword);
    await other.api("POST", "/api/users", { token, body: { username: "ann", password: "ann-password", role: "agent", extension: "1001", displayName: "Ann" } });
    const before = await sql("SELECT fence::int AS fence, node FROM pbx_fences");
    expect(before[0]!.node).toBe((await cutOff.health()).node);

    proxy.cut();
    await expectEventually(async () => expect((await cutOff.health()).lease).toBe("standby"), 15_000);
    await expectEventually(async () => expect((await other.health()).lease).toBe("holder"), 15_000);
    const after = await sql("SELECT fence::int AS fence, node FROM pbx_fences");
    expect(after[0]!.fence).toBeGreaterThan(before[0]!.fence);
    expect(after[0]!.node).toBe((await other.health()).node);

    const callId = sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 1 });
    await expectEventually(() => expect(sim.pbx.answer("1001")).toBe(true), 10_000);
    await expectEventually(async () => expect(await sql("SELECT outcome FROM calls WHERE linkedid = $1", [callId])).toEqual([{ outcome: "answered" }]), 15_000);
    // Back on Redis, the node stays a standby: the lease is the other node's now.
    proxy.restore();
    await expectEventually(async () => expect((await cutOff.health()).redis).toBe("ok"), 15_000);
    expect((await cutOff.health()).lease).toBe("standby");
    expect((await other.health()).lease).toBe("holder");
  }, 90_000);
});
