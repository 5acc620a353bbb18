import type { Database } from "../platform/db/database.js";
import type { AgentReportRow, AgentsReportQuery, CallsReport, CallsReportQuery, CallsReportRow, Grouping } from "./reports.schemas.js";

export interface ReportSettings {
  shortAbandonSeconds: number;
  /** A queue without its own target (the wallboard's queue_targets) is measured against this. */
  defaultTargetSeconds: number;
  timezone: string;
  didLabels: Record<string, string>;
  /** WRAPUP_SECONDS: the after-call-work pause ends by itself after this long (the wallboard's cap). */
  wrapupSeconds: number;
  /** FCR_DAYS: an answered call not followed by another inbound call from the same number within this many days is resolved at first contact. */
  fcrDays: number;
  /** LOST_CLIENT_DAYS: a client with no call in this many days is lost (business report). */
  lostClientDays: number;
}

/** Abandon times are counted in these buckets (seconds waited, upper bound exclusive). */
export const abandonBuckets: [number, number | null][] = [
  [0, 5],
  [5, 15],
  [15, 30],
  [30, 60],
  [60, 120],
  [120, 300],
  [300, null],
];

// Timestamps in the journal are UTC (timestamp without time zone): first made a timestamptz,
// then read in the report's zone, so a call at 23:30 UTC is on the next day in Paris.
const local = `((started_at AT TIME ZONE 'UTC') AT TIME ZONE $3)`;
const keyOf: Record<Grouping, string> = {
  day: `to_char(${local}, 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', ${local}), 'YYYY-MM-DD')`,
  hour: `to_char(${local}, 'HH24')`,
  queue: "queue",
  agent: "agent_extension",
  did: "called_number",
};

/**
 * Wrap-up, as the wallboard counts it (server/supervisor/day-totals.ts): hang-up to the saved
 * wrap-up, between 0 and WRAPUP_SECONDS (the after-call-work pause ends by itself there), or
 * WRAPUP_SECONDS when none was saved. `cap` is a whole number from the config (inlined, not a parameter).
 */
export const wrapupSql = (cap: number) => {
  const w = Math.max(0, Math.trunc(cap));
  return `CASE WHEN wrapped_at IS NULL THEN ${w} ELSE LEAST(GREATEST(date_part('epoch', wrapped_at - ended_at), 0), ${w}) END`;
};

interface Sums {
  key: string | null;
  offered: number;
  answered: number;
  abandoned: number;
  short_abandoned: number;
  within_target: number;
  wait_sum: number;
  talk_sum: number;
  hold_sum: number;
  wrapup_sum: number;
  transfers: number;
  fcr: number;
}

/** What the calls report adds per key from other tables (callbacks, script runs, new clients). */
interface Extra {
  callbacksRequested: number;
  callbacksCompleted: number;
  scriptOutcomes: Record<string, number>;
  newClients: number;
}
const noExtra = (): Extra => ({ callbacksRequested: 0, callbacksCompleted: 0, scriptOutcomes: {}, newClients: 0 });

/**
 * The call-center reports, aggregated by the database over the journal (one pass per report on
 * the inbound calls of the range): nothing is loaded row by row. Formulas: docs/reports.md.
 */
export class ReportsService {
  constructor(
    private readonly db: Database,
    private readonly settings: ReportSettings,
  ) {}

  /** `queues`: only these queues (a supervisor's); null: all. */
  async calls(q: CallsReportQuery, queues: string[] | null): Promise<CallsReport> {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 7 * 86_400_000);
    const tz = q.tz ?? this.settings.timezone;
    const s = this.settings;
    const params: unknown[] = [from.toISOString(), to.toISOString(), tz, s.shortAbandonSeconds];
    const targetsParam = params.push(JSON.stringify(await this.targets()));
    const defaultParam = params.push(s.defaultTargetSeconds);
    const where = [
      `direction = 'inbound'`,
      `started_at >= ($1::timestamptz AT TIME ZONE 'UTC')`,
      `started_at < ($2::timestamptz AT TIME ZONE 'UTC')`,
      // $3 (the zone) is used by the time groupings only; named here so every statement has it typed.
      `$3::text IS NOT NULL`,
    ];
    if (q.queue) where.push(`queue = $${params.push(q.queue)}`);
    if (q.agent) where.push(`agent_extension = $${params.push(q.agent)}`);
    if (q.did) where.push(`called_number = $${params.push(q.did)}`);
    if (queues) where.push(`queue = ANY($${params.push(queues)}::text[])`);
    const filter = where.join(" AND ");

