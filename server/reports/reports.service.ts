import type { Database } from "../platform/db/database.js";
import { abandonBuckets, addSums, bucketAliases, sumAliases, sumColumns, sumNames, sumsOf, wrapupSql, zeroSums, type SumSettings, type Sums } from "./call-sums.js";
import { ReportRollup } from "./report-rollup.js";
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

// Timestamps in the journal are UTC (timestamp without time zone): first made a timestamptz,
// then read in the report's zone, so a call at 23:30 UTC is on the next day in Paris.
const localOf = (col: string) => `((${col} AT TIME ZONE 'UTC') AT TIME ZONE $3)`;
const timeKeyOf = (col: string): Record<"day" | "week" | "hour", string> => ({
  day: `to_char(${localOf(col)}, 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', ${localOf(col)}), 'YYYY-MM-DD')`,
  hour: `to_char(${localOf(col)}, 'HH24')`,
});
const keyOf: Record<Grouping, string> = { ...timeKeyOf("started_at"), queue: "queue", agent: "agent_extension", did: "called_number" };
const isTimed = (g: Grouping): g is "day" | "week" | "hour" => g === "day" || g === "week" || g === "hour";
const slotMs = 15 * 60_000;
// A rollup's rows within [$1, $2): slots are UTC; days are the centre's ($4), and the range is
// whole days of it there.
const slotRange = "slot >= ($1::timestamptz AT TIME ZONE 'UTC') AND slot < ($2::timestamptz AT TIME ZONE 'UTC')";
const dayRange = "day >= ($1::timestamptz AT TIME ZONE $4)::date AND day < ($2::timestamptz AT TIME ZONE $4)::date";

/** Per key of the report, the sums its figures are made of; and answered calls per disposition. */
interface Collected {
  sums: Map<string | null, Sums>;
  dispositions: Map<string | null, number>;
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
 * The call-center reports, aggregated by the database: the whole slots and days of a range come
 * from the rollups (report-rollup.ts), its ragged edges straight from the journal, with the same
 * sums (call-sums.ts); nothing is loaded row by row. Formulas: docs/reports.md.
 */
export class ReportsService {
  readonly rollup: ReportRollup;

  constructor(
    private readonly db: Database,
    private readonly settings: ReportSettings,
    onError?: (err: Error) => void,
  ) {
    this.rollup = new ReportRollup(db, async () => ({ ...(await this.sumSettings()), timezone: settings.timezone }), onError);
  }

  /** `queues`: only these queues (a supervisor's); null: all. */
  async calls(q: CallsReportQuery, queues: string[] | null): Promise<CallsReport> {
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 7 * 86_400_000);
    const tz = q.tz ?? this.settings.timezone;
    const s = this.settings;
    // The kept sums, when they are computed with today's settings (else the journal alone, while they are rebuilt).
    const sumSettings = await this.sumSettings();
    const kept = await this.rollup.current({ ...sumSettings, timezone: s.timezone });
    const collected: Collected = { sums: new Map(), dispositions: new Map() };
    // The part of the range the rollups hold whole: 15-minute slots for days, weeks and hours (in
    // any zone: every zone's offset is a multiple of 15 minutes), days of the centre's zone for
    // queues, agents and DIDs. The slots have no agent or DID: filtered by those, the journal is read.
    let whole: { from: Date; to: Date } | null = null;
    if (kept && isTimed(q.groupBy) && !q.agent && !q.did) {
      const a = new Date(Math.ceil(from.getTime() / slotMs) * slotMs);
      const b = new Date(Math.floor(to.getTime() / slotMs) * slotMs);
      if (a < b) {
        whole = { from: a, to: b };
        // The rows for all queues, unless some queues only are asked for.
        const level = q.queue || queues ? "queue" : "all";
        await this.fromRollup("call_rollup_slots", level, slotRange, timeKeyOf("slot")[q.groupBy], whole, tz, q, queues, collected);
      }
    } else if (kept && !isTimed(q.groupBy)) {
      whole = await this.wholeDays(from, to);
      const g = q.groupBy;
      // The rows per value of the grouping alone, unless another dimension filters them.
      const others = { queue: !!(q.agent || q.did), agent: !!(q.queue || q.did || queues), did: !!(q.queue || q.agent || queues) }[g];
      const column = { queue: "queue", agent: "agent", did: "did" }[g];
      if (whole) await this.fromRollup("call_rollup_days", others ? "detail" : g, dayRange, column, whole, tz, q, queues, collected);
    }
    await this.fromJournal(q, queues, { from, to, tz }, whole, sumSettings, collected);

