import crypto from "node:crypto";
import { breather } from "../platform/breather.js";
import type { Database } from "../platform/db/database.js";
import { bucketAliases, sumColumns, sumNames, type SumSettings } from "./call-sums.js";

/** FCR_DAYS' largest value (server/platform/config.ts). */
const maxFcrDays = 90;

/**
 * The inbound calls' sums kept for the call reports (migration 0018, docs/reports.md "How the
 * figures are kept"):
 * - call_rollup_slots: per 15-minute slot (UTC), for days, weeks and hours in any zone;
 * - call_rollup_days: per day of the centre's zone, for groupings by queue, agent and DID.
 *
 * The journal only inserts rows (rollup_pending by default) and a wrap-up marks its row again.
 * `fold` takes the pending rows in, in one short transaction: it clears their flag, sets the
 * `next_inbound_at` of the inbound calls of their numbers (an earlier call's first-contact
 * resolution ends when the same number calls again), and recomputes from the journal every
 * slot and day any of those calls falls in. Recomputing a slot from its rows, rather than
 * adding to it, keeps it right whatever order calls are journaled or wrapped up in.
 *
 * The sums depend on settings (targets, short-abandon limit, wrap-up cap, FCR_DAYS, the centre's
 * zone). When they change, `rebuild` recomputes the whole journal a week at a time, each week in
 * a transaction of its own so the journal and the screen pop keep the database (PGlite has one
 * connection); until it is done, `current()` is false and reports read the journal itself.
 */
export class ReportRollup {
  private rebuilding: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private background: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    /** Read at each fold: the queues' targets can change at any time. */
    private readonly settings: () => Promise<SumSettings & { timezone: string }>,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  /**
   * Folds in what was journaled since the last fold; true when the sums are computed with the
   * current settings (`settings`, when the caller has just read them) and can be read. When they
   * are not, a rebuild is started (in the background).
   */
  async current(settings?: SumSettings & { timezone: string }): Promise<boolean> {
    const s = settings ?? (await this.settings());
    const [state] = await this.db.query<{ fingerprint: string }>("SELECT fingerprint FROM call_rollup_state WHERE id = 1");
    await this.fold(s);
    if (state?.fingerprint === fingerprintOf(s)) return true;
    this.rebuilding ??= this.rebuild().catch((err: Error) => this.onError(err)).finally(() => (this.rebuilding = null));
    return false;
  }

  /** Folds pending calls in and brings the sums up to date every `everyMs` (each node; one at a time). */
  startFolding(everyMs = 30_000): void {
    const tick = () => {
      this.background = this.current().catch((err: Error) => this.onError(err));
    };
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.background;
    await this.rebuilding;
  }

  /** Resolves when no rebuild is under way (tests and the benchmark wait for it). */
  async settled(): Promise<void> {
    await this.rebuilding;
  }

