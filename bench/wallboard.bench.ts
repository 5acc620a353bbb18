import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { openDatabase } from "../server/platform/db/database.js";
import { AmiSimulator } from "../server/pbx/sim/ami-simulator.js";
import type { Pairs } from "../server/pbx/sim/sim-events.js";
import { percentile } from "./lib/stats.js";

export interface WallboardBenchResult {
  database: "pglite" | "postgres";
  agents: number;
  queues: number;
  callsPerSecond: number;
  seconds: number;
  calls: number;
  /** Calls seen on the board (waiting or on an agent), of those placed. */
  seen: number;
  /** Share of one core the server used during the load. */
  cpuShare: number;
  /** wallboard:update frames a second at one viewer, and queue entries a second in them. */
  updatesPerSecond: number;
  queueUpdatesPerSecond: number;
  /** The shortest time between two updates of the same queue at the viewer, ms. */
  minQueueGapMs: number;
  /** From the QueueCallerJoin frame leaving the PBX to the first board frame showing the call, ms. */
  stalenessP50: number;
  stalenessP99: number;
  stalenessMax: number;
  rssMb: number;
}

const now = () => performance.timeOrigin + performance.now();
const ticks = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
};
const clk = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/**
 * The wallboard under load: the server in its own process, the AMI simulator in this one (so the
 * AMI frame's time and the board frame's arrival are read on one clock), `agents` agents in
 * `queues` queues, `callsPerSecond` inbound calls spread over the queues, and one manager's console
 * watching every queue over Socket.IO.
 */