    const extra = await this.extras(q, queues, { from, to, tz });
    // A key with callbacks or new clients but no call (a day with callbacks only) still has its row.
    for (const key of extra.keys()) if (!collected.sums.has(key)) collected.sums.set(key, zeroSums());
    const keys = [...collected.sums.keys()].sort((a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1));
    const dispositions = [...collected.dispositions.entries()]
      .filter(([, count]) => count > 0)
      .map(([disposition, count]) => ({ disposition, count }))
      .sort((a, b) => b.count - a.count || (a.disposition === b.disposition ? 0 : a.disposition === null ? 1 : b.disposition === null ? -1 : a.disposition < b.disposition ? -1 : 1));
    const total = keys.reduce((t, k) => addSums(t, collected.sums.get(k)!), zeroSums());
    const labels = await this.labels(q.groupBy, keys);
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
      rows: keys.map((k) => figures(k, collected.sums.get(k)!, k === null ? null : (labels.get(k) ?? null), extra.get(k) ?? noExtra(), withNew)),
      totals: figures("total", total, null, totalExtra, withNew),
      abandonTimes: abandonBuckets.map(([lo, hi], i) => ({
        bucket: hi === null ? `${lo}+` : `${lo}-${hi - 1}`,
        fromSeconds: lo,
        toSeconds: hi,
        count: total.ab[i] ?? 0,
      })),
      dispositions,
    };
  }

  /** The settings the sums are measured against, with the queues' current targets. */
  private async sumSettings(): Promise<SumSettings> {
    const s = this.settings;
    return { shortAbandonSeconds: s.shortAbandonSeconds, targets: await this.targets(), defaultTargetSeconds: s.defaultTargetSeconds, wrapupSeconds: s.wrapupSeconds, fcrDays: s.fcrDays };
  }

  /** The whole days of the centre's zone within [from, to), as instants; null when there is none. */
  private async wholeDays(from: Date, to: Date): Promise<{ from: Date; to: Date } | null> {
    const [r] = await this.db.query<{ a: Date; b: Date }>(
      `SELECT (CASE WHEN (f AT TIME ZONE $3) < $1::timestamptz THEN f + interval '1 day' ELSE f END) AT TIME ZONE $3 AS a, t AT TIME ZONE $3 AS b
       FROM (SELECT date_trunc('day', $1::timestamptz AT TIME ZONE $3) AS f, date_trunc('day', $2::timestamptz AT TIME ZONE $3) AS t) x`,
      [from.toISOString(), to.toISOString(), this.settings.timezone],
    );
    const a = new Date(r!.a);
    const b = new Date(r!.b);
    return a < b ? { from: a, to: b } : null;
  }

  /**
   * Adds the rollup's rows of `level` within `range` ($1, $2; `inRange` says it in the table's
   * terms) to `into`, per `keyExpr`. `$3` is the report's zone, `$4` the centre's.
   */
  private async fromRollup(
    table: "call_rollup_slots" | "call_rollup_days",
    level: string,
    inRange: string,
    keyExpr: string,
    range: { from: Date; to: Date },
    tz: string,
    q: CallsReportQuery,
    queues: string[] | null,
    into: Collected,
  ): Promise<void> {
    const params: unknown[] = [range.from.toISOString(), range.to.toISOString(), tz, this.settings.timezone];
    const where = [`level = $${params.push(level)}`, inRange, "$3::text IS NOT NULL", "$4::text IS NOT NULL"];
    if (q.queue) where.push(`queue = $${params.push(q.queue)}`);
    if (queues) where.push(`queue = ANY($${params.push(queues)}::text[])`);
    if (table === "call_rollup_days") {
      if (q.agent) where.push(`agent = $${params.push(q.agent)}`);
      if (q.did) where.push(`did = $${params.push(q.did)}`);
    }
    const filter = where.join(" AND ");
    const buckets = bucketAliases.map((a, i) => `sum(abandon_buckets[${i + 1}])::float8 AS ${a}`);
    const [rows, dispositions] = await Promise.all([
      this.db.query<Record<string, unknown> & { key: string | null }>(
        `SELECT ${keyExpr} AS key, ${sumNames.map((n) => `sum(${n})::float8 AS ${n}`).join(", ")}, ${buckets.join(", ")}
         FROM ${table} WHERE ${filter} GROUP BY 1`,
        params,
      ),
      this.db.query<{ d: string; n: number }>(`SELECT d.key AS d, sum(d.value::int)::int AS n FROM ${table}, jsonb_each_text(dispositions) AS d WHERE ${filter} GROUP BY 1`, params),
    ]);
    for (const r of rows) into.sums.set(r.key, addSums(into.sums.get(r.key) ?? zeroSums(), sumsOf(r)));
    for (const r of dispositions) {
      const d = r.d === "" ? null : r.d;
      into.dispositions.set(d, (into.dispositions.get(d) ?? 0) + r.n);
    }
  }

  /**
   * Adds the journal's inbound calls of the range outside `skip` (the part read from a rollup):
   * summed first per 15-minute slot (or the queue, agent or DID) and disposition, then per key in
   * the report's zone, so the zone conversion runs once per slot, not once per call.
   */
  private async fromJournal(q: CallsReportQuery, queues: string[] | null, r: { from: Date; to: Date; tz: string }, skip: { from: Date; to: Date } | null, s: SumSettings, into: Collected): Promise<void> {
    const params: unknown[] = [r.from.toISOString(), r.to.toISOString(), r.tz];
    const where = [
      `direction = 'inbound'`,
      `started_at >= ($1::timestamptz AT TIME ZONE 'UTC')`,
      `started_at < ($2::timestamptz AT TIME ZONE 'UTC')`,
      // $3 (the zone) is used by the time groupings only; named here so every statement has it typed.
      `$3::text IS NOT NULL`,
    ];
    if (skip) where.push(`NOT (started_at >= ($${params.push(skip.from.toISOString())}::timestamptz AT TIME ZONE 'UTC') AND started_at < ($${params.push(skip.to.toISOString())}::timestamptz AT TIME ZONE 'UTC'))`);
    if (q.queue) where.push(`queue = $${params.push(q.queue)}`);
    if (q.agent) where.push(`agent_extension = $${params.push(q.agent)}`);
    if (q.did) where.push(`called_number = $${params.push(q.did)}`);
    if (queues) where.push(`queue = ANY($${params.push(queues)}::text[])`);
    const g = q.groupBy;
    const inner = isTimed(g) ? "date_bin('15 minutes', started_at, TIMESTAMP '2000-01-01')" : keyOf[g];
    const outer = isTimed(g) ? timeKeyOf("k")[g] : "k";
    const rows = await this.run<Record<string, unknown> & { by_key: number; key: string | null; d: string | null }>(
      `WITH b AS MATERIALIZED (
         SELECT GROUPING(disposition) AS by_key, ${inner} AS k, disposition AS d, ${sumColumns(s).join(", ")}
         FROM calls WHERE ${where.join(" AND ")}
         GROUP BY GROUPING SETS ((${inner}), (disposition)))
       SELECT 1 AS by_key, ${outer} AS key, NULL::text AS d, ${sumAliases.map((c) => `sum(${c})::float8 AS ${c}`).join(", ")}
       FROM b WHERE by_key = 1 GROUP BY 2
       UNION ALL
       SELECT 0, NULL, d, ${sumAliases.map((c) => `${c}::float8`).join(", ")}
       FROM b WHERE by_key = 0`,
      params,
    );
    for (const x of rows) {
      if (Number(x.by_key) === 1) into.sums.set(x.key, addSums(into.sums.get(x.key) ?? zeroSums(), sumsOf(x)));
      else into.dispositions.set(x.d, (into.dispositions.get(x.d) ?? 0) + Number(x.answered));
    }
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
function figures(key: string | null, r: Sums, label: string | null, e: Extra, withNewClients: boolean): CallsReportRow {
  const answered = r.answered;
  const abandoned = r.abandoned;
  const within = r.within_target;
  const talk = r.talk_sum;
  const hold = r.hold_sum;
  const wrap = r.wrapup_sum;
  return {
    key,
    offered: r.offered,
    answered,
    abandoned,
    shortAbandoned: r.short_abandoned,
    serviceLevel: percent(within, answered),
    serviceLevelWithAbandons: percent(within, answered + abandoned),
    asaSeconds: ratio(r.wait_sum, answered, 1),
    ahtSeconds: ratio(talk + hold + wrap, answered, 1),
    talkSeconds: ratio(talk, answered, 1),
    holdSeconds: ratio(hold, answered, 1),
    wrapupSeconds: ratio(wrap, answered, 1),
    transfers: r.transfers,
    answeredWithinTarget: within,
    label,
    callbacksRequested: e.callbacksRequested,
    callbacksCompleted: e.callbacksCompleted,
    firstContactResolution: percent(r.fcr, answered),
    scriptOutcomes: e.scriptOutcomes,
    newClients: withNewClients ? e.newClients : null,
  };
}
