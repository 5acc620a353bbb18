import crypto from "node:crypto";
import { EventEmitter } from "node:events";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { AppError, notFound, validationError } from "../platform/errors.js";
import type { Actor, PublicUser } from "../auth/users.service.js";
import { checkDialable, type DialingRules } from "../agents/dialing-rules.js";
import { nextAllowed, zonesOf } from "./callback-hours.js";
import { toCallback, type Callback, type CallbackOutcome, type CallbackRow, type CallbackSettings, type CallbackSource } from "./callback.types.js";

export interface NewCallback {
  number: string;
  name?: string | null | undefined;
  queue?: string | undefined;
  dueAt?: Date | undefined;
  windowEnd?: Date | undefined;
  note?: string | null | undefined;
  clientId?: number | null | undefined;
  assigneeId?: number | null | undefined;
  source: CallbackSource;
  originalQueuedAt?: Date | undefined;
  originLinkedid?: string | undefined;
  siteId?: number | undefined;
  priority?: number | undefined;
}

export interface CallbackQuery {
  status?: Callback["status"] | "open" | undefined;
  queue?: string | undefined;
  assignee?: number | "me" | undefined;
  number?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  cursor?: number | undefined;
}

const open = `('pending', 'offered', 'dialing')`;

/**
 * Callbacks in the database, the only truth about them: created (merged into the open callback of
 * the same number and queue), listed, rescheduled, reassigned, cancelled, and closed with an
 * outcome. Every change emits "changed" (the callback) so the dispatcher wakes and consoles refresh.
 */
export class CallbacksService extends EventEmitter {
  constructor(
    private readonly db: Database,
    private readonly rules: DialingRules,
    private readonly defaultQueue: string,
    private readonly log: Logger,
  ) {
    super();
  }

  async settings(queue: string): Promise<CallbackSettings> {
    const [r] = await this.db.query<{ min_abandon_seconds: number; timezone: string; hours: CallbackSettings["hours"]; holidays: string[]; call_window_start: string; call_window_end: string; max_attempts: number; target_minutes: number }>(
      `SELECT min_abandon_seconds, timezone, hours, holidays, call_window_start, call_window_end, max_attempts, target_minutes FROM callback_settings WHERE queue = $1`,
      [queue],
    );
    return r
      ? { queue, minAbandonSeconds: r.min_abandon_seconds, timezone: r.timezone, hours: r.hours, holidays: r.holidays, callWindow: [r.call_window_start, r.call_window_end], maxAttempts: r.max_attempts, targetMinutes: r.target_minutes }
      : { queue, minAbandonSeconds: 10, timezone: "UTC", hours: null, holidays: [], callWindow: ["08:00", "21:00"], maxAttempts: 3, targetMinutes: 60 };
  }

  async setSettings(s: CallbackSettings, actor: Actor): Promise<CallbackSettings> {
    await this.db.query(
      `INSERT INTO callback_settings (queue, min_abandon_seconds, timezone, hours, holidays, call_window_start, call_window_end, max_attempts, target_minutes, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (queue) DO UPDATE SET min_abandon_seconds = EXCLUDED.min_abandon_seconds, timezone = EXCLUDED.timezone, hours = EXCLUDED.hours, holidays = EXCLUDED.holidays,
         call_window_start = EXCLUDED.call_window_start, call_window_end = EXCLUDED.call_window_end, max_attempts = EXCLUDED.max_attempts, target_minutes = EXCLUDED.target_minutes, updated_at = now()`,
      [s.queue, s.minAbandonSeconds, s.timezone, s.hours ? JSON.stringify(s.hours) : null, JSON.stringify(s.holidays), s.callWindow[0], s.callWindow[1], s.maxAttempts, s.targetMinutes],
    );
    this.log.info({ queue: s.queue, by: actor.username }, "callback settings changed");
    return this.settings(s.queue);
  }

  /** The first moment at or after `at` this queue may call this number (null: never within two weeks). */
  async nextAllowed(queue: string, number: string, at: Date): Promise<Date | null> {
    const s = await this.settings(queue);
    return nextAllowed(at, { timezone: s.timezone, hours: s.hours, holidays: s.holidays, callWindow: s.callWindow }, zonesOf(number, s.timezone));
  }

