import type { Database } from "../platform/db/database.js";
import type { BusinessReport, BusinessReportQuery } from "./business.schemas.js";

// Most CRM and journal timestamps are UTC without a zone; the range's bounds as such.
const fromUtc = `($1::timestamptz AT TIME ZONE 'UTC')`;
const toUtc = `($2::timestamptz AT TIME ZONE 'UTC')`;
/** A UTC timestamp column's month (YYYY-MM) in the report's zone ($3). */
const monthOf = (col: string) => `to_char(date_trunc('month', (${col} AT TIME ZONE 'UTC') AT TIME ZONE $3), 'YYYY-MM')`;
const stagesInOrder = ["prospect", "active", "regular", "lost"];
/** A conversation: the call was answered (inbound) or the customer reached (outbound). */
const talked = `outcome IN ('answered', 'reached')`;

const percent = (n: number, d: number): number | null => (d > 0 ? Math.round((1000 * n) / d) / 10 : null);
const oneDecimal = (x: number | null | undefined): number | null => (x === null || x === undefined ? null : Math.round(Number(x) * 10) / 10);
const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** The business reports from the CRM (docs/reports.md "Business reports"): every figure aggregated by the database. */
export class BusinessReportsService {
  constructor(
    private readonly db: Database,
    private readonly settings: { timezone: string; lostClientDays: number },
  ) {}