    // One pass over the journal: the calls are first summed per small slot (15 minutes: every
    // zone's offset is a multiple of it; or the queue, agent or DID) and disposition, then the
    // slots are read in the report's zone and summed per key, and per disposition (GROUPING SETS).
    // The zone conversion and formatting run once per slot, not once per call.
    const timed = q.groupBy === "day" || q.groupBy === "week" || q.groupBy === "hour";
    const inner = timed ? `date_bin('15 minutes', started_at, TIMESTAMP '2000-01-01')` : keyOf[q.groupBy];
    const outer = timed ? keyOf[q.groupBy].replaceAll("started_at", "k") : "k";
    const w = "COALESCE(wait_seconds, 0)";
    const buckets = abandonBuckets.map(([lo, hi], i) => `(count(*) FILTER (WHERE outcome = 'abandoned' AND ${w} >= ${lo}${hi === null ? "" : ` AND ${w} < ${hi}`}))::int AS ab${i}`);
    const sumCols = ["offered", "answered", "abandoned", "short_abandoned", "within_target", "wait_sum", "talk_sum", "hold_sum", "wrapup_sum", "transfers", "fcr", ...buckets.map((_, i) => `ab${i}`)];
    const grouped = await this.run<Sums & { d: string | null; by_key: number } & Record<string, unknown>>(
      `WITH b AS MATERIALIZED (
         SELECT GROUPING(disposition) AS by_key, ${inner} AS k, disposition AS d,
           count(*)::int AS offered,
           (count(*) FILTER (WHERE outcome = 'answered'))::int AS answered,
           (count(*) FILTER (WHERE outcome = 'abandoned' AND ${w} >= $4::int))::int AS abandoned,
           (count(*) FILTER (WHERE outcome = 'abandoned' AND ${w} < $4::int))::int AS short_abandoned,
           (count(*) FILTER (WHERE outcome = 'answered'
             AND ${w} <= COALESCE(($${targetsParam}::jsonb ->> queue)::int, $${defaultParam}::int)))::int AS within_target,
           COALESCE(sum(${w}) FILTER (WHERE outcome = 'answered'), 0)::float8 AS wait_sum,
           COALESCE(sum(GREATEST(COALESCE(talk_seconds, 0) - hold_seconds, 0)) FILTER (WHERE outcome = 'answered'), 0)::float8 AS talk_sum,
           COALESCE(sum(hold_seconds) FILTER (WHERE outcome = 'answered'), 0)::float8 AS hold_sum,
           COALESCE(sum(${wrapupSql(this.settings.wrapupSeconds)}) FILTER (WHERE outcome = 'answered'), 0)::float8 AS wrapup_sum,
           COALESCE(sum(transfers), 0)::int AS transfers,
           (count(*) FILTER (WHERE outcome = 'answered' AND NOT EXISTS (
             SELECT 1 FROM calls n WHERE n.direction = 'inbound' AND n.customer_number = calls.customer_number
               AND n.started_at > calls.started_at AND n.started_at <= calls.started_at + make_interval(days => ${Math.trunc(s.fcrDays)}))))::int AS fcr,
           ${buckets.join(",\n           ")}
         FROM calls WHERE ${filter}
         GROUP BY GROUPING SETS ((${inner}), (disposition)))
       SELECT 1 AS by_key, ${outer} AS key, NULL::text AS d, ${sumCols.map((c) => `sum(${c.replace(/ AS .*/, "")})::float8 AS ${c.replace(/.* AS /, "")}`).join(", ")}
       FROM b WHERE by_key = 1 GROUP BY 2
       UNION ALL
       SELECT 0, NULL, d, ${sumCols.map((c) => `${c.replace(/ AS .*/, "")}::float8`).join(", ")}
       FROM b WHERE by_key = 0`,
      params,
    );
    const extra = await this.extras(q, queues, { from, to, tz });
    const sumRows = grouped.filter((r) => Number(r.by_key) === 1);
    // A key with callbacks or new clients but no call (a day with callbacks only) still has its row.
    for (const key of extra.keys())
      if (!sumRows.some((r) => r.key === key))
        sumRows.push({ by_key: 1, d: null, key, offered: 0, answered: 0, abandoned: 0, short_abandoned: 0, within_target: 0, wait_sum: 0, talk_sum: 0, hold_sum: 0, wrapup_sum: 0, transfers: 0, fcr: 0, ...Object.fromEntries(abandonBuckets.map((_, i) => [`ab${i}`, 0])) });
    const sums = sumRows.sort((a, b) => (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1));
    const dispositions = grouped
      .filter((r) => Number(r.by_key) === 0 && Number(r.answered) > 0)
      .map((r) => ({ disposition: r.d, count: Number(r.answered) }))
      .sort((a, b) => b.count - a.count || (a.disposition === b.disposition ? 0 : a.disposition === null ? 1 : b.disposition === null ? -1 : a.disposition < b.disposition ? -1 : 1));
    const abandons = abandonBuckets.map((_, i) => ({ bucket: i, count: sums.reduce((n, r) => n + Number(r[`ab${i}`]), 0) }));
    const labels = await this.labels(q.groupBy, sums.map((r) => r.key));
    const total = sums.reduce<Sums>(
      (t, r) => {
        for (const k of Object.keys(t) as (keyof Sums)[]) if (k !== "key") t[k] += Number(r[k]);
        return t;
      },
      { key: null, offered: 0, answered: 0, abandoned: 0, short_abandoned: 0, within_target: 0, wait_sum: 0, talk_sum: 0, hold_sum: 0, wrapup_sum: 0, transfers: 0, fcr: 0 },
    );
    const totalExtra = [...extra.values()].reduce<Extra>((t, e) => {
      t.callbacksRequested += e.callbacksRequested;
      t.callbacksCompleted += e.callbacksCompleted;
      t.newClients += e.newClients;
      for (const [k, n] of Object.entries(e.scriptOutcomes)) t.scriptOutcomes[k] = (t.scriptOutcomes[k] ?? 0) + n;
      return t;
    }, noExtra());
    const withNew = q.groupBy === "did";
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy: q.groupBy,
      tz,
      shortAbandonSeconds: s.shortAbandonSeconds,
      rows: sums.map((r) => figures(r, r.key === null ? null : (labels.get(r.key) ?? null), extra.get(r.key) ?? noExtra(), withNew)),
      totals: figures({ ...total, key: "total" }, null, totalExtra, withNew),
      abandonTimes: abandonBuckets.map(([lo, hi], i) => ({
        bucket: hi === null ? `${lo}+` : `${lo}-${hi - 1}`,
        fromSeconds: lo,
        toSeconds: hi,
        count: abandons.find((a) => a.bucket === i)?.count ?? 0,
      })),
      dispositions,
    };
  }

  /**
   * Per key of the report: callbacks requested (created in the range) and completed (of those, done
   * with outcome reached or reached-by-customer), script outcomes of the range's calls, and, grouped
   * by DID, the clients created in the range that DID brought. Keys are computed as the calls' are.
   */
  private async extras(q: CallsReportQuery, queues: string[] | null, r: { from: Date; to: Date; tz: string }): Promise<Map<string | null, Extra>> {
    const out = new Map<string | null, Extra>();
    const at = (key: string | null) => {
      let e = out.get(key);
      if (!e) out.set(key, (e = noExtra()));
      return e;
    };
    // Callbacks: keyed by their creation time, queue, assignee's extension or the DID of the call they came from.
    const cbLocal = `(cb.created_at AT TIME ZONE $3)`;
    const cbKey: Record<Grouping, string> = {
      day: `to_char(${cbLocal}, 'YYYY-MM-DD')`,
      week: `to_char(date_trunc('week', ${cbLocal}), 'YYYY-MM-DD')`,
      hour: `to_char(${cbLocal}, 'HH24')`,
      queue: "cb.queue",
      agent: "u.extension",
      did: "o.called_number",
    };
    const cbParams: unknown[] = [r.from.toISOString(), r.to.toISOString(), r.tz];
    const cbWhere = ["cb.created_at >= $1::timestamptz", "cb.created_at < $2::timestamptz", "$3::text IS NOT NULL"];
    if (q.queue) cbWhere.push(`cb.queue = $${cbParams.push(q.queue)}`);
    if (q.agent) cbWhere.push(`u.extension = $${cbParams.push(q.agent)}`);
    if (q.did) cbWhere.push(`o.called_number = $${cbParams.push(q.did)}`);
    if (queues) cbWhere.push(`cb.queue = ANY($${cbParams.push(queues)}::text[])`);
    const callbacks = await this.optional(() =>
      this.db.query<{ key: string | null; requested: number; completed: number }>(
        `SELECT ${cbKey[q.groupBy]} AS key, count(*)::int AS requested,
           (count(*) FILTER (WHERE cb.status = 'done' AND cb.outcome IN ('reached', 'reached-by-customer')))::int AS completed
         FROM callbacks cb LEFT JOIN users u ON u.id = cb.assignee_id LEFT JOIN calls o ON o.linkedid = cb.origin_linkedid
         WHERE ${cbWhere.join(" AND ")} GROUP BY 1`,
        cbParams,
      ),
    );
    for (const c of callbacks) Object.assign(at(c.key), { callbacksRequested: c.requested, callbacksCompleted: c.completed });

    // Script outcomes of the range's calls (the calls report's own filter and key).
    const params: unknown[] = [r.from.toISOString(), r.to.toISOString(), r.tz];
    const where = [`direction = 'inbound'`, `started_at >= ($1::timestamptz AT TIME ZONE 'UTC')`, `started_at < ($2::timestamptz AT TIME ZONE 'UTC')`, `$3::text IS NOT NULL`];
    if (q.queue) where.push(`queue = $${params.push(q.queue)}`);
    if (q.agent) where.push(`agent_extension = $${params.push(q.agent)}`);
    if (q.did) where.push(`called_number = $${params.push(q.did)}`);
    if (queues) where.push(`queue = ANY($${params.push(queues)}::text[])`);
    const outcomes = await this.optional(() =>
      this.db.query<{ key: string | null; outcome: string; n: number }>(
        `SELECT c.k AS key, sr.outcome, count(*)::int AS n
         FROM (SELECT linkedid, ${keyOf[q.groupBy]} AS k FROM calls WHERE ${where.join(" AND ")}) c
         JOIN script_runs sr ON sr.linkedid = c.linkedid
         WHERE sr.outcome IS NOT NULL GROUP BY 1, 2`,
        params,
      ),
    );
    for (const o of outcomes) at(o.key).scriptOutcomes[o.outcome] = o.n;

    // New clients per DID: created in the range (not deleted); a client counts for the DID its first
    // call (any direction, linked to the client) was made to if that was inbound, else for the DID whose
    // label (DID_LABELS) is the client's lead source. Supervisors' scope and the queue/agent filters do not apply.
    if (q.groupBy === "did" && !queues && !q.queue && !q.agent) {
      const labels = Object.entries(this.settings.didLabels).map(([did, label]) => ({ did, label }));
      const clients = await this.db.query<{ did: string | null; n: number }>(
        `WITH nc AS (
           SELECT c.id, c.lead_source,
             (SELECT CASE WHEN f.direction = 'inbound' THEN f.called_number END FROM calls f WHERE f.client_id = c.id ORDER BY f.started_at, f.id LIMIT 1) AS first_did
           FROM clients c
           WHERE c.deleted_at IS NULL AND c.created_at >= ($1::timestamptz AT TIME ZONE 'UTC') AND c.created_at < ($2::timestamptz AT TIME ZONE 'UTC'))
         SELECT COALESCE(nc.first_did, l.did) AS did, count(*)::int AS n
         FROM nc LEFT JOIN jsonb_to_recordset($3::jsonb) AS l(did text, label text) ON nc.first_did IS NULL AND l.label = nc.lead_source
         WHERE COALESCE(nc.first_did, l.did) IS NOT NULL ${q.did ? "AND COALESCE(nc.first_did, l.did) = $4" : ""}
         GROUP BY 1`,
        [r.from.toISOString(), r.to.toISOString(), JSON.stringify(labels), ...(q.did ? [q.did] : [])],
      );
      for (const c of clients) at(c.did).newClients = c.n;
    }
    return out;
  }

  /** A query on another module's table, empty when the table is not there (an older database). */
  private async optional<T>(run: () => Promise<T[]>): Promise<T[]> {
    try {
      return await run();
    } catch (err) {
      if (/does not exist/.test(String((err as Error).message))) return [];
      throw err;
    }
  }

  /**
   * The report's one statement, in a transaction of its own with settings for one big aggregate:
   * no JIT (PostgreSQL compiled it for longer than the query ran: 0.6 s of 2.7 s on a year) and
   * room to hash the slots in memory instead of sorting them on disk.
   */
  private async run<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.db.prisma.$transaction(async (tx) => {
      if (this.db.kind === "postgres") await tx.$executeRawUnsafe("SET LOCAL jit = off");
      await tx.$executeRawUnsafe("SET LOCAL work_mem = '64MB'");
      return tx.$queryRawUnsafe<T[]>(sql, ...params);
    });
  }

  /**
   * Per agent: their call segments (answered, missed rings, talk and hold), the wrap-up of the calls
   * they handled last, and their time in each state from the supervisor's agent_state_log (a state
   * lasts until the agent's next row; the one in force at \`from\` counts from \`from\`, looking back
   * a week at most). \`queues\`: a supervisor's queues (null: all).
   */
  async agents(q: AgentsReportQuery, queues: string[] | null): Promise<AgentReportRow[]> {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 7 * 86_400_000);
    const params: unknown[] = [from.toISOString(), to.toISOString()];
    const where = [`started_at >= ($1::timestamptz AT TIME ZONE 'UTC')`, `started_at < ($2::timestamptz AT TIME ZONE 'UTC')`];
    if (q.queue) where.push(`queue = $${params.push(q.queue)}`);
    if (queues) where.push(`queue = ANY($${params.push(queues)}::text[])`);
    const filter = where.join(" AND ");
    const [segments, wrapups, states] = await Promise.all([
      this.db.query<{ agent: string; calls: number; missed: number; talk: number; hold: number }>(
        `SELECT s->>'agent' AS agent,
           (count(*) FILTER (WHERE s->>'answeredAt' IS NOT NULL AND s->>'result' IN ('completed', 'transferred', 'talking')))::int AS calls,
           (count(*) FILTER (WHERE s->>'result' = 'no-answer'))::int AS missed,
           COALESCE(sum(GREATEST((s->>'talkSeconds')::float8 - COALESCE((s->>'holdSeconds')::float8, 0), 0)) FILTER (WHERE s->>'answeredAt' IS NOT NULL), 0)::float8 AS talk,
           COALESCE(sum((s->>'holdSeconds')::float8) FILTER (WHERE s->>'answeredAt' IS NOT NULL), 0)::float8 AS hold
         FROM calls, jsonb_array_elements(segments) AS s WHERE ${filter} GROUP BY 1`,
        params,
      ),
      this.db.query<{ agent: string; wrapup: number }>(
        `SELECT agent_extension AS agent, COALESCE(sum(${wrapupSql(this.settings.wrapupSeconds)}), 0)::float8 AS wrapup FROM calls
         WHERE ${filter} AND outcome IN ('answered', 'reached') AND agent_extension IS NOT NULL GROUP BY 1`,
        params,
      ),
      this.states(from, to),
    ]);
    const rows = new Map<string, AgentReportRow>();
    const row = (agent: string) => {
      let r = rows.get(agent);
      if (!r) {
        r = { agent, calls: 0, missedRings: 0, talkSeconds: 0, holdSeconds: 0, wrapupSeconds: 0, availableSeconds: 0, onCallSeconds: 0, wrapupStateSeconds: 0, pausedSeconds: 0, occupancy: null, name: null, pauseByReason: {} };
        rows.set(agent, r);
      }
      return r;
    };
    for (const x of segments) Object.assign(row(x.agent), { calls: x.calls, missedRings: x.missed, talkSeconds: Math.round(x.talk), holdSeconds: Math.round(x.hold) });
    for (const x of wrapups) row(x.agent).wrapupSeconds = Math.round(x.wrapup);
    // With a queue filter, only the agents who took that queue's calls; their states are theirs whatever the queue.
    for (const x of states) {
      if ((q.queue || queues) && !rows.has(x.agent)) continue;
      const r = row(x.agent);
      const sec = Math.round(x.seconds);
      if (x.state === "available") r.availableSeconds += sec;
      else if (x.state === "on-call" || x.state === "ringing") r.onCallSeconds += sec;
      else if (x.state === "wrap-up") r.wrapupStateSeconds += sec;
      else if (x.state === "paused") {
        r.pausedSeconds += sec;
        const reason = x.reason ?? "(none)";
        r.pauseByReason[reason] = (r.pauseByReason[reason] ?? 0) + sec;
      }
    }
    const names = await this.labels("agent", [...rows.keys()]);
    for (const r of rows.values()) {
      r.name = names.get(r.agent) ?? null;
      const staffed = r.availableSeconds + r.onCallSeconds + r.wrapupStateSeconds;
      r.occupancy = staffed > 0 ? Math.round((1000 * (r.onCallSeconds + r.wrapupStateSeconds)) / staffed) / 10 : null;
    }
    return [...rows.values()].sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0));
  }

  /** Seconds per agent, state and reason within [from, to) (agent_state_log; none on a database without it). */
  private async states(from: Date, to: Date): Promise<{ agent: string; state: string; reason: string | null; seconds: number }[]> {
    const end = new Date(Math.min(to.getTime(), Date.now()));
    try {
      return await this.db.query<{ agent: string; state: string; reason: string | null; seconds: number }>(
        `WITH l AS (
           SELECT agent, state, reason, started_at, lead(started_at) OVER (PARTITION BY pbx, agent ORDER BY started_at, id) AS next
           FROM agent_state_log WHERE started_at < $2::timestamptz AND started_at >= $1::timestamptz - interval '7 days')
         SELECT agent, state, reason,
           sum(date_part('epoch', LEAST(COALESCE(next, $2::timestamptz), $2::timestamptz) - GREATEST(started_at, $1::timestamptz)))::float8 AS seconds
         FROM l WHERE COALESCE(next, $2::timestamptz) > $1::timestamptz GROUP BY 1, 2, 3`,
        [from.toISOString(), end.toISOString()],
      );
    } catch {
      return [];
    }
  }

  /** Each queue's service-level target in seconds, as the wallboard measures it (queue_targets). */
  private async targets(): Promise<Record<string, number>> {
    try {
      const rows = await this.db.query<{ queue: string; target_seconds: number }>("SELECT queue, target_seconds FROM queue_targets");
      return Object.fromEntries(rows.map((r) => [r.queue, r.target_seconds]));
    } catch {
      // The supervisor module's table is not there (an older database): every queue has the default.
      return {};
    }
  }

  private async labels(groupBy: Grouping, keys: (string | null)[]): Promise<Map<string, string>> {
    const present = keys.filter((k): k is string => k !== null);
    if (groupBy === "did") return new Map(present.flatMap((k) => (this.settings.didLabels[k] ? [[k, this.settings.didLabels[k]] as [string, string]] : [])));
    if (groupBy !== "agent" || !present.length) return new Map();
    const users = await this.db.query<{ extension: string; display_name: string }>(
      "SELECT extension, display_name FROM users WHERE extension = ANY($1::text[])",
      [present],
    );
    return new Map(users.map((u) => [u.extension, u.display_name]));
  }
}

