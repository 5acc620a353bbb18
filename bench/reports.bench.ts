// The call reports on a year of journal: 365 days × `perDay` inbound calls, on PGlite and on
// PostgreSQL; each grouping of GET /api/reports/calls timed through ReportsService (the SQL the
// route runs). Runnable alone: npx tsx bench/reports.bench.ts
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../server/platform/db/database.js";
import { ReportsService } from "../server/reports/reports.service.js";
import { groupings, type Grouping } from "../server/reports/reports.schemas.js";
import { freshPostgresDatabase } from "../tests/support/databases.js";
import { percentile } from "./lib/stats.js";

export interface ReportBenchRow {
  database: "pglite" | "postgres";
  rows: number;
  loadSeconds: number;
  /** Migration 0018 setting each journaled call's next call from the same number. */
  migrationSeconds: number;
  /** Building the kept sums from the whole journal (first run, or a changed setting). */
  buildSeconds: number;
  /** Folding in one more day of calls (1,000 rows journaled since the last report). */
  foldMs: number;
  range: string;
  grouping: Grouping;
  groups: number;
  p50: number;
  p99: number;
  max: number;
}

/** `perDay` calls a day for 365 days ending today (UTC), in 8 queues, 40 agents, 6 DIDs, one SQL statement. */
function journalSql(perDay: number, days = 365, prefix = "b", pending = true): string {
  const n = perDay * days;
  return `
INSERT INTO calls (linkedid, pbx, direction, caller_number, customer_number, called_number, queue, agent_extension, started_at, answered_at, ended_at,
  wait_seconds, talk_seconds, hold_seconds, transfers, outcome, wrapped_at, disposition, segments, rollup_pending)
SELECT '${prefix}' || g, 'main', 'inbound', '+1415' || lpad((g % 9999991)::text, 7, '0'),
  -- the customer: 8,000 numbers, each calling again 8 days later (first-contact resolution looks each up)
  '+1650' || lpad((g % 8000)::text, 7, '0'),
  '80055' || (51000 + g % 6), 'q' || (g % 8), CASE WHEN ab THEN NULL ELSE (1001 + g % 40)::text END,
  t, CASE WHEN ab THEN NULL ELSE t + make_interval(secs => w) END,
  t + make_interval(secs => w + CASE WHEN ab THEN 0 ELSE talk END),
  w, CASE WHEN ab THEN NULL ELSE talk END, CASE WHEN ab OR g % 5 <> 0 THEN 0 ELSE 30 END, CASE WHEN g % 23 = 0 THEN 1 ELSE 0 END,
  CASE WHEN ab THEN 'abandoned' WHEN g % 50 = 0 THEN 'missed' ELSE 'answered' END,
  CASE WHEN ab THEN NULL ELSE t + make_interval(secs => w + talk + g % 60) END,
  CASE WHEN ab THEN NULL ELSE (ARRAY['Resolved', 'Sale', 'Follow-up needed', 'Escalated'])[1 + g % 4] END, '[]', ${pending}
FROM generate_series(0, ${n - 1}) AS g,
  LATERAL (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => ${days - 1} - g / ${perDay}) + make_interval(secs => 28800 + (g::bigint * 7919) % 36000) AS t,
    g % 11 IN (0, 1) AS ab, (g * 13) % 90 AS w, 30 + (g * 17) % 600 AS talk) AS x`;
}

/**
 * A year journaled before the kept sums existed: rows not pending, and their next call from the same
 * number set by migration 0018's own statement (timed apart: an upgrade runs it once).
 */
async function fill(db: Database, perDay: number): Promise<number> {
  const t = performance.now();
  await db.query(journalSql(perDay, 365, "b", false));
  // Fresh statistics, as autovacuum would have after a year of inserts.
  await db.query("ANALYZE calls");
  return (performance.now() - t) / 1000;
}

