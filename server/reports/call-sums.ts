/**
 * The sums every call figure is made of (docs/reports.md), as SQL over journal rows: one list used
 * both to fold calls into the rollups (report-rollup.ts) and to read the few calls of a range's
 * ragged edges straight from the journal (reports.service.ts), so the two can never disagree.
 */

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

/** The alias of each abandon bucket's count in SQL (ab0…ab6). */
export const bucketAliases = abandonBuckets.map((_, i) => `ab${i}`);

/** The summed columns, in the order the rollup tables hold them (abandons per bucket apart). */
export const sumNames = ["offered", "answered", "abandoned", "short_abandoned", "within_target", "wait_sum", "talk_sum", "hold_sum", "wrapup_sum", "transfers", "fcr"] as const;
export type SumName = (typeof sumNames)[number];

/** One group's sums; `ab` holds the abandons per bucket of abandonBuckets. */
export type Sums = Record<SumName, number> & { ab: number[] };
export const zeroSums = (): Sums => ({ ...(Object.fromEntries(sumNames.map((n) => [n, 0])) as Record<SumName, number>), ab: abandonBuckets.map(() => 0) });

export function addSums(into: Sums, s: Sums): Sums {
  for (const n of sumNames) into[n] += Number(s[n]);
  s.ab.forEach((v, i) => (into.ab[i] = (into.ab[i] ?? 0) + Number(v)));
  return into;
}

/** What the figures are measured against; a change of any of it means the rollups are rebuilt. */
export interface SumSettings {
  shortAbandonSeconds: number;
  /** Each queue's service-level target (queue_targets); other queues: defaultTargetSeconds. */
  targets: Record<string, number>;
  defaultTargetSeconds: number;
  /** WRAPUP_SECONDS: the after-call-work pause ends by itself after this long (the wallboard's cap). */
  wrapupSeconds: number;
  /** FCR_DAYS. */
  fcrDays: number;
}

/**
 * Wrap-up, as the wallboard counts it (server/supervisor/day-totals.ts): hang-up to the saved
 * wrap-up, between 0 and WRAPUP_SECONDS (the after-call-work pause ends by itself there), or
 * WRAPUP_SECONDS when none was saved. `cap` is a whole number from the config (inlined, not a parameter).
 */
export const wrapupSql = (cap: number) => {
  const w = Math.max(0, Math.trunc(cap));
  return `CASE WHEN wrapped_at IS NULL THEN ${w} ELSE LEAST(GREATEST(date_part('epoch', wrapped_at - ended_at), 0), ${w}) END`;
};

/**
 * The aggregate expressions over `calls` rows, each `... AS <name>` (sumNames, then ab0..ab6).
 * Settings are written into the SQL as literals (numbers made whole, the targets as a JSON
 * literal), so the statement needs no parameters of its own.
 */
export function sumColumns(s: SumSettings): string[] {
  const w = "COALESCE(wait_seconds, 0)";
  const short = Math.max(0, Math.trunc(s.shortAbandonSeconds));
  const targets = `'${JSON.stringify(s.targets).replaceAll("'", "''")}'::jsonb`;
  const answered = "outcome = 'answered'";
  return [
    "count(*)::int AS offered",
    `(count(*) FILTER (WHERE ${answered}))::int AS answered`,
    `(count(*) FILTER (WHERE outcome = 'abandoned' AND ${w} >= ${short}))::int AS abandoned`,
    `(count(*) FILTER (WHERE outcome = 'abandoned' AND ${w} < ${short}))::int AS short_abandoned`,
    `(count(*) FILTER (WHERE ${answered} AND ${w} <= COALESCE((${targets} ->> queue)::int, ${Math.trunc(s.defaultTargetSeconds)})))::int AS within_target`,
    `COALESCE(sum(${w}) FILTER (WHERE ${answered}), 0)::float8 AS wait_sum`,
    `COALESCE(sum(GREATEST(COALESCE(talk_seconds, 0) - hold_seconds, 0)) FILTER (WHERE ${answered}), 0)::float8 AS talk_sum`,
    `COALESCE(sum(hold_seconds) FILTER (WHERE ${answered}), 0)::float8 AS hold_sum`,
    `COALESCE(sum(${wrapupSql(s.wrapupSeconds)}) FILTER (WHERE ${answered}), 0)::float8 AS wrapup_sum`,
    "COALESCE(sum(transfers), 0)::int AS transfers",
    // Resolved at first contact: answered, and the same number did not call in again within FCR_DAYS.
    `(count(*) FILTER (WHERE ${answered} AND (next_inbound_at IS NULL OR next_inbound_at > started_at + make_interval(days => ${Math.trunc(s.fcrDays)}))))::int AS fcr`,
    ...abandonBuckets.map(([lo, hi], i) => `(count(*) FILTER (WHERE outcome = 'abandoned' AND ${w} >= ${lo}${hi === null ? "" : ` AND ${w} < ${hi}`}))::int AS ${bucketAliases[i]}`),
  ];
}

/** The alias of each of sumColumns' expressions. */
export const sumAliases = [...sumNames, ...bucketAliases];

/** A row of sumAliases (as the driver returns it) as Sums. */
export function sumsOf(r: Record<string, unknown>): Sums {
  const s = zeroSums();
  for (const n of sumNames) s[n] = Number(r[n] ?? 0);
  s.ab = bucketAliases.map((a) => Number(r[a] ?? 0));
  return s;
}
