import fs from "node:fs";
import path from "node:path";
import type { Database } from "../platform/db/database.js";
import { callFields, type Logger } from "../platform/logger.js";
import { phoneKey } from "../crm/phone-numbers.js";
import type { PhoneIndex } from "../crm/phone-index.js";
import type { TrackedCall } from "./call.types.js";

const columns = [
  "pbx", "linkedid", "direction", "caller_number", "caller_name", "called_number", "customer_number", "queue",
  "agent_extension", "agent_id", "client_id", "started_at", "queued_at", "ringing_at", "answered_at", "ended_at",
  "wait_seconds", "talk_seconds", "hold_seconds", "transfers", "outcome", "hangup_cause", "hangup_cause_text",
  "recording_file", "segments", "ended_while_disconnected", "estimated", "end_reason",
] as const;

/** Each column's type, for the fenced INSERT … SELECT (its VALUES have no target to infer from). */
const types = [
  "text", "text", "text", "text", "text", "text", "text", "text", "text", "integer", "integer", "timestamp(3)", "timestamp(3)",
  "timestamp(3)", "timestamp(3)", "timestamp(3)", "integer", "integer", "integer", "integer", "text", "integer", "text", "text",
  "jsonb", "boolean", "jsonb", "text",
];

/** The column that links the client (its value may name a client deleted since: then none). */
const clientColumn = columns.indexOf("client_id");

export interface JournalOptions {
  /** The PBX these calls went through (its name in AMI_URL). */
  pbx?: string;
  /** This node's id, recorded with the fencing number it writes under. */
  node?: string;
  /** The user whose phone has this extension (the extension directory, in memory). */
  userOf: (extension: string) => number | undefined;
  /** Rows the database refuses are appended here as JSON lines, never dropped. */
  rejectFile: string;
  batchMs?: number;
  /** Rows per INSERT: 200 rows × 25 columns stays far below PostgreSQL's 65,535 parameters. */
  chunkRows?: number;
  /** First retry after this long while the database is unreachable, doubling up to 30 s. */
  retryMs?: number;
}

export interface JournalHealth {
  /** Ended calls not yet written. */
  backlog: number;
  /** How long the oldest of them has waited. */
  oldestSeconds: number;
  /** Writes have been failing since `failingSince` (the database unreachable). */
  failing: boolean;
  failingSince: string | null;
  lastError: string | null;
  /** Rows the database refused one by one, set aside in the reject file. */
  setAside: number;
  /** Rows refused because a newer holder of the PBX's lease writes now (it journals them). */
  fencedOut: number;
}

interface PendingRow {
  call: TrackedCall;
  queuedAt: number;
}

/**
 * Writes every ended call into the journal exactly once: rows are batched (a busy PBX ends many
 * calls a second) into INSERTs of bounded size with ON CONFLICT (linkedid) DO NOTHING, so a call
 * reported twice (a replay, a resync) stays one row. When a write fails, the database is asked
 * whether it is up: if not, the rows wait and are retried with backoff; if it is, one of the rows
 * is at fault, the chunk is halved until that row is found, and the row alone is set aside in the
 * reject file and counted in /api/health. No row can hold the others back.
 */
export class CallJournal {
  private pending: PendingRow[] = [];
  /** The chunk being written now: not stored yet, so still part of the backlog. */
  private writing: PendingRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private failingSince: Date | null = null;
  private lastError: string | null = null;
  private setAside = 0;
  private readonly o: Required<JournalOptions>;
  /** Called with each row once it is stored (client timeline pushes, screen pop history). */
  onStored: (linkedid: string, clientId: number | null) => void = () => {};

  constructor(
    private readonly db: Database,
    private readonly phoneIndex: PhoneIndex,
    private readonly defaultCountry: string,
    private readonly log: Logger,
    opts: JournalOptions,
  ) {
    this.o = { pbx: "main", node: "single", batchMs: 100, chunkRows: 200, retryMs: 500, ...opts };
  }

  /**
   * The fencing number of this node's lease on the PBX (null: not fenced, a single node without a
   * lease). Writes then go through only while pbx_fences holds this very number: a holder that
   * lost its lease writes nothing more, and its rows are left to the new holder.
   */
  private fence: number | null = null;
  /** Rows refused because another node holds the lease now (the new holder journals them). */
  fencedOut = 0;
  /** A write was refused for an older fencing number: this node must not act as holder. */
  onFencedOut: () => void = () => {};

  setFence(fence: number | null): void {
    this.fence = fence;
  }