export async function benchReports(o: { database: "pglite" | "postgres"; perDay: number; runs: number; pgAdminUrl: string; log: (s: string) => void }): Promise<ReportBenchRow[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-bench-reports-"));
  const pgDb = o.database === "postgres" ? await freshPostgresDatabase() : null;
  const db = await openDatabase({ url: pgDb?.url ?? null, dataDir: pgDb ? null : path.join(dataDir, "pgdata") });
  try {
    o.log(`reports (${o.database}): writing ${(o.perDay * 365).toLocaleString("en-US")} journal rows`);
    const loadSeconds = await fill(db, o.perDay);
    const [{ n }] = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM calls")) as [{ n: number }];
    o.log(`reports (${o.database}): ${n} rows in ${loadSeconds.toFixed(1)} s`);
    const migration = fs.readFileSync(path.resolve(import.meta.dirname, "../prisma/migrations/0018_report_rollups/migration.sql"), "utf8");
    let t = performance.now();
    await db.exec(/UPDATE "calls" c SET "next_inbound_at"[^;]*;/.exec(migration)![0]);
    const migrationSeconds = (performance.now() - t) / 1000;
    o.log(`reports (${o.database}): migration 0018's next-call update on the year in ${migrationSeconds.toFixed(1)} s`);
    const service = new ReportsService(db, { shortAbandonSeconds: 5, defaultTargetSeconds: 20, timezone: "Europe/Paris", didLabels: {}, wrapupSeconds: 15, fcrDays: 7, lostClientDays: 90 });
    t = performance.now();
    await service.rollup.current();
    await service.rollup.settled();
    const buildSeconds = (performance.now() - t) / 1000;
    o.log(`reports (${o.database}): sums built from the whole journal in ${buildSeconds.toFixed(1)} s`);
    // Today's calls again, as the journal would add them through a day: folded in at the next report.
    await db.query(journalSql(o.perDay, 1, "today-"));
    t = performance.now();
    await service.rollup.fold();
    const foldMs = performance.now() - t;
    o.log(`reports (${o.database}): ${o.perDay} new calls folded in in ${foldMs.toFixed(0)} ms`);
    const to = new Date();
    to.setUTCHours(24, 0, 0, 0);
    const ranges: [string, Date][] = [
      ["year", new Date(to.getTime() - 365 * 86_400_000)],
      ["30 days", new Date(to.getTime() - 30 * 86_400_000)],
    ];
    const out: ReportBenchRow[] = [];
    for (const [range, from] of ranges) {
      for (const grouping of groupings) {
        const q = { from, to, groupBy: grouping, tz: "Europe/Paris" } as const;
        let groups = 0;
        await service.calls(q, null);
        const samples: number[] = [];
        for (let i = 0; i < o.runs; i++) {
          const t = performance.now();
          groups = (await service.calls(q, null)).rows.length;
          samples.push(performance.now() - t);
        }
        out.push({ database: o.database, rows: n, loadSeconds, migrationSeconds, buildSeconds, foldMs, range, grouping, groups, p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(...samples) });
        o.log(`reports (${o.database}) ${range} by ${grouping}: p50 ${percentile(samples, 50).toFixed(0)} ms, p99 ${percentile(samples, 99).toFixed(0)} ms`);
      }
    }
    return out;
  } finally {
    await db.close();
    await pgDb?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const describeReportRow = (r: ReportBenchRow) =>
  `| ${r.database} | ${r.range} | ${r.grouping} | ${r.groups} | ${r.p50.toFixed(0)} ms | ${r.p99.toFixed(0)} ms | ${r.max.toFixed(0)} ms |`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const log = (s: string) => console.log(`[bench] ${s}`);
  for (const database of (process.env.BENCH_REPORTS_DBS ?? "postgres,pglite").split(",") as ("pglite" | "postgres")[]) {
    const rows = await benchReports({ database, perDay: Number(process.env.BENCH_REPORTS_PER_DAY ?? 1000), runs: Number(process.env.BENCH_REPORTS_RUNS ?? 20), pgAdminUrl: process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", log });
    console.log(rows.map(describeReportRow).join("\n"));
  }
}