  /** Folds every pending call into the sums (with the current settings). */
  async fold(s?: SumSettings & { timezone: string }): Promise<number> {
    // Cheap when nothing was journaled: the pending rows are in a partial index of their own.
    const pending = await this.db.query<{ one: number }>("SELECT 1 AS one FROM calls WHERE rollup_pending LIMIT 1");
    if (!pending.length) return 0;
    const settings = s ?? (await this.settings());
    return this.transaction(settings, async (tx, sql) => {
      // The calls to fold: their flag is cleared now, so a wrap-up saved meanwhile marks its row again.
      await tx.$executeRawUnsafe("CREATE TEMP TABLE rollup_touched (started_at TIMESTAMP(3) NOT NULL) ON COMMIT DROP");
      await tx.$executeRawUnsafe("CREATE TEMP TABLE rollup_numbers (customer_number TEXT PRIMARY KEY) ON COMMIT DROP");
      const calls = Number(
        await tx.$executeRawUnsafe(
          `WITH p AS (UPDATE calls SET rollup_pending = false WHERE rollup_pending RETURNING direction, customer_number, started_at),
             n AS (INSERT INTO rollup_numbers SELECT DISTINCT customer_number FROM p WHERE direction = 'inbound' AND customer_number IS NOT NULL)
           INSERT INTO rollup_touched SELECT started_at FROM p WHERE direction = 'inbound'`,
        ),
      );
      // Fresh statistics on the small temporary tables, so the planner reaches the journal by its indexes.
      await tx.$executeRawUnsafe("ANALYZE rollup_numbers, rollup_touched");
      // Their numbers' calls: a call journaled late can change an earlier one's next call
      // (strictly later: 1 ms is the journal's resolution). Calls more than FCR_DAYS' largest
      // value before the earliest of them are left as they are: whatever their next call, a
      // new one cannot change their first-contact resolution. The slot of an earlier call is
      // refolded only when that changes its first-contact resolution (the next call now falls
      // within FCR_DAYS, or no longer does): a repeat months later changes nothing.
      const within = (col: string) => `(${col} IS NOT NULL AND ${col} <= x.started_at + make_interval(days => ${Math.trunc(settings.fcrDays)}))`;
      await tx.$executeRawUnsafe(
        `WITH changed AS (
           UPDATE calls c SET next_inbound_at = x.next
           FROM (SELECT id, started_at, next_inbound_at AS prev, min(started_at) OVER (PARTITION BY customer_number ORDER BY started_at
                   RANGE BETWEEN INTERVAL '1 millisecond' FOLLOWING AND UNBOUNDED FOLLOWING) AS next
                 FROM calls WHERE direction = 'inbound' AND customer_number IN (SELECT customer_number FROM rollup_numbers)
                   AND started_at >= (SELECT min(started_at) FROM rollup_touched) - interval '${maxFcrDays + 1} days') x
           WHERE x.id = c.id AND c.next_inbound_at IS DISTINCT FROM x.next
           RETURNING x.started_at, ${within("x.prev")} AS was, ${within("x.next")} AS now)
         INSERT INTO rollup_touched SELECT started_at FROM changed WHERE was <> now`,
      );
      await tx.$executeRawUnsafe(`CREATE TEMP TABLE rollup_slots ON COMMIT DROP AS SELECT DISTINCT ${sql.slotOf} AS slot FROM rollup_touched`);
      await tx.$executeRawUnsafe(`CREATE TEMP TABLE rollup_days ON COMMIT DROP AS SELECT DISTINCT ${sql.dayOf} AS day FROM rollup_touched`);
      await tx.$executeRawUnsafe("DELETE FROM call_rollup_slots WHERE slot IN (SELECT slot FROM rollup_slots)");
      await tx.$executeRawUnsafe("DELETE FROM call_rollup_days WHERE day IN (SELECT day FROM rollup_days)");
      // Each slot's or day's calls by start-time range, so the journal's started_at index serves them.
      const slots = "rollup_slots r JOIN calls ON started_at >= r.slot AND started_at < r.slot + interval '15 minutes'";
      const days = `rollup_days r JOIN calls ON started_at >= ${sql.startOf("r.day")} AND started_at < ${sql.startOf("r.day + 1")}`;
      for (const stmt of foldAll(sql, slots, days, "TRUE")) await tx.$executeRawUnsafe(stmt);
      return calls;
    });
  }

  /**
   * Recomputes every slot and day from the journal with the current settings, a week (of the
   * centre's zone) per transaction, then records the settings it was done with, unless they
   * changed meanwhile (the next `current()` starts again).
   */
  private async rebuild(): Promise<void> {
    const s = await this.settings();
    const fingerprint = fingerprintOf(s);
    const sql = sqlOf(s);
    const [span] = await this.db.query<{ first: string | null; last: string | null }>(
      `SELECT min(${sql.dayOf})::text AS first, max(${sql.dayOf})::text AS last FROM calls WHERE direction = 'inbound'`,
    );
    const breathe = breather(0);
    for (let week = span?.first ?? null; week !== null && week <= span!.last!; week = addDays(week, 7)) {
      // Timers and requests run between weeks (on PGlite the rebuild runs on this thread).
      await breathe();
      const end = addDays(week, 7);
      await this.transaction(s, async (tx, sql) => {
        const from = sql.startOf(`DATE '${week}'`);
        const to = sql.startOf(`DATE '${end}'`);
        await tx.$executeRawUnsafe(`DELETE FROM call_rollup_slots WHERE slot >= ${from} AND slot < ${to}`);
        await tx.$executeRawUnsafe(`DELETE FROM call_rollup_days WHERE day >= DATE '${week}' AND day < DATE '${end}'`);
        for (const stmt of foldAll(sql, "calls", "calls", `started_at >= ${from} AND started_at < ${to}`)) await tx.$executeRawUnsafe(stmt);
      });
    }
    // Read outside the transaction: PGlite's one connection is the transaction's until it ends.
    if (fingerprintOf(await this.settings()) !== fingerprint) return;
    await this.transaction(s, async (tx) => {
      await tx.$executeRawUnsafe(
        `INSERT INTO call_rollup_state (id, fingerprint, rebuilt_at) VALUES (1, $1, now())
         ON CONFLICT (id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, rebuilt_at = now()`,
        fingerprint,
      );
    });
  }