  /**
   * A new callback, or the open one of the same number and queue, merged: the earlier due time
   * and queue place, the higher priority, the notes joined. The number must pass the dialing rules
   * (strict E.164, allowed country, no premium) before anything is stored.
   */
  async create(input: NewCallback, actor?: Actor): Promise<{ callback: Callback; merged: boolean }> {
    const number = checkDialable(input.number, this.rules);
    const queue = input.queue ?? this.defaultQueue;
    const s = await this.settings(queue);
    const now = new Date();
    const wanted = input.dueAt && input.dueAt > now ? input.dueAt : now;
    const due = nextAllowed(wanted, { timezone: s.timezone, hours: s.hours, holidays: s.holidays, callWindow: s.callWindow }, zonesOf(number, s.timezone));
    if (!due) throw validationError("queue", `queue ${queue} has no calling hours in the next two weeks`);
    if (input.windowEnd && input.windowEnd <= due) throw validationError("windowEnd", "the window ends before the callback can be made");
    const rows = await this.db.query<CallbackRow & { inserted: boolean }>(
      `INSERT INTO callbacks (number, name, queue, source, due_at, window_end, original_queued_at, priority, max_attempts, client_id, assignee_id, origin_linkedid, site_id, note, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       ON CONFLICT (queue, number) WHERE status IN ${open} DO UPDATE SET
         due_at = LEAST(callbacks.due_at, EXCLUDED.due_at),
         original_queued_at = LEAST(callbacks.original_queued_at, EXCLUDED.original_queued_at),
         priority = GREATEST(callbacks.priority, EXCLUDED.priority),
         name = COALESCE(callbacks.name, EXCLUDED.name),
         client_id = COALESCE(callbacks.client_id, EXCLUDED.client_id),
         note = CASE WHEN EXCLUDED.note IS NULL THEN callbacks.note WHEN callbacks.note IS NULL THEN EXCLUDED.note ELSE callbacks.note || E'\\n' || EXCLUDED.note END,
         updated_at = now()
       RETURNING *, (xmax = 0) AS inserted`,
      [number, input.name ?? null, queue, input.source, due, input.windowEnd ?? null, input.originalQueuedAt ?? now, input.priority ?? 0, s.maxAttempts, input.clientId ?? null, input.assigneeId ?? null, input.originLinkedid ?? null, input.siteId ?? null, input.note ?? null, actor?.id ?? null],
    );
    const callback = toCallback(rows[0]!);
    this.log.info({ callback: callback.id, source: input.source, queue, merged: !rows[0]!.inserted }, rows[0]!.inserted ? "callback created" : "callback merged into the open one");
    this.emit("changed", callback);
    return { callback, merged: !rows[0]!.inserted };
  }

  async get(id: number): Promise<Callback> {
    const [r] = await this.db.query<CallbackRow>(`SELECT * FROM callbacks WHERE id = $1`, [id]);
    if (!r) throw notFound(`callback ${id}`);
    return toCallback(r);
  }

