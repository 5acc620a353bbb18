import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { AppError, notFound, validationError } from "../platform/errors.js";
import type { AuditService } from "../audit/audit.service.js";
import type { Actor, PublicUser } from "../auth/users.service.js";
import { phoneKey } from "../crm/phone-numbers.js";
import type { RecordingStorage } from "./recording-storage.js";
import type { Side } from "./recording-processor.js";
import type { RecordingDetail, RecordingItem, RecordingQuery, RecordingStatus } from "./recordings.schemas.js";

interface Row {
  id: number;
  linkedid: string;
  status: RecordingStatus;
  duration_seconds: number | null;
  sides: Side[];
  files: Partial<Record<Side, string>>;
  peaks: RecordingDetail["peaks"];
  speech: RecordingDetail["speech"];
  muted: [number, number][];
  checksum: string | null;
  last_error: string | null;
  deleted_reason: string | null;
  call_id: number | null;
  started_at: Date | null;
  direction: string | null;
  queue: string | null;
  customer_number: string | null;
  outcome: string | null;
  disposition: string | null;
  wrapup_note: string | null;
  agent_extension: string | null;
  agent_id: number | null;
  agent_name: string | null;
  client_id: number | null;
  client_name: string | null;
}

const select = `SELECT r.id, r.linkedid, r.status, r.duration_seconds, r.sides, r.files, r.peaks, r.speech, r.muted, r.checksum, r.last_error, r.deleted_reason,
    c.id AS call_id, c.started_at, c.direction, COALESCE(c.queue, r.queue) AS queue, c.customer_number, c.outcome, c.disposition, c.wrapup_note,
    c.agent_extension, c.agent_id, u.display_name AS agent_name, cl.id AS client_id, cl.name AS client_name
  FROM recordings r
  LEFT JOIN calls c ON c.linkedid = r.linkedid
  LEFT JOIN users u ON u.id = c.agent_id
  LEFT JOIN clients cl ON cl.id = c.client_id`;

const item = (r: Row): RecordingItem => ({
  id: r.id,
  callId: r.call_id,
  linkedid: r.linkedid,
  status: r.status,
  durationSeconds: r.duration_seconds,
  sides: r.sides,
  startedAt: r.started_at,
  direction: r.direction,
  queue: r.queue,
  customerNumber: r.customer_number,
  outcome: r.outcome,
  disposition: r.disposition,
  agent: { extension: r.agent_extension, name: r.agent_name },
  client: r.client_id ? { id: r.client_id, name: r.client_name ?? "" } : null,
  deletedReason: r.deleted_reason,
});

/**
 * Finding, replaying and governing recordings. Who may hear what: managers and admins every call;
 * supervisors the calls of the queues assigned to them (user_queues); agents their own calls,
 * and only with RECORDINGS_AGENT_ACCESS. A recording one may not hear is "not found", so its
 * existence is not revealed either.
 */
export class RecordingsService {
  constructor(
    private readonly db: Database,
    private readonly storage: RecordingStorage,
    private readonly audit: AuditService,
    private readonly log: Logger,
    private readonly opts: { defaultCountry: string; agentAccess: boolean },
  ) {}

  /** The SQL condition limiting rows to what `user` may hear, with its parameters appended. */
  private scope(user: PublicUser, params: unknown[]): string {
    if (user.role === "admin" || user.role === "manager") return "TRUE";
    if (user.role === "supervisor") {
      params.push(user.id);
      return `COALESCE(c.queue, r.queue) IN (SELECT queue FROM user_queues WHERE user_id = $${params.length})`;
    }
    if (!this.opts.agentAccess) return "FALSE";
    params.push(user.id);
    const byId = `c.agent_id = $${params.length}`;
    if (!user.extension) return byId;
    params.push(user.extension);
    return `(${byId} OR c.agent_extension = $${params.length})`;
  }