export async function benchWallboard(o: { database: "pglite" | "postgres"; agents: number; queues: number; callsPerSecond: number; seconds: number; pgAdminUrl: string; log: (s: string) => void }): Promise<WallboardBenchResult> {
  const perQueue = Math.ceil(o.agents / o.queues);
  const agents = Array.from({ length: o.agents }, (_, i) => ({ ext: String(1001 + i), name: `Agent ${1001 + i}`, autoAnswer: true }));
  const queues = Array.from({ length: o.queues }, (_, q) => ({
    name: `q${String(q + 1).padStart(2, "0")}`,
    strategy: "rrmemory" as const,
    timeoutSeconds: 15,
    retrySeconds: 2,
    members: agents.slice(q * perQueue, (q + 1) * perQueue).map((a) => a.ext),
  }));
  const dids = Object.fromEntries(queues.map((q, i) => [`80055${String(10000 + i)}`, q.name]));
  const sim = new AmiSimulator({ secret: "bench-secret", pbx: { agents, queues, dids, ringSeconds: 1, talkSeconds: 4, speed: 1, mixMonitor: false, recordAudio: false } });
  const amiPort = await sim.listen(0, "127.0.0.1");

  const name = `crm_wb_${crypto.randomBytes(4).toString("hex")}`;
  const onPg = o.database === "postgres";
  const url = new URL(o.pgAdminUrl);
  url.pathname = `/${name}`;
  if (onPg) {
    const admin = new pg.Client({ connectionString: o.pgAdminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-wb-"));
  let child: ReturnType<typeof spawn> | null = null;
  let socket: Socket | null = null;
  try {
    const db = await openDatabase(onPg ? { url: url.toString(), dataDir: null } : { url: null, dataDir: path.join(dataDir, "pgdata") });
    const token = crypto.randomBytes(32).toString("base64url");
    const [{ id }] = (await db.query<{ id: number }>(
      `INSERT INTO users (username, display_name, password_hash, role, updated_at) VALUES ('boss', 'Boss', 'scrypt$disabled', 'manager', now()) RETURNING id`,
    )) as [{ id: number }];
    await db.query(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [crypto.createHash("sha256").update(token).digest("hex"), id]);
    await db.close();

    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { DATABASE_URL: _inherited, ...env } = process.env;
    child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      env: {
        ...env, ...(onPg ? { DATABASE_URL: url.toString() } : {}), PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn",
        REDIS_PREFIX: `crmwb${process.pid}`, AMI_URL: `ami://${sim.username}:${sim.secret}@127.0.0.1:${amiPort}`, WRAPUP_SECONDS: "0",
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      // The node must hold the PBX's lease (it reads the events and pushes), not only have its actions link up.
      const h = await fetch(`${base}/api/health`).then((r) => r.json() as Promise<{ ami?: string; lease?: string }>, () => null);
      if (h?.ami === "connected" && h.lease === "holder") break;
      if (i > 600) throw new Error("server did not come up");
      await new Promise((r) => setTimeout(r, 200));
    }

    // When each call's QueueCallerJoin left the PBX, and when the board first showed the call.
    const joinedAt = new Map<string, number>();
    const shownAt = new Map<string, number>();
    sim.pbx.on("event", (p: Pairs) => {
      if (p[0]?.[1] !== "QueueCallerJoin") return;
      const linkedid = p.find(([k]) => k === "Linkedid")?.[1];
      if (linkedid && !joinedAt.has(linkedid)) joinedAt.set(linkedid, now());
    });
    const updates: { at: number; queues: string[] }[] = [];
    let counting = false;
    socket = io(base, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
    socket.on("wallboard:update", (u: { queues: { name: string; waiting: { callId: string }[] }[]; agents: { call: { callId: string } | null }[] }) => {
      const t = now();
      if (counting) updates.push({ at: t, queues: u.queues.map((q) => q.name) });
      for (const q of u.queues) for (const w of q.waiting) if (!shownAt.has(w.callId)) shownAt.set(w.callId, t);
      for (const a of u.agents) if (a.call && !shownAt.has(a.call.callId)) shownAt.set(a.call.callId, t);
    });
    await new Promise<void>((resolve, reject) => {
      socket!.once("connect", () => resolve());
      socket!.once("connect_error", reject);
    });

    o.log(`wallboard (${o.database}): ${o.callsPerSecond} calls/s over ${o.queues} queues, ${o.agents} agents, ${o.seconds} s`);
    const didList = Object.keys(dids);
    const placed: string[] = [];
    const cpu0 = ticks(child.pid!);
    const t0 = Date.now();
    counting = true;
    const total = o.callsPerSecond * o.seconds;
    for (let k = 0; k < total; k++) {
      const wait = t0 + (k * 1000) / o.callsPerSecond - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      placed.push(sim.pbx.inboundCall({ from: `+1415555${String(k % 10000).padStart(4, "0")}`, did: didList[k % didList.length], talkSeconds: 4 }));
    }
    const loadEnd = Date.now();
    if (process.env.METRICS_TOKEN) {
      const m = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` } }).then((r) => r.text(), () => "");
      o.log(m.split("\n").filter((l) => /eventloop_lag_(p50|p99|max)_seconds |eventloop_lag_seconds /.test(l)).join("; "));
    }
    const cpu1 = ticks(child.pid!);
    counting = false;
    const rssMb = Number(execFileSync("ps", ["-o", "rss=", "-p", String(child.pid)]).toString().trim()) / 1024;
    // Calls placed in the last second get their board frame after the load.
    await new Promise((r) => setTimeout(r, 3000));

    const staleness: number[] = [];
    const worst: [number, number][] = [];
    for (const [callId, t] of joinedAt) {
      const shown = shownAt.get(callId);
      if (shown !== undefined) {
        staleness.push(shown - t);
        worst.push([Math.round(t - performance.timeOrigin - (t0 - performance.timeOrigin)), Math.round(shown - t)]);
      }
    }
    if (process.env.BENCH_DEBUG) o.log(`worst (ms after start, staleness): ${JSON.stringify(worst.sort((a, b) => b[1] - a[1]).slice(0, 12))}`);
    const seconds = (loadEnd - t0) / 1000;
    const lastOf = new Map<string, number>();
    let minQueueGapMs = Infinity;
    for (const u of updates)
      for (const q of u.queues) {
        const last = lastOf.get(q);
        if (last !== undefined) minQueueGapMs = Math.min(minQueueGapMs, u.at - last);
        lastOf.set(q, u.at);
      }
    return {
      database: o.database,
      agents: o.agents,
      queues: o.queues,
      callsPerSecond: o.callsPerSecond,
      seconds: o.seconds,
      calls: placed.length,
      seen: staleness.length,
      cpuShare: (cpu1 - cpu0) / clk / seconds,
      updatesPerSecond: updates.length / seconds,
      queueUpdatesPerSecond: updates.reduce((n, u) => n + u.queues.length, 0) / seconds,
      minQueueGapMs,
      stalenessP50: percentile(staleness, 50),
      stalenessP99: percentile(staleness, 99),
      stalenessMax: Math.max(...staleness),
      rssMb,
    };
  } finally {
    socket?.close();
    if (child) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    await sim.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (onPg) {
      const admin = new pg.Client({ connectionString: o.pgAdminUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end();
    }
  }
}

export function describeWallboard(r: WallboardBenchResult): string {
  return `| ${r.database} | ${r.agents} / ${r.queues} | ${r.callsPerSecond}/s for ${r.seconds} s | ${r.seen} of ${r.calls} | ${(100 * r.cpuShare).toFixed(0)} % | ${r.updatesPerSecond.toFixed(2)} | ${r.queueUpdatesPerSecond.toFixed(1)} | ${r.minQueueGapMs.toFixed(0)} ms | ${r.stalenessP50.toFixed(0)} ms | ${r.stalenessP99.toFixed(0)} ms | ${r.stalenessMax.toFixed(0)} ms | ${r.rssMb.toFixed(0)} MB |`;
}

// Run alone: npx tsx bench/wallboard.bench.ts [pglite|postgres] [seconds]
if (import.meta.url === `file://${process.argv[1]}`) {
  const database = (process.argv[2] ?? "pglite") as "pglite" | "postgres";
  const r = await benchWallboard({ database, agents: 200, queues: 20, callsPerSecond: 30, seconds: Number(process.argv[3] ?? 60), pgAdminUrl: process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", log: console.log });
  console.log(JSON.stringify(r));
  console.log(describeWallboard(r));
}