  /** Agents see their own callbacks and the open ones of every queue; supervisors+ everything. */
  async list(q: CallbackQuery, user: PublicUser): Promise<{ items: Callback[]; next: string | null }> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: (n: number) => string, v: unknown) => {
      params.push(v);
      where.push(sql(params.length));
    };
    if (q.status === "open") where.push(`status IN ${open}`);
    else if (q.status) add((n) => `status = $${n}`, q.status);
    if (q.queue) add((n) => `queue = $${n}`, q.queue);
    if (q.assignee !== undefined) add((n) => `(assignee_id = $${n} OR offered_to = $${n + 1})`, q.assignee === "me" ? user.id : q.assignee);
    if (q.assignee !== undefined) params.push(q.assignee === "me" ? (user.extension ?? "-") : "-");
    if (q.number) add((n) => `number = $${n}`, q.number);
    if (q.from) add((n) => `due_at >= $${n}`, q.from);
    if (q.to) add((n) => `due_at < $${n}`, q.to);
    if (q.cursor) add((n) => `id < $${n}`, q.cursor);
    params.push(q.limit + 1);
    const rows = await this.db.query<CallbackRow>(`SELECT * FROM callbacks ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT $${params.length}`, params);
    const items = rows.slice(0, q.limit).map(toCallback);
    return { items, next: rows.length > q.limit ? String(items.at(-1)!.id) : null };
  }

  /** Reschedule, reassign, re-prioritise, cancel, or close as a wrong number. Only an open callback changes. */
  async patch(id: number, p: { dueAt?: Date | undefined; assigneeId?: number | null | undefined; priority?: number | undefined; note?: string | undefined; status?: "cancelled" | undefined; outcome?: "wrong-number" | undefined }, actor: Actor): Promise<Callback> {
    const cb = await this.get(id);
    if (!["pending", "offered", "dialing"].includes(cb.status)) throw new AppError("CONFLICT", `callback ${id} is ${cb.status}`);
    if (p.status === "cancelled" || p.outcome === "wrong-number") {
      const outcome: CallbackOutcome = p.outcome ?? "cancelled";
      const done = await this.close(id, p.status === "cancelled" ? "cancelled" : "done", outcome, [cb.status]);
      if (!done) throw new AppError("CONFLICT", `callback ${id} changed meanwhile`);
      this.log.info({ callback: id, outcome, by: actor.username }, "callback closed by hand");
      return done;
    }
    if (cb.status !== "pending" && (p.dueAt || p.assigneeId !== undefined)) throw new AppError("CONFLICT", `callback ${id} is being ${cb.status === "offered" ? "offered" : "dialled"} now`);
    let due = cb.dueAt;
    if (p.dueAt) {
      const next = await this.nextAllowed(cb.queue, cb.number, p.dueAt > new Date() ? p.dueAt : new Date());
      if (!next) throw validationError("dueAt", "no calling hours in the two weeks after that");
      due = next;
    }
    const [r] = await this.db.query<CallbackRow>(
      `UPDATE callbacks SET due_at = $2, assignee_id = $3, priority = $4, note = $5, updated_at = now() WHERE id = $1 AND status IN ${open} RETURNING *`,
      [id, due, p.assigneeId === undefined ? cb.assigneeId : p.assigneeId, p.priority ?? cb.priority, p.note ?? cb.note],
    );
    if (!r) throw new AppError("CONFLICT", `callback ${id} changed meanwhile`);
    const out = toCallback(r);
    this.emit("changed", out);
    return out;
  }

  /** Closes an open callback in one conditional step (only from the states named). */
  async close(id: number, status: "done" | "cancelled" | "expired", outcome: CallbackOutcome, from: string[]): Promise<Callback | null> {
    const [r] = await this.db.query<CallbackRow>(
      `UPDATE callbacks SET status = $2, outcome = $3, done_at = now(), updated_at = now(), offered_to = NULL, claimed_by = NULL WHERE id = $1 AND status = ANY($4::text[]) RETURNING *`,
      [id, status, outcome, from],
    );
    if (!r) return null;
    const cb = toCallback(r);
    this.emit("changed", cb);
    return cb;
  }

  /** The customer got through on their own (an answered call from that number): their open callbacks are done. */
  async reachedByCustomer(number: string, answeredAt: Date): Promise<number> {
    const rows = await this.db.query<CallbackRow>(
      `UPDATE callbacks SET status = 'done', outcome = 'reached-by-customer', done_at = now(), updated_at = now() WHERE number = $1 AND status = 'pending' AND created_at <= $2 RETURNING *`,
      [number, answeredAt],
    );
    for (const r of rows) this.emit("changed", toCallback(r));
    return rows.length;
  }

  /** Open callbacks of a number, for the screen pop's card. */
  async openFor(number: string): Promise<Callback[]> {
    return (await this.db.query<CallbackRow>(`SELECT * FROM callbacks WHERE number = $1 AND status IN ${open} ORDER BY due_at`, [number])).map(toCallback);
  }

  /** Per queue: open callbacks by state, overdue, and the share done within the target time (last 24 h). */
  async summary(): Promise<unknown[]> {
    return this.db.query(
      `SELECT c.queue,
         COUNT(*) FILTER (WHERE c.status = 'pending' AND c.due_at > now()) AS scheduled,
         COUNT(*) FILTER (WHERE c.status = 'pending' AND c.due_at <= now()) AS due,
         COUNT(*) FILTER (WHERE c.status = 'pending' AND c.due_at <= now() - interval '15 minutes') AS overdue,
         COUNT(*) FILTER (WHERE c.status IN ('offered', 'dialing')) AS "inProgress",
         COUNT(*) FILTER (WHERE c.status = 'done' AND c.done_at > now() - interval '1 day') AS done,
         COUNT(*) FILTER (WHERE c.outcome = 'reached' AND c.done_at > now() - interval '1 day' AND c.done_at <= c.created_at + make_interval(mins => COALESCE(s.target_minutes, 60))) AS "withinTarget",
         COUNT(*) FILTER (WHERE c.status IN ('done', 'expired') AND c.done_at > now() - interval '1 day') AS closed
       FROM callbacks c LEFT JOIN callback_settings s ON s.queue = c.queue
       WHERE c.status IN ${open} OR c.done_at > now() - interval '1 day'
       GROUP BY c.queue ORDER BY c.queue`,
    );
  }

  // ---- websites ----------------------------------------------------------------------------

  async sites(): Promise<unknown[]> {
    return this.db.query(`SELECT id, name, origins, queue, active, created_at AS "createdAt" FROM callback_sites ORDER BY id`);
  }

  async addSite(s: { name: string; origins: string[]; queue: string }): Promise<{ id: number; siteKey: string }> {
    const siteKey = `site_${crypto.randomBytes(18).toString("base64url")}`;
    const [r] = await this.db.query<{ id: number }>(`INSERT INTO callback_sites (name, site_key, origins, queue) VALUES ($1, $2, $3, $4) RETURNING id`, [s.name, siteKey, JSON.stringify(s.origins), s.queue]);
    return { id: r!.id, siteKey };
  }

  async setSiteActive(id: number, active: boolean): Promise<void> {
    const rows = await this.db.query(`UPDATE callback_sites SET active = $2 WHERE id = $1 RETURNING id`, [id, active]);
    if (!rows.length) throw notFound(`site ${id}`);
  }

  async siteByKey(key: string): Promise<{ id: number; origins: string[]; queue: string; active: boolean } | null> {
    const [r] = await this.db.query<{ id: number; origins: string[]; queue: string; active: boolean }>(`SELECT id, origins, queue, active FROM callback_sites WHERE site_key = $1`, [key]);
    return r ?? null;
  }
}