/** Percent with one decimal, as on the wallboard (server/supervisor/queue-figures.ts). */
const percent = (n: number, d: number): number | null => (d > 0 ? Math.round((1000 * n) / d) / 10 : null);
const ratio = (n: number, d: number, digits: number): number | null => (d > 0 ? Math.round((n / d) * 10 ** digits) / 10 ** digits : null);

/** The figures of one group from its sums (docs/reports.md). */
function figures(r: Sums, label: string | null, e: Extra, withNewClients: boolean): CallsReportRow {
  const answered = Number(r.answered);
  const abandoned = Number(r.abandoned);
  const shortAbandoned = Number(r.short_abandoned);
  const within = Number(r.within_target);
  const talk = Number(r.talk_sum);
  const hold = Number(r.hold_sum);
  const wrap = Number(r.wrapup_sum);
  return {
    key: r.key,
    offered: Number(r.offered),
    answered,
    abandoned,
    shortAbandoned,
    serviceLevel: percent(within, answered),
    serviceLevelWithAbandons: percent(within, answered + abandoned),
    asaSeconds: ratio(Number(r.wait_sum), answered, 1),
    ahtSeconds: ratio(talk + hold + wrap, answered, 1),
    talkSeconds: ratio(talk, answered, 1),
    holdSeconds: ratio(hold, answered, 1),
    wrapupSeconds: ratio(wrap, answered, 1),
    transfers: Number(r.transfers),
    answeredWithinTarget: within,
    label,
    callbacksRequested: e.callbacksRequested,
    callbacksCompleted: e.callbacksCompleted,
    firstContactResolution: percent(Number(r.fcr), answered),
    scriptOutcomes: e.scriptOutcomes,
    newClients: withNewClients ? e.newClients : null,
  };
}