  async report(q: BusinessReportQuery, now = new Date()): Promise<BusinessReport> {
    const to = q.to ?? now;
    const from = q.from ?? new Date(to.getTime() - 365 * 86_400_000);
    const tz = q.tz ?? this.settings.timezone;
    const p = [from.toISOString(), to.toISOString(), tz];
    const db = this.db;

    // The range's leads: clients created in it (not deleted) whose first stage was prospect (their
    // stage now, without history), when they first reached active or regular, and every stage
    // they have been in (the stage history, stage_changes, and the stage now).
    const cohort = `
      SELECT c.id, c.created_at, ${monthOf("c.created_at")} AS month,
        COALESCE((SELECT s.to_stage::text FROM stage_changes s WHERE s.client_id = c.id ORDER BY s.at, s.id LIMIT 1), c.stage::text) AS first_stage,
        (SELECT min(s.at) FROM stage_changes s WHERE s.client_id = c.id AND s.to_stage IN ('active', 'regular')) AS converted_at,
        ARRAY(SELECT s.to_stage::text FROM stage_changes s WHERE s.client_id = c.id UNION SELECT c.stage::text) AS reached
      FROM clients c WHERE c.deleted_at IS NULL AND c.created_at >= ${fromUtc} AND c.created_at < ${toUtc} AND $3::text IS NOT NULL`;
    const byMonth = await db.query<{ month: string; leads: number; converted: number; days: number | null }>(
      `WITH k AS (${cohort})
       SELECT month, count(*)::int AS leads, (count(*) FILTER (WHERE converted_at IS NOT NULL))::int AS converted,
         avg(date_part('epoch', converted_at - created_at) / 86400) FILTER (WHERE converted_at IS NOT NULL)::float8 AS days
       FROM k WHERE first_stage = 'prospect' GROUP BY 1 ORDER BY 1`,
      p,
    );
    const reachedRows = await db.query<{ stage: string; n: number }>(
      `WITH k AS (${cohort}) SELECT st AS stage, count(*)::int AS n FROM k, unnest(k.reached) AS st WHERE first_stage = 'prospect' GROUP BY 1`,
      p,
    );
    const leads = byMonth.reduce((n, r) => n + r.leads, 0);
    const converted = byMonth.reduce((n, r) => n + r.converted, 0);
    const convertDays = byMonth.reduce((n, r) => n + (r.days === null ? 0 : Number(r.days) * r.converted), 0);

    const stageRows = await db.query<{ stage: string; clients: number; entered: number }>(
      `SELECT st AS stage,
         (SELECT count(*) FROM clients c WHERE c.deleted_at IS NULL AND c.stage::text = st)::int AS clients,
         (SELECT count(*) FROM stage_changes s WHERE s.to_stage::text = st AND s.at >= ${fromUtc} AND s.at < ${toUtc})::int AS entered
       FROM unnest($3::text[]) AS st`,
      [p[0], p[1], stagesInOrder],
    );

    // Created → first conversation, for the clients created in the range (a client made during
    // their first call: 0).
    const [first] = await db.query<{ count: number; done: number; mean: number | null; p50: number | null }>(
      `WITH k AS (
         SELECT c.created_at, (SELECT min(f.started_at) FROM calls f WHERE f.client_id = c.id AND f.${talked}) AS first_at
         FROM clients c WHERE c.deleted_at IS NULL AND c.created_at >= ${fromUtc} AND c.created_at < ${toUtc}),
       d AS (SELECT GREATEST(date_part('epoch', first_at - created_at), 0) AS s FROM k WHERE first_at IS NOT NULL)
       SELECT (SELECT count(*) FROM k)::int AS count, (SELECT count(*) FROM d)::int AS done,
         (SELECT avg(s) FROM d)::float8 AS mean, (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM d)::float8 AS p50`,
      [p[0], p[1]],
    );
    const durations = (table: string, created: string, from: string, to: string, done: string) =>
      db.query<{ count: number; done: number; mean: number | null; p50: number | null }>(
        `WITH k AS (SELECT ${created} AS created, ${done} AS done_at FROM ${table} WHERE ${created} >= ${from} AND ${created} < ${to}),
         d AS (SELECT GREATEST(date_part('epoch', done_at - created), 0) AS s FROM k WHERE done_at IS NOT NULL)
         SELECT (SELECT count(*) FROM k)::int AS count, (SELECT count(*) FROM d)::int AS done,
           (SELECT avg(s) FROM d)::float8 AS mean, (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM d)::float8 AS p50`,
        [p[0], p[1]],
      );
    const [tasks] = await durations("tasks", "created_at", fromUtc, toUtc, "done_at");
    const [callbacks] = await durations("callbacks", "created_at", "$1::timestamptz", "$2::timestamptz", "CASE WHEN status = 'done' THEN done_at END");

    // Base growth per calendar month (in the zone) that the range touches.
    const growth = await db.query<{ month: string; new_clients: number; became_lost: number; total: number }>(
      `WITH m AS (
         SELECT g AS start, ((g AT TIME ZONE $3) AT TIME ZONE 'UTC') AS s_utc, (((g + interval '1 month') AT TIME ZONE $3) AT TIME ZONE 'UTC') AS e_utc
         FROM generate_series(date_trunc('month', $1::timestamptz AT TIME ZONE $3), ($2::timestamptz AT TIME ZONE $3) - interval '1 millisecond', interval '1 month') AS g)
       SELECT to_char(m.start, 'YYYY-MM') AS month,
         (SELECT count(*) FROM clients c WHERE c.deleted_at IS NULL AND c.created_at >= m.s_utc AND c.created_at < m.e_utc)::int AS new_clients,
         (SELECT count(*) FROM stage_changes s WHERE s.to_stage = 'lost' AND s.at >= m.s_utc AND s.at < m.e_utc)::int AS became_lost,
         (SELECT count(*) FROM clients c WHERE c.deleted_at IS NULL AND c.created_at < m.e_utc)::int AS total
       FROM m ORDER BY 1`,
      p,
    );

    // Lost: as of min(to, now), clients (not deleted) created over LOST_CLIENT_DAYS ago with no conversation since.
    const asOf = new Date(Math.min(to.getTime(), now.getTime()));
    const since = new Date(asOf.getTime() - this.settings.lostClientDays * 86_400_000);
    const lost = await db.query<{ id: number; name: string; last: Date | null; total: number }>(
      `SELECT c.id, c.name, (SELECT max(f.started_at) FROM calls f WHERE f.client_id = c.id AND f.${talked} AND f.started_at < ($2::timestamptz AT TIME ZONE 'UTC')) AS last,
         count(*) OVER ()::int AS total
       FROM clients c
       WHERE c.deleted_at IS NULL AND c.created_at < ($1::timestamptz AT TIME ZONE 'UTC')
         AND NOT EXISTS (SELECT 1 FROM calls f WHERE f.client_id = c.id AND f.${talked}
           AND f.started_at >= ($1::timestamptz AT TIME ZONE 'UTC') AND f.started_at < ($2::timestamptz AT TIME ZONE 'UTC'))
       ORDER BY c.id LIMIT 100`,
      [since.toISOString(), asOf.toISOString()],
    );

    // Complaints: calls of the range with a disposition containing "complaint" or a script run
    // ending "complaint"; closed when their task is done (the task the script made, else the
    // client's first task titled with "complaint" created from the call's start).
    const complaints = await db.query<{ linkedid: string; started_at: Date; ended_at: Date; client_id: number | null; source: "disposition" | "script"; task_id: number | null; done_at: Date | null }>(
      `WITH k AS (
         SELECT f.linkedid, f.started_at, f.ended_at, f.client_id,
           CASE WHEN f.disposition ILIKE '%complaint%' THEN 'disposition' ELSE 'script' END AS source,
           (SELECT substring(a.value #>> '{}' from '^task ([0-9]+)$')::int
              FROM script_runs sr, jsonb_array_elements(COALESCE(sr.captured -> 'actions', '[]'::jsonb)) AS a
             WHERE sr.linkedid = f.linkedid AND (a.value #>> '{}') ~ '^task [0-9]+$' LIMIT 1) AS script_task
         FROM calls f
         WHERE f.started_at >= ${fromUtc} AND f.started_at < ${toUtc}
           AND (f.disposition ILIKE '%complaint%' OR EXISTS (SELECT 1 FROM script_runs sr WHERE sr.linkedid = f.linkedid AND lower(trim(sr.outcome)) = 'complaint')))
       SELECT k.linkedid, k.started_at, k.ended_at, k.client_id, k.source, t.id AS task_id, t.done_at
       FROM k LEFT JOIN LATERAL (
         SELECT t.id, t.done_at FROM tasks t
         WHERE (k.script_task IS NOT NULL AND t.id = k.script_task)
            OR (k.script_task IS NULL AND k.client_id IS NOT NULL AND t.client_id = k.client_id AND t.title ILIKE '%complaint%' AND t.created_at >= k.started_at)
         ORDER BY t.created_at, t.id LIMIT 1) t ON true
       ORDER BY k.started_at, k.linkedid`,
      [p[0], p[1]],
    );
    const closeTimes = complaints.filter((c) => c.done_at).map((c) => Math.max(0, (new Date(c.done_at!).getTime() - new Date(c.ended_at).getTime()) / 1000));
    const sorted = [...closeTimes].sort((a, b) => a - b);
    // The median as percentile_cont computes it (the mean of the two middle values).
    const median = sorted.length ? (sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2) : null;

    const dur = (r: { count: number; done: number; mean: number | null; p50: number | null } | undefined) => ({
      count: r?.count ?? 0,
      done: r?.done ?? 0,
      meanSeconds: oneDecimal(r?.mean),
      p50Seconds: oneDecimal(r?.p50),
    });
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      tz,
      conversion: { leads, converted, rate: percent(converted, leads), meanDaysToConvert: converted ? oneDecimal(convertDays / converted) : null },
      conversionByMonth: byMonth.map((r) => ({ month: r.month, leads: r.leads, converted: r.converted, rate: percent(r.converted, r.leads) })),
      stages: stagesInOrder.map((stage) => {
        const s = stageRows.find((x) => x.stage === stage);
        return { stage, clients: s?.clients ?? 0, enteredInRange: s?.entered ?? 0, reachedByLeads: reachedRows.find((x) => x.stage === stage)?.n ?? 0 };
      }),
      firstContact: dur(first),
      tasks: dur(tasks),
      callbacks: dur(callbacks),
      growth: growth.map((g) => ({ month: g.month, newClients: g.new_clients, becameLost: g.became_lost, totalClients: g.total })),
      lost: {
        days: this.settings.lostClientDays,
        asOf: asOf.toISOString(),
        count: lost[0]?.total ?? 0,
        clients: lost.map((c) => ({ id: c.id, name: c.name, lastContactAt: iso(c.last) })),
      },
      complaints: {
        count: complaints.length,
        withTask: complaints.filter((c) => c.task_id !== null).length,
        closed: closeTimes.length,
        meanCloseSeconds: closeTimes.length ? oneDecimal(closeTimes.reduce((a, b) => a + b, 0) / closeTimes.length) : null,
        p50CloseSeconds: oneDecimal(median),
        items: complaints.slice(0, 200).map((c) => ({
          linkedid: c.linkedid,
          startedAt: iso(c.started_at)!,
          clientId: c.client_id,
          source: c.source,
          taskId: c.task_id,
          closedAt: iso(c.done_at),
          closeSeconds: c.done_at ? oneDecimal(Math.max(0, (new Date(c.done_at).getTime() - new Date(c.ended_at).getTime()) / 1000)) : null,
        })),
      },
    };
  }
}
