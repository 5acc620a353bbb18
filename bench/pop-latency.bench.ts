import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { io, type Socket } from "socket.io-client";
import { openDatabase } from "../server/platform/db/database.js";
import { generateClients } from "../server/demo/generate-clients.js";
import { fmtMb, percentile } from "./lib/stats.js";

export interface PopResult {
  agents: number;
  clients: number;
  callsPerSecond: number;
  pops: number;
  p50: number;
  p99: number;
  max: number;
  /** AMI frame in → card handed to Socket.IO (lookup, card, history). */
  serverP99: number;
  known: number;
  rssIdle: number;
  rssLoaded: number;
}

const now = () => performance.timeOrigin + performance.now();
const rssOf = (pid: number) => Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)]).toString().trim()) * 1024;

/**
 * The screen pop under load: the real server in its own process (PostgreSQL with `clients`
 * clients, the simulator with `agents` agents in one round-robin queue placing `callsPerSecond`
 * calls), and `agents` consoles connected over Socket.IO from this process. Latency is from the AMI
 * frame's arrival at the server (card.timing.amiAt) to the Socket.IO frame's arrival at the console.
 */
export async function benchPopLatency(o: { agents: number; clients: number; callsPerSecond: number; seconds: number; pgAdminUrl: string; log: (s: string) => void }): Promise<PopResult> {
  const name = `crm_pop_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: o.pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(o.pgAdminUrl);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-pop-"));
  let child: ReturnType<typeof spawn> | null = null;
  const sockets: Socket[] = [];
  try {
    // Schema, clients, agents and their sessions, straight into the database.
    const db = await openDatabase({ url: url.toString(), dataDir: null });
    o.log(`pop: generating ${o.clients.toLocaleString("en-US")} clients`);
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
    child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      env: {
        ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: url.toString(), DATA_DIR: dataDir, LOG_LEVEL: "warn",
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
    const latencies: number[] = [];
    const serverPart: number[] = [];
    let known = 0;
    for (let i = 0; i < tokens.length; i += 50) {
      await Promise.all(
        tokens.slice(i, i + 50).map(
          (token) =>
            new Promise<void>((resolve, reject) => {
              const s = io(base, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
              s.on("call:offer", (card: { state: string; client: unknown; timing: { amiAt: number; sentAt: number } }) => {
                if (card.state !== "ringing") return;
                latencies.push(now() - card.timing.amiAt);
                serverPart.push(card.timing.sentAt - card.timing.amiAt);
                if (card.client) known++;
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

    o.log(`pop: ${o.callsPerSecond} calls/s for ${o.seconds} s`);
    const token = tokens[0]!;
    const total = o.callsPerSecond * o.seconds;
    const t0 = Date.now();
    for (let k = 0; k < total; k++) {
      const due = t0 + (k * 1000) / o.callsPerSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // The demo phone's "call me" places a simulated inbound call, from a known client's number.
      void fetch(`${base}/api/demo/phone/call-me`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
    }
    await new Promise((r) => setTimeout(r, 3000));
    const rssLoaded = rssOf(child.pid!);
    return {
      agents: o.agents, clients: o.clients, callsPerSecond: o.callsPerSecond, pops: latencies.length,
      p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies), serverP99: percentile(serverPart, 99), known, rssIdle, rssLoaded,
    };
  } finally {
    for (const s of sockets) s.close();
    if (child) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const describePop = (r: PopResult) =>
  `| ${r.agents} consoles, ${r.clients.toLocaleString("en-US")} clients, ${r.callsPerSecond} calls/s | ${r.pops} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms | ${r.max.toFixed(1)} ms | ${r.serverP99.toFixed(2)} ms | ${fmtMb(r.rssIdle)} | ${fmtMb(r.rssLoaded)} |`;
