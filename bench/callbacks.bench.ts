import { spawn, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase } from "../server/platform/db/database.js";
import { percentile } from "./lib/stats.js";

export interface CallbackBenchResult {
  database: "pglite" | "postgres";
  callbacks: number;
  agents: number;
  spreadSeconds: number;
  done: number;
  offerP50: number;
  offerP99: number;
  offerMax: number;
  dialP50: number;
  dialP99: number;
  rssIdleMb: number;
  rssPeakMb: number;
  wallSeconds: number;
}

const rssOf = (pid: number) => Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)]).toString().trim()) * 1024;

/**
 * 10,000 callbacks due over a few minutes, in the database before the server starts (so the
 * dispatcher rebuilds everything from it, with no wake-up job in Redis), queue `support` open
 * around the clock; the server's simulated PBX has N auto-answering agents (SIM_AGENTS) and
 * every customer answers; CALLBACK_AUTODIAL_SECONDS=0 (offered and dialled at once). Lateness:
 * offered_at (and dialing_at) minus due_at, read from the database at the end. Server memory:
 * its RSS, sampled every second.
 */
export async function benchCallbacks(o: { database: "pglite" | "postgres"; callbacks: number; agents: number; spreadSeconds: number; pgAdminUrl: string; log: (s: string) => void }): Promise<CallbackBenchResult> {
  const name = `crm_cb_${crypto.randomBytes(4).toString("hex")}`;
  const onPg = o.database === "postgres";
  const url = new URL(o.pgAdminUrl);
  url.pathname = `/${name}`;
  const admin = onPg ? new pg.Client({ connectionString: o.pgAdminUrl }) : null;
  if (admin) {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-cb-"));
  const dbOpts = onPg ? { url: url.toString(), dataDir: null } : { url: null, dataDir: path.join(dataDir, "pgdata") };
  let child: ReturnType<typeof spawn> | null = null;
  try {
    let db = await openDatabase(dbOpts);
    await db.exec(`INSERT INTO users (username, display_name, password_hash, role, extension, updated_at)
      SELECT 'agent' || x, 'Agent ' || x, 'scrypt$disabled', 'agent', x::text, now() FROM generate_series(1001, ${1000 + o.agents}) AS x`);
    await db.exec(`INSERT INTO callback_settings (queue, min_abandon_seconds, timezone, hours, holidays, call_window_start, call_window_end, max_attempts, target_minutes, updated_at)
      VALUES ('support', 10, 'UTC', NULL, '[]', '00:00', '24:00', 3, 60, now())`);
    // The first due time leaves the server time to start; then evenly over the spread.
    const start = Date.now() + 40_000;
    await db.query(
      `INSERT INTO callbacks (number, queue, source, due_at, original_queued_at, priority, max_attempts, note)
       SELECT '+1646' || (2000000 + i)::text, 'support', 'agent', to_timestamp(($1::float8 + i * $2::float8) / 1000), to_timestamp(($1::float8 + i * $2::float8) / 1000), 0, 3, 'bench'
       FROM generate_series(0, $3::int - 1) AS i`,
      [start, (o.spreadSeconds * 1000) / o.callbacks, o.callbacks],
    );
    await db.close();

    o.log(`callbacks (${o.database}): ${o.callbacks} due from +40 s over ${o.spreadSeconds} s, ${o.agents} agents; starting the server`);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { DATABASE_URL: _inherited, ...env } = process.env;
    child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
      env: {
        ...env, ...(onPg ? { DATABASE_URL: url.toString() } : {}), PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn",
        REDIS_PREFIX: `crmcb${process.pid}`, SIM_AGENTS: String(o.agents), SIM_CALLS_PER_MINUTE: "0", SIM_SPEED: "0.05", WRAPUP_SECONDS: "0", CALLBACK_AUTODIAL_SECONDS: "0",
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const h = await fetch(`${base}/api/health`).then((r) => r.json() as Promise<{ ami?: string }>, () => null);
      if (h?.ami === "connected") break;
      if (i > 600) throw new Error("server did not come up");
      await new Promise((r) => setTimeout(r, 200));
    }
    if (Date.now() > start) throw new Error("the server took longer to start than the lead time before the first due callback");
    const rssIdle = rssOf(child.pid!);
    let rssPeak = rssIdle;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf(child!.pid!))), 1000);
    // The end: due time of the last one, plus the time to drain (checked from the process: PGlite
    // is the server's own; the summary would need a login). Lateness is read afterwards.
    const last = start + o.spreadSeconds * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, last - Date.now()) + 15_000));
    clearInterval(sampler);
    child.kill("SIGTERM");
    await new Promise((r) => child!.once("exit", r));
    child = null;

    db = await openDatabase(dbOpts);
    const rows = await db.query<{ status: string; offer: number | null; dial: number | null }>(
      `SELECT status, EXTRACT(EPOCH FROM (offered_at - due_at)) * 1000 AS offer, EXTRACT(EPOCH FROM (dialing_at - due_at)) * 1000 AS dial FROM callbacks`,
    );
    await db.close();
    const offers = rows.filter((r) => r.offer !== null).map((r) => Number(r.offer));
    const dials = rows.filter((r) => r.dial !== null).map((r) => Number(r.dial));
    const mb = (b: number) => Math.round(b / 1024 / 1024);
    return {
      database: o.database,
      callbacks: o.callbacks,
      agents: o.agents,
      spreadSeconds: o.spreadSeconds,
      done: rows.filter((r) => r.status === "done").length,
      offerP50: percentile(offers, 50),
      offerP99: percentile(offers, 99),
      offerMax: Math.max(...offers),
      dialP50: percentile(dials, 50),
      dialP99: percentile(dials, 99),
      rssIdleMb: mb(rssIdle),
      rssPeakMb: mb(rssPeak),
      wallSeconds: Math.round((Date.now() - start) / 1000),
    };
  } finally {
    if (child) {
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
    }
    if (admin) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const describeCallbacks = (r: CallbackBenchResult) =>
  `| ${r.database} | ${r.callbacks.toLocaleString("en-US")} over ${r.spreadSeconds} s | ${r.agents} | ${r.done.toLocaleString("en-US")} | ${r.offerP50.toFixed(0)} ms | ${r.offerP99.toFixed(0)} ms | ${r.offerMax.toFixed(0)} ms | ${r.dialP50.toFixed(0)} ms | ${r.dialP99.toFixed(0)} ms | ${r.rssIdleMb} MB → ${r.rssPeakMb} MB |`;

// A quick run on its own: npx tsx bench/callbacks.bench.ts [pglite|postgres] [callbacks] [spread s] [agents]
if (import.meta.url === `file://${process.argv[1]}`) {
  const [database = "pglite", n = "10000", spread = "150", agents = "300"] = process.argv.slice(2);
  const r = await benchCallbacks({ database: database as "pglite" | "postgres", callbacks: Number(n), spreadSeconds: Number(spread), agents: Number(agents), pgAdminUrl: process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", log: (s) => console.log(`[bench] ${s}`) });
  console.log(JSON.stringify(r));
  console.log(describeCallbacks(r));
}
