import crypto from "node:crypto";
import { io, type Socket } from "socket.io-client";
import { AmiSimulator } from "../server/pbx/sim/ami-simulator.js";
import { openDatabase } from "../server/platform/db/database.js";
import { generateClients } from "../server/demo/generate-clients.js";
import { clusterEnv, startNode, type NodeProcess } from "../tests/support/cluster.js";
import { freshPostgresDatabase } from "../tests/support/databases.js";
import { percentile } from "./lib/stats.js";

const now = () => performance.timeOrigin + performance.now();

async function holderOf(nodes: NodeProcess[]): Promise<NodeProcess | null> {
  for (const n of nodes) if ((await n.health().catch(() => null))?.lease === "holder") return n;
  return null;
}

export interface FailoverResult {
  kills: number;
  /** SIGKILL of the holder → the new holder's event link logged in at the PBX. */
  loginMs: number[];
  /** SIGKILL of the holder → the new holder's first action on that link (its resync: CoreShowChannels). */
  firstEventMs: number[];
}

/**
 * Failover: two server processes on one PostgreSQL and Redis, the simulator in this process. The
 * holder is killed with SIGKILL `kills` times (a fresh node joins after each kill, so two are always
 * up); measured from the kill to the moment the new holder's event link logs in at the PBX and to
 * its first action there (the resync that follows every connect, after which it handles events).
 */
export async function benchFailover(kills: number, log: (s: string) => void): Promise<FailoverResult> {
  const sim = new AmiSimulator({ secret: "clustersecret", badLoginDelayMs: 10 });
  await sim.listen(0);
  const db = await freshPostgresDatabase();
  const env = clusterEnv(db.url, sim.port);
  const nodes: NodeProcess[] = [];
  let killedAt = 0;
  let loginAt = 0;
  let resyncAt = 0;
  sim.onAction = (action, session) => {
    if (!session.eventsOn || killedAt === 0) return;
    if (action === "coreshowchannels" && resyncAt === 0) resyncAt = now();
  };
  const result: FailoverResult = { kills: 0, loginMs: [], firstEventMs: [] };
  try {
    nodes.push(await startNode("n0", env));
    nodes.push(await startNode("n1", env));
    for (let k = 0; k < kills; k++) {
      let holder: NodeProcess | null = null;
      while (!(holder = await holderOf(nodes))) await new Promise((r) => setTimeout(r, 50));
      const sessionsBefore = new Set(sim.sessions);
      loginAt = 0;
      resyncAt = 0;
      killedAt = now();
      await holder.kill();
      nodes.splice(nodes.indexOf(holder), 1);
      while (resyncAt === 0) {
        if (!loginAt) for (const s of sim.sessions) if (!sessionsBefore.has(s) && s.eventsOn && s.authenticated) loginAt = now();
        await new Promise((r) => setTimeout(r, 5));
      }
      if (!loginAt) loginAt = resyncAt;
      result.loginMs.push(loginAt - killedAt);
      result.firstEventMs.push(resyncAt - killedAt);
      result.kills++;
      killedAt = 0;
      log(`failover ${k + 1}/${kills}: ${result.firstEventMs.at(-1)!.toFixed(0)} ms`);
      nodes.push(await startNode(`n${k + 2}`, env));
    }
    return result;
  } finally {
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    await sim.close();
    await db.drop();
  }
}

export interface ClusterPopRow {
  nodes: number;
  pops: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Pop latency with one node and with two (consoles spread over both; only the holder pops, through
 * the Socket.IO Redis adapter to consoles on the other node), in the same run, same data, same load:
 * `agents` consoles, `callsPerSecond` inbound calls for `seconds` from known clients' numbers.
 */
export async function benchClusterPops(o: { agents: number; clients: number; callsPerSecond: number; seconds: number; log: (s: string) => void }): Promise<ClusterPopRow[]> {
  const rows: ClusterPopRow[] = [];
  for (const count of [1, 2]) {
    const agents = Array.from({ length: o.agents }, (_, i) => ({ ext: String(1001 + i), name: `Agent ${1001 + i}`, autoAnswer: true }));
    const sim = new AmiSimulator({
      secret: "clustersecret",
      badLoginDelayMs: 10,
      pbx: { agents, queues: [{ name: "support", strategy: "rrmemory", timeoutSeconds: 15, retrySeconds: 2, members: agents.map((a) => a.ext) }], dids: { "8005551000": "support" } },
    });
    await sim.listen(0);
    const db = await freshPostgresDatabase();
    const nodes: NodeProcess[] = [];
    const sockets: Socket[] = [];
    try {
      const d = await openDatabase({ url: db.url, dataDir: null });
      await generateClients(d, o.clients);
      await d.exec(`INSERT INTO users (username, display_name, password_hash, role, extension, updated_at)
        SELECT 'agent' || x, 'Agent ' || x, 'scrypt$disabled', 'agent', x::text, now() FROM generate_series(1001, ${1000 + o.agents}) AS x`);
      const ids = await d.query<{ id: number }>(`SELECT id FROM users ORDER BY id`);
      const tokens = ids.map(() => crypto.randomBytes(32).toString("base64url"));
      await d.exec(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ${ids.map(({ id }, i) => `('${crypto.createHash("sha256").update(tokens[i]!).digest("hex")}', ${id}, now() + interval '1 day')`).join(",")}`);
      const numbers = (await d.query<{ number: string }>(`SELECT number FROM phones WHERE number LIKE '+%' ORDER BY id LIMIT 500`)).map((r) => r.number);
      await d.close();
      const env = clusterEnv(db.url, sim.port);
      for (let i = 0; i < count; i++) nodes.push(await startNode(`pop${i}`, env));
      for (const n of nodes) while ((await n.health()).phoneIndex !== "ready") await new Promise((r) => setTimeout(r, 100));
      while (!(await holderOf(nodes))) await new Promise((r) => setTimeout(r, 50));
      const latencies: number[] = [];
      await Promise.all(
        tokens.map(
          (token, i) =>
            new Promise<void>((resolve, reject) => {
              const s = io(nodes[i % nodes.length]!.url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
              s.on("call:offer", (card: { state: string; timing: { amiAt: number } }) => {
                if (card.state === "ringing") latencies.push(now() - card.timing.amiAt);
              });
              s.once("connect", () => resolve());
              s.once("connect_error", reject);
              sockets.push(s);
            }),
        ),
      );
      o.log(`cluster pop: ${count} node(s), ${o.callsPerSecond} calls/s for ${o.seconds} s`);
      const total = o.callsPerSecond * o.seconds;
      const t0 = Date.now();
      for (let k = 0; k < total; k++) {
        const wait = t0 + (k * 1000) / o.callsPerSecond - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sim.pbx.inboundCall({ from: numbers[k % numbers.length]!, talkSeconds: 2 });
      }
      await new Promise((r) => setTimeout(r, 3000));
      rows.push({ nodes: count, pops: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies) });
    } finally {
      for (const s of sockets) s.close();
      await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
      await sim.close();
      await db.drop();
    }
  }
  return rows;
}

export const failoverFigures = (r: FailoverResult) => ({
  loginP50: percentile(r.loginMs, 50),
  loginP99: percentile(r.loginMs, 99),
  firstP50: percentile(r.firstEventMs, 50),
  firstP99: percentile(r.firstEventMs, 99),
  firstMax: Math.max(...r.firstEventMs),
});