  add(call: TrackedCall): void {
    this.pending.push({ call, queuedAt: Date.now() });
    if (this.failures > 0) return; // the retry timer is set
    if (this.pending.length >= this.o.chunkRows) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.o.batchMs);
  }

  health(): JournalHealth {
    const oldest = this.writing[0] ?? this.pending[0];
    return {
      // Rows in the INSERT under way count until it returns: a backlog of 0 means every call is stored.
      backlog: this.writing.length + this.pending.length,
      oldestSeconds: oldest ? Math.round((Date.now() - oldest.queuedAt) / 1000) : 0,
      failing: this.failingSince !== null,
      failingSince: this.failingSince?.toISOString() ?? null,
      lastError: this.lastError,
      setAside: this.setAside,
      fencedOut: this.fencedOut,
    };
  }

  /** Writes what is pending, chunk by chunk; resolves when done or when the database is unreachable. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.running) await this.running;
    if (!this.pending.length) return;
    this.running = this.drain().finally(() => {
      this.running = null;
    });
    await this.running;
  }

  /** Flushes; rows the database cannot take now go to the reject file rather than being lost. */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length) {
      this.log.error({ rows: this.pending.length }, "call journal closing with unwritten rows; kept in the reject file");
      for (const r of this.pending.splice(0)) this.reject(r.call, "not written before shutdown (database unreachable)");
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const chunk = this.pending.splice(0, this.o.chunkRows);
      this.writing = chunk;
      try {
        await this.writeChunk(chunk.map((r) => r.call));
      } catch (err) {
        if (await this.databaseUp()) await this.isolate(chunk.map((r) => r.call), err as Error);
        else {
          this.pending.unshift(...chunk);
          this.failed(err as Error);
          return;
        }
      } finally {
        this.writing = [];
      }
      if (this.failures) {
        this.log.info({ afterFailures: this.failures }, "call journal writing again");
        this.failures = 0;
        this.failingSince = null;
      }
    }
  }

  /** The database is up but refused the chunk: halve it until the refused rows stand alone. */
  private async isolate(rows: TrackedCall[], err: Error): Promise<void> {
    if (rows.length === 1) {
      this.setAside++;
      this.lastError = err.message;
      this.log.error({ err: err.message, ...callFields(rows[0]!), file: this.o.rejectFile }, "call journal row refused by the database; set aside");
      this.reject(rows[0]!, err.message);
      return;
    }
    const half = Math.ceil(rows.length / 2);
    for (const part of [rows.slice(0, half), rows.slice(half)]) {
      try {
        await this.writeChunk(part);
      } catch (e) {
        await this.isolate(part, e as Error);
      }
    }
  }

  private failed(err: Error): void {
    this.failures++;
    this.failingSince ??= new Date();
    this.lastError = err.message;
    this.log.error({ err: err.message, backlog: this.pending.length, attempt: this.failures }, "call journal write failed; database unreachable, will retry");
    this.timer ??= setTimeout(() => void this.flush(), Math.min(30_000, this.o.retryMs * 2 ** (this.failures - 1)));
  }

  private databaseUp(): Promise<boolean> {
    return this.db.query("SELECT 1").then(() => true, () => false);
  }

  private reject(call: TrackedCall, reason: string): void {
    try {
      fs.mkdirSync(path.dirname(this.o.rejectFile), { recursive: true });
      const row = { at: new Date().toISOString(), reason, call: { ...call, legs: [...call.legs.values()], ringing: [...call.ringing.entries()], estimated: [...call.estimated] } };
      fs.appendFileSync(this.o.rejectFile, `${JSON.stringify(row)}\n`);
    } catch (err) {
      this.log.error({ err: (err as Error).message, ...callFields(call) }, "could not write the journal's reject file");
    }
  }

  private async writeChunk(batch: TrackedCall[]): Promise<void> {
    const fence = this.fence;
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const c of batch) {
      const customer = c.customerNumber ? phoneKey(c.customerNumber, this.defaultCountry) : null;
      const clientId = await this.clientOf(c, customer);
      const row = [
        this.o.pbx, c.linkedid, c.direction, c.callerNumber, c.callerName || null, c.calledNumber, customer ?? c.customerNumber, c.queue,
        c.agent, c.agent ? (this.o.userOf(c.agent) ?? null) : null, clientId, c.startedAt, c.queuedAt, c.ringingAt, c.answeredAt,
        c.endedAt ?? new Date(), c.waitSeconds, c.talkSeconds, Math.round(c.holdSeconds), c.transfers, c.outcome ?? "missed",
        c.hangupCause, c.hangupCauseText, c.recordingFile, JSON.stringify(c.segments), c.endedWhileDisconnected,
        JSON.stringify([...c.estimated]), c.endReason,
      ].map(storable);
      const value = (v: unknown, i: number) => (fence === null ? `$${params.push(v)}` : `$${params.push(v)}::${types[i]}`);
      // The client named by the call (CRM_CLIENT_ID) may have been deleted meanwhile: link none then.
      const cell = (v: unknown, i: number) => (i === clientColumn && v !== null ? `(SELECT id FROM clients WHERE id = ${value(v, i)})` : value(v, i));
      tuples.push(`(${row.map(cell).join(", ")})`);
    }
    const [pbxParam, fenceParam, nodeParam] = fence === null ? [0, 0, 0] : [params.push(this.o.pbx), params.push(fence), params.push(this.o.node)];
    const sql =
      fence === null
        ? `INSERT INTO calls (${columns.join(", ")}) VALUES ${tuples.join(", ")}
           ON CONFLICT (linkedid) DO NOTHING RETURNING linkedid, client_id`
        : // Raises the PBX's fencing number to ours if it is lower (we are the newer holder), and
          // writes only if it is then ours: a holder with an older number writes nothing.
          `WITH f AS (${raiseFenceSql(pbxParam, fenceParam, nodeParam)})
           INSERT INTO calls (${columns.join(", ")})
           SELECT * FROM (VALUES ${tuples.join(", ")}) AS v
           WHERE EXISTS (SELECT 1 FROM f WHERE fence = $${fenceParam})
           ON CONFLICT (linkedid) DO NOTHING RETURNING linkedid, client_id`;
    const inserted = await this.db.query<{ linkedid: string; client_id: number | null }>(sql, params);
    if (fence !== null && inserted.length < batch.length && (await this.storedFence()) !== fence) {
      this.fencedOut += batch.length - inserted.length;
      this.log.warn({ rows: batch.length - inserted.length, fence }, "call journal: a newer fencing number holds the PBX; rows left to its holder");
      this.onFencedOut();
    }
    for (const r of inserted) this.onStored(r.linkedid, r.client_id);
  }

  /**
   * The client a call is about: the one the agent dialled from (click-to-call sets CRM_CLIENT_ID)
   * or picked on the card (the pick sets it on the call's channel too); otherwise the number's
   * owner when it has exactly one. A number shared by several clients links none until the agent
   * picks one (POST /api/calls/:callId/client, or the wrap-up).
   */
  private async clientOf(c: TrackedCall, customer: string | null): Promise<number | null> {
    const named = Number(c.vars.CRM_CLIENT_ID);
    if (Number.isSafeInteger(named) && named > 0 && named <= 2_147_483_647) return named;
    const owners = customer ? await this.phoneIndex.lookup(customer) : [];
    const ids = new Set(owners.map((o) => o.clientId));
    return ids.size === 1 ? owners[0]!.clientId : null;
  }

  /** The PBX's fencing number as the database has it (0 before any holder wrote). */
  async storedFence(): Promise<number> {
    const rows = await this.db.query<{ fence: string }>("SELECT fence::text AS fence FROM pbx_fences WHERE pbx = $1", [this.o.pbx]);
    return Number(rows[0]?.fence ?? 0);
  }

  /** Raises the stored fencing number to `fence` (a new holder fences the last one out at once). */
  async raiseFence(fence: number): Promise<void> {
    await this.db.query(raiseFenceSql(1, 2, 3), [this.o.pbx, fence, this.o.node]);
  }
}

/**
 * Raises a PBX's fencing number to the given one if it is lower, recording the node, and returns
 * the number now stored: the given one unless a newer holder's is there. `$n` are the parameters.
 */
function raiseFenceSql(pbx: number, fence: number, node: number): string {
  return `INSERT INTO pbx_fences (pbx, fence, node) VALUES ($${pbx}, $${fence}, $${node})
    ON CONFLICT (pbx) DO UPDATE SET fence = GREATEST(pbx_fences.fence, EXCLUDED.fence), updated_at = now(),
      node = CASE WHEN EXCLUDED.fence > pbx_fences.fence THEN EXCLUDED.node ELSE pbx_fences.node END
    RETURNING fence`;
}

/**
 * PostgreSQL text cannot hold NUL, and UTF-8 cannot hold a lone surrogate: both can arrive in AMI
 * values (a caller name is whatever the far end sent). They become U+FFFD rather than losing the row.
 */
function storable(v: unknown): unknown {
  return typeof v === "string" ? v.replace(/\0/g, "\uFFFD").toWellFormed() : v;
}
