import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { openDatabase } from "../server/platform/db/database.js";
import { generateClients, generatedNumber } from "../server/demo/generate-clients.js";
import { percentile } from "./lib/stats.js";

/** Latency of one kind of call, ms. */
export interface PopStats {
  pops: number;
  p50: number;
  p99: number;
  max: number;
  /** AMI frame in → card handed to Socket.IO (lookup, card, history). */
  serverP50: number;
  serverP99: number;
  known: number;
}

export interface PopResult {
  database: "pglite" | "postgres";
  agents: number;
  clients: number;
  callsPerSecond: number;
  /** Callers drawn at random among all clients: cards never read before, read at the ring. */
  fresh: PopStats;
  /** Callers who called a moment ago (during the first phase): their cards are warm. */
  returning: PopStats;
  /** The first pop after the server started (consoles connected, nothing rung yet). */
  first: number;
  rssIdle: number;
  rssLoaded: number;
}

const now = () => performance.timeOrigin + performance.now();
const rssOf = (pid: number) => Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)]).toString().trim()) * 1024;

/**
 * The screen pop under load: the real server in its own process (on PostgreSQL, or on the embedded
 * PGlite it uses when DATABASE_URL is unset, with `clients` clients; the simulator with `agents`
 * agents in one round-robin queue placing `callsPerSecond` calls), and `agents` consoles connected
 * over Socket.IO from this process. Each call comes from a client drawn at random among all of them,
 * so nearly every card is one the server has not built before. Latency is from the AMI frame's
 * arrival at the server (card.timing.amiAt) to the Socket.IO frame's arrival at the console.
 */
export async function benchPopLatency(o: { database: "pglite" | "postgres"; agents: number; clients: number; callsPerSecond: number; seconds: number; pgAdminUrl: string; log: (s: string) => void }): Promise<PopResult> {
  const name = `crm_pop_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: o.pgAdminUrl });
  await admin.connect();
  const url = new URL(o.pgAdminUrl);
  url.pathname = `/${name}`;
  const onPg = o.database === "postgres";
  if (onPg) await admin.query(`CREATE DATABASE ${name}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-pop-"));
  let child: ReturnType<typeof spawn> | null = null;
  const sockets: Socket[] = [];
  try {
    // Schema, clients, agents and their sessions, straight into the database (for PGlite, the
    // directory the server then opens as its embedded default).
    const db = await openDatabase(onPg ? { url: url.toString(), dataDir: null } : { url: null, dataDir: path.join(dataDir, "pgdata") });
    o.log(`pop (${o.database}): generating ${o.clients.toLocaleString("en-US")} clients`);
    await generateClients(db, o.clients);
    const tokens: string[] = [];
    const users = Array.from({ length: o.agents }, (_, i) => 1001 + i);
    await db.exec(`INSERT INTO users (username, display_name, password_hash, role, extension, updated_at)
      SELECT 'agent' || x, 'Agent ' || x, 'scrypt$disabled', 'agent', x::text, now() FROM generate_series(${users[0]}, ${users[users.length - 1]}) AS x`);
    const ids = await db.query<{ id: number }>(`SELECT id FROM users ORDER BY id`);
    const values: string[] = [];
    for (const { id } of ids) {
      const token = crypto.randomBytes(32).toString("base64url");
      tokens.push(token);
      values.push(`('${crypto.createHash("sha256").update(token).digest("hex")}', ${id}, now() + interval '1 day')`);
    }
    await db.exec(`INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ${values.join(",")}`);
    await db.close();

    o.log("pop: starting the server");
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { DATABASE_URL: _inherited, ...env } = process.env;
    child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      env: {
        ...env, ...(onPg ? { DATABASE_URL: url.toString() } : {}), PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn",
        REDIS_PREFIX: `crmpop${process.pid}`, SIM_AGENTS: String(o.agents), SIM_CALLS_PER_MINUTE: "0", WRAPUP_SECONDS: "0",
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const h = await fetch(`${base}/api/health`).then((r) => r.json() as Promise<{ ami?: string; phoneIndex?: string }>, () => null);
      if (h?.ami === "connected" && h.phoneIndex === "ready") break;
      if (i > 600) throw new Error("server did not come up");
      await new Promise((r) => setTimeout(r, 200));
    }

    o.log(`pop: connecting ${o.agents} consoles`);
    const samples = { latencies: [] as number[], server: [] as number[], known: 0 };
    let first = NaN;
    for (let i = 0; i < tokens.length; i += 50) {
      await Promise.all(
        tokens.slice(i, i + 50).map(
          (token) =>
            new Promise<void>((resolve, reject) => {
              const s = io(base, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
              s.on("call:offer", (card: { state: string; client: unknown; timing: { amiAt: number; sentAt: number } }) => {
                if (card.state !== "ringing") return;
                const latency = now() - card.timing.amiAt;
                if (Number.isNaN(first)) first = latency;
                samples.latencies.push(latency);
                samples.server.push(card.timing.sentAt - card.timing.amiAt);
                if (card.client) samples.known++;
              });
              s.once("connect", () => resolve());
              s.once("connect_error", reject);
              sockets.push(s);
            }),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 1000));
    const rssIdle = rssOf(child.pid!);

    const token = tokens[0]!;
    const called: string[] = [];
    const phase = async (label: string, pick: () => string): Promise<PopStats> => {
      o.log(`pop: ${label}: ${o.callsPerSecond} calls/s for ${o.seconds} s`);
      samples.latencies = [];
      samples.server = [];
      samples.known = 0;
      const total = o.callsPerSecond * o.seconds;
      const t0 = Date.now();
      for (let k = 0; k < total; k++) {
        const due = t0 + (k * 1000) / o.callsPerSecond;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        // The demo phone's "call me" places a simulated inbound call from the number given.
        const from = pick();
        called.push(from);
        void fetch(`${base}/api/demo/phone/call-me`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ from }) });
      }
      await new Promise((r) => setTimeout(r, 3000));
      const { latencies, server, known } = samples;
      return {
        pops: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies),
        serverP50: percentile(server, 50), serverP99: percentile(server, 99), known,
      };
    };
    const fresh = await phase("new callers", () => generatedNumber(1 + Math.floor(Math.random() * o.clients)));
    // The simulator rings an agent in the same instant a call arrives; on a real PBX the greeting
    // and the queue come first, and the card is read meanwhile. Callers who called a moment ago
    // stand for that: their cards were read (and re-read when their call was journaled).
    const recent = [...new Set(called)].slice(0, 100);
    const returning = await phase("returning callers", () => recent[Math.floor(Math.random() * recent.length)]!);
    const rssLoaded = rssOf(child.pid!);
    return { database: o.database, agents: o.agents, clients: o.clients, callsPerSecond: o.callsPerSecond, fresh, returning, first, rssIdle, rssLoaded };
  } finally {
    for (const s of sockets) s.close();
    if (child) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    if (onPg) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const statsRow = (r: PopResult, kind: string, x: PopStats) =>
  `| ${r.database} | ${kind} | ${x.pops} | ${x.p50.toFixed(2)} ms | ${x.p99.toFixed(2)} ms | ${x.max.toFixed(1)} ms | ${x.serverP50.toFixed(2)} ms | ${x.serverP99.toFixed(2)} ms | ${x.known} |`;

/** Two table rows: new callers, returning callers. */
export const describePop = (r: PopResult) => [statsRow(r, "new callers", r.fresh), statsRow(r, "returning callers", r.returning)].join("\n");