  /** One fold or one week of a rebuild: one at a time across nodes and requests (two recomputing the same slot would both insert it). */
  private transaction<T>(s: SumSettings & { timezone: string }, work: (tx: Tx, sql: FoldSql) => Promise<T>): Promise<T> {
    return this.db.prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(720018)");
        if (this.db.kind === "postgres") await tx.$executeRawUnsafe("SET LOCAL jit = off");
        await tx.$executeRawUnsafe("SET LOCAL work_mem = '64MB'");
        return work(tx, sqlOf(s));
      },
      { timeout: 600_000, maxWait: 600_000 },
    );
  }
}

type Tx = Parameters<Parameters<Database["prisma"]["$transaction"]>[0]>[0];

/** The settings the sums depend on, as one string (call_rollup_state.fingerprint). */
function fingerprintOf(s: SumSettings & { timezone: string }): string {
  const parts = [s.shortAbandonSeconds, Object.entries(s.targets).sort(), s.defaultTargetSeconds, s.wrapupSeconds, s.fcrDays, s.timezone];
  return crypto.createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

/** `YYYY-MM-DD` plus `n` days. */
function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

interface FoldSql {
  cols: string[];
  /** A call's 15-minute slot (UTC) and day (the centre's zone). */
  slotOf: string;
  dayOf: string;
  /** The UTC instant a day of the centre's zone (a date expression) starts at. */
  startOf: (day: string) => string;
}

function sqlOf(s: SumSettings & { timezone: string }): FoldSql {
  const tz = s.timezone.replaceAll("'", "''");
  return {
    cols: sumColumns(s),
    slotOf: "date_bin('15 minutes', started_at, TIMESTAMP '2000-01-01')",
    dayOf: `((started_at AT TIME ZONE 'UTC') AT TIME ZONE '${tz}')::date`,
    startOf: (day) => `((((${day})::timestamp) AT TIME ZONE '${tz}') AT TIME ZONE 'UTC')`,
  };
}

/**
 * The statements folding the calls of `slots` and of `days` (FROM clauses over `calls`) that match
 * `where` into the rollups, at each level of detail (migration 0018): per slot for all queues and
 * per queue; per day per queue, agent and DID together, and per each alone (what an unfiltered
 * report reads).
 */
function foldAll(sql: FoldSql, slots: string, days: string, where: string): string[] {
  const slot = (level: string, queue: string) => foldSql("call_rollup_slots", { slot: sql.slotOf, level: `'${level}'`, queue }, sql.cols, slots, where);
  const day = (level: string, queue: string, agent: string, did: string) => foldSql("call_rollup_days", { day: sql.dayOf, level: `'${level}'`, queue, agent, did }, sql.cols, days, where);
  return [
    slot("all", "NULL::text"),
    slot("queue", "queue"),
    day("detail", "queue", "agent_extension", "called_number"),
    day("queue", "queue", "NULL::text", "NULL::text"),
    day("agent", "NULL::text", "agent_extension", "NULL::text"),
    day("did", "NULL::text", "NULL::text", "called_number"),
  ];
}

/**
 * INSERT INTO `table` the sums of the inbound calls of `from` matching `where`, per the key columns (name →
 * expression): first per key and disposition, then per key, with the answered calls of each
 * disposition in a JSON object ("" for none) and the abandons per bucket in an array.
 */
function foldSql(table: string, key: Record<string, string>, cols: string[], from: string, where: string): string {
  const names = Object.keys(key);
  const k = names.map((_, i) => `k${i}`);
  return `INSERT INTO ${table} (${names.join(", ")}, ${sumNames.join(", ")}, abandon_buckets, dispositions)
    SELECT ${k.join(", ")}, ${sumNames.map((n) => `sum(${n})`).join(", ")},
      ARRAY[${bucketAliases.map((b) => `sum(${b})::int`).join(", ")}],
      COALESCE(jsonb_object_agg(COALESCE(d, ''), answered) FILTER (WHERE answered > 0), '{}'::jsonb)
    FROM (SELECT ${Object.values(key).map((e, i) => `${e} AS k${i}`).join(", ")}, disposition AS d, ${cols.join(", ")}
          FROM ${from} WHERE direction = 'inbound' AND ${where} GROUP BY ${names.map((_, i) => i + 1).join(", ")}, disposition) g
    GROUP BY ${k.join(", ")}`;
}
