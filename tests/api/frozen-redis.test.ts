import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgresDatabase } from "../support/databases.js";
import { adminPassword } from "../support/test-server.js";
import { clusterEnv, redisProxy, startNode, type NodeProcess } from "../support/cluster.js";

/**
 * A Redis that hangs (accepts, answers nothing) rather than refusing: its connection still looks
 * ready, so the login limits wait for it only so long, then count in memory, and people can log in.
 * The server runs as its own process (killed at the end: a graceful stop would wait on Redis).
 */
describe("logins while Redis hangs", () => {
  let node: NodeProcess;
  let db: { url: string; drop: () => Promise<void> };
  let proxy: Awaited<ReturnType<typeof redisProxy>>;
  beforeAll(async () => {
    proxy = await redisProxy();
    db = await freshPostgresDatabase();
    node = await startNode("frozen", { ...clusterEnv(db.url, 0), AMI_URL: "sim", SIM_CALLS_PER_MINUTE: "0", REDIS_URL: proxy.url });
  });
  afterAll(async () => {
    await node?.kill();
    await proxy?.close();
    await db?.drop();
  });

  it("logs in, and still refuses a wrong password, with Redis frozen", async () => {
    proxy.freeze();
    const ok = await node.api("POST", "/api/auth/login", { body: { username: "admin", password: adminPassword } });
    expect(ok.status).toBe(200);
    const bad = await node.api("POST", "/api/auth/login", { body: { username: "admin", password: "wrong-password" } });
    expect(bad.status).toBe(401);
  });
});