  async list(q: RecordingQuery, user: PublicUser): Promise<{ items: RecordingItem[]; next: string | null }> {
    const params: unknown[] = [];
    const where: string[] = [this.scope(user, params)];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (q.clientId) add((n) => `c.client_id = $${n}`, q.clientId);
    if (q.phone) {
      const key = phoneKey(q.phone, this.opts.defaultCountry);
      if (!key) throw validationError("phone", "not a phone number");
      add((n) => `(c.customer_number = $${n} OR c.caller_number = $${n} OR c.called_number = $${n})`, key);
    }
    if (q.q) add((n) => `cl.name ILIKE $${n} ESCAPE '\\'`, `%${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    if (q.agent) add((n) => `c.agent_extension = $${n}`, q.agent);
    if (q.queue) add((n) => `COALESCE(c.queue, r.queue) = $${n}`, q.queue);
    if (q.from) add((n) => `c.started_at >= $${n}`, q.from);
    if (q.to) add((n) => `c.started_at < $${n}`, q.to);
    if (q.outcome) add((n) => `c.outcome = $${n}`, q.outcome);
    if (q.disposition) add((n) => `c.disposition = $${n}`, q.disposition);
    if (q.minSeconds !== undefined) add((n) => `r.duration_seconds >= $${n}`, q.minSeconds);
    if (q.status) add((n) => `r.status = $${n}`, q.status);
    // A call never bridged left a header-only file: no audio, nothing to show unless asked for.
    else where.push(`r.status <> 'empty'`);
    if (q.cursor) add((n) => `r.id < $${n}`, q.cursor);
    params.push(q.limit + 1);
    const rows = await this.db.query<Row & Record<string, unknown>>(`${select} WHERE ${where.join(" AND ")} ORDER BY r.id DESC LIMIT $${params.length}`, params);
    const items = rows.slice(0, q.limit).map(item);
    return { items, next: rows.length > q.limit ? String(items.at(-1)!.id) : null };
  }

  private async row(id: number, user: PublicUser): Promise<Row> {
    const params: unknown[] = [id];
    const rows = await this.db.query<Row & Record<string, unknown>>(`${select} WHERE r.id = $1 AND ${this.scope(user, params)}`, params);
    if (!rows[0]) throw notFound(`recording ${id}`);
    return rows[0];
  }

  async get(id: number, user: PublicUser): Promise<RecordingDetail> {
    const r = await this.row(id, user);
    return {
      ...item(r),
      peaks: r.status === "ready" ? r.peaks : null,
      speech: r.status === "ready" ? r.speech : null,
      muted: r.muted,
      checksum: r.checksum,
      lastError: r.status === "failed" || r.status === "pending" ? r.last_error : null,
      note: r.wrapup_note,
      legalHold: await this.held(r.linkedid, r.client_id),
    };
  }

  /**
   * The audio of one side, whole or a byte range. Every download is audited; a play is audited
   * once per listener and recording per half hour (a browser asks for many ranges while seeking),
   * with the first range it asked for.
   */
  async audio(id: number, side: Side, user: PublicUser): Promise<{ size: number; linkedid: string; open: (range?: { start: number; end: number }) => NodeJS.ReadableStream; audit: (download: boolean, range: string | null, ip: string | null) => Promise<void> }> {
    const r = await this.row(id, user);
    if (r.status !== "ready") throw new AppError("CONFLICT", r.status === "deleted" ? "this recording's audio was deleted" : `this recording is ${r.status}`);
    const key = r.files[side];
    if (!key) throw notFound(`the ${side} side of recording ${id}`);
    const size = await this.storage.size(key);
    if (size === null) throw new AppError("CONFLICT", "the audio file is missing from RECORDINGS_DIR");
    return {
      size,
      linkedid: r.linkedid,
      open: (range) => this.storage.read(key, range),
      audit: (download, range, ip) =>
        this.audit.record({
          actorId: user.id,
          actorName: user.username,
          action: download ? "recording.download" : "recording.play",
          target: `recording:${id}`,
          details: { linkedid: r.linkedid, callId: r.call_id, side, range: range ?? "all" },
          ip,
        }),
    };
  }

  // ---- governance --------------------------------------------------------------------------

  private async held(linkedid: string, clientId: number | null): Promise<boolean> {
    const rows = await this.db.query(`SELECT 1 FROM legal_holds WHERE released_at IS NULL AND (linkedid = $1 OR client_id = $2) LIMIT 1`, [linkedid, clientId ?? -1]);
    return rows.length > 0;
  }

  async holds(): Promise<unknown[]> {
    return this.db.query(`SELECT id, linkedid, client_id AS "clientId", reason, created_by AS "createdBy", created_at AS "createdAt" FROM legal_holds WHERE released_at IS NULL ORDER BY id DESC`);
  }

  async addHold(target: { linkedid?: string | undefined; clientId?: number | undefined }, reason: string, actor: Actor): Promise<{ id: number }> {
    if (!target.linkedid === !target.clientId) throw validationError("linkedid", "name either a call (linkedid) or a client (clientId)");
    const [row] = await this.db.query<{ id: number }>(`INSERT INTO legal_holds (linkedid, client_id, reason, created_by) VALUES ($1, $2, $3, $4) RETURNING id`, [target.linkedid ?? null, target.clientId ?? null, reason, actor.id]);
    await this.audit.record({ actorId: actor.id, actorName: actor.username, action: "recording.hold", target: target.linkedid ? `call:${target.linkedid}` : `client:${target.clientId}`, details: { reason, holdId: row!.id } });
    return row!;
  }

  async releaseHold(id: number, actor: Actor): Promise<void> {
    const rows = await this.db.query(`UPDATE legal_holds SET released_at = now(), released_by = $2 WHERE id = $1 AND released_at IS NULL RETURNING id`, [id, actor.id]);
    if (!rows.length) throw notFound(`legal hold ${id}`);
    await this.audit.record({ actorId: actor.id, actorName: actor.username, action: "recording.hold-released", target: `hold:${id}` });
  }

  async retention(): Promise<{ queue: string; days: number }[]> {
    return this.db.query(`SELECT queue, days FROM recording_retention ORDER BY queue`);
  }

  async setRetention(rules: { queue: string; days: number | null }[], actor: Actor): Promise<{ queue: string; days: number }[]> {
    for (const r of rules) {
      if (r.days === null) await this.db.query(`DELETE FROM recording_retention WHERE queue = $1`, [r.queue]);
      else await this.db.query(`INSERT INTO recording_retention (queue, days) VALUES ($1, $2) ON CONFLICT (queue) DO UPDATE SET days = EXCLUDED.days, updated_at = now()`, [r.queue, r.days]);
    }
    await this.audit.record({ actorId: actor.id, actorName: actor.username, action: "recording.retention", details: { rules } });
    return this.retention();
  }

  /**
   * Deletes the audio of recordings older than their queue's retention (a "*" rule covers the
   * other queues), except what a legal hold covers. The journal row stays; the recording says
   * `deleted` (reason retention).
   */
  async applyRetention(now = new Date()): Promise<number> {
    const due = await this.db.query<{ id: number; files: Partial<Record<Side, string>> }>(
      `SELECT r.id, r.files FROM recordings r LEFT JOIN calls c ON c.linkedid = r.linkedid
        JOIN recording_retention rr ON rr.queue = COALESCE(c.queue, r.queue)
          OR (rr.queue = '*' AND NOT EXISTS (SELECT 1 FROM recording_retention x WHERE x.queue = COALESCE(c.queue, r.queue)))
        WHERE r.status IN ('ready', 'failed', 'empty') AND r.call_ended_at < $1::timestamptz - make_interval(days => rr.days)
          AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL AND (h.linkedid = r.linkedid OR h.client_id = c.client_id))
        LIMIT 5000`,
      [now],
    );
    for (const r of due) await this.deleteAudio(r.id, r.files, "retention");
    if (due.length) this.log.info({ recordings: due.length }, "retention deleted recordings' audio");
    return due.length;
  }

  /**
   * Erasure (a data subject's request): every recording of a phone number or a client loses its
   * audio, and with `personalData` the client record too. Refused while a legal hold covers any
   * of it. The audit entry says what was erased.
   */
  async erase(target: { phone?: string | undefined; clientId?: number | undefined; personalData?: boolean | undefined }, actor: Actor, eraseClient: (id: number) => Promise<void>): Promise<{ recordings: number; client: boolean }> {
    if (!target.phone === !target.clientId) throw validationError("phone", "name either a phone number or a client (clientId)");
    if (target.personalData && !target.clientId) throw validationError("personalData", "personal data is erased by client (clientId)");
    let key: string | null = null;
    if (target.phone) {
      key = phoneKey(target.phone, this.opts.defaultCountry);
      if (!key) throw validationError("phone", "not a phone number");
    }
    const rows = await this.db.query<{ id: number; linkedid: string; client_id: number | null; files: Partial<Record<Side, string>>; status: string }>(
      `SELECT r.id, r.linkedid, c.client_id, r.files, r.status FROM recordings r JOIN calls c ON c.linkedid = r.linkedid
        WHERE ${key ? "(c.customer_number = $1 OR c.caller_number = $1)" : "c.client_id = $1"}`,
      [key ?? target.clientId],
    );
    const holds = await this.db.query<{ id: number }>(
      `SELECT id FROM legal_holds WHERE released_at IS NULL AND (linkedid = ANY($1::text[]) OR client_id = ANY($2::int[]))`,
      [rows.map((r) => r.linkedid), [...new Set([...rows.map((r) => r.client_id).filter((x): x is number => x !== null), ...(target.clientId ? [target.clientId] : [])])]],
    );
    if (holds.length) throw new AppError("CONFLICT", `a legal hold applies (hold ${holds.map((h) => h.id).join(", ")}); release it before erasing`);
    const erased = rows.filter((r) => r.status !== "deleted");
    for (const r of erased) await this.deleteAudio(r.id, r.files, "erasure");
    if (target.personalData && target.clientId) await eraseClient(target.clientId);
    await this.audit.record({
      actorId: actor.id,
      actorName: actor.username,
      action: "recording.erase",
      target: key ? `phone:${key}` : `client:${target.clientId}`,
      details: { recordings: erased.map((r) => r.id), calls: erased.map((r) => r.linkedid), personalData: !!target.personalData },
    });
    return { recordings: erased.length, client: !!target.personalData };
  }

  private async deleteAudio(id: number, files: Partial<Record<Side, string>>, reason: "retention" | "erasure"): Promise<void> {
    for (const key of Object.values(files)) if (key) await this.storage.remove(key);
    await this.db.query(`UPDATE recordings SET status = 'deleted', deleted_at = now(), deleted_reason = $2, files = '{}', peaks = NULL, speech = NULL WHERE id = $1`, [id, reason]);
  }
}

/**
 * An HTTP Range header against a file of `size` bytes: "whole" when there is none, the byte span
 * when it is one satisfiable range ("bytes=0-", "bytes=100-199", "bytes=-500"); a range that
 * cannot be satisfied is a 416, and several ranges at once are served whole (allowed by RFC 9110).
 */
export function parseRange(header: string | null, size: number): "whole" | { start: number; end: number } {
  if (!header) return "whole";
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) {
    if (/^bytes=[\d\s,-]+$/.test(header.trim())) return "whole";
    throw new AppError("RANGE_NOT_SATISFIABLE", `cannot serve range ${header.slice(0, 40)}`);
  }
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === "" && b === "") throw new AppError("RANGE_NOT_SATISFIABLE", "empty range");
  if (a === "") {
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end || size === 0) throw new AppError("RANGE_NOT_SATISFIABLE", `bytes ${start}- are past the end (${size} bytes)`);
  return { start, end };
}
