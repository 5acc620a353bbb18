import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { phoneKey } from "../crm/phone-numbers.js";
import type { PhoneIndex } from "../crm/phone-index.js";
import type { TrackedCall } from "./call.types.js";

const columns = [
  "linkedid", "direction", "caller_number", "caller_name", "called_number", "customer_number", "queue",
  "agent_extension", "agent_id", "client_id", "started_at", "queued_at", "ringing_at", "answered_at", "ended_at",
  "wait_seconds", "talk_seconds", "hold_seconds", "transfers", "outcome", "hangup_cause", "hangup_cause_text",
  "recording_file", "segments", "ended_while_disconnected",
] as const;

/**
 * Writes every ended call into the journal exactly once: rows are batched (a busy PBX ends many
 * calls a second) and inserted with ON CONFLICT (linkedid) DO NOTHING, so a call reported twice
 * (a replay, a resync) stays one row. A failed write keeps its rows and retries; close() flushes.
 */
export class CallJournal {
  private pending: TrackedCall[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  /** Called with each row once it is stored (client timeline pushes, screen pop history). */
  onStored: (linkedid: string, clientId: number | null) => void = () => {};

  constructor(
    private readonly db: Database,
    private readonly phoneIndex: PhoneIndex,
    private readonly defaultCountry: string,
    private readonly log: Logger,
    /** The user whose phone has this extension (the extension directory, in memory). */
    private readonly userOf: (extension: string) => number | undefined,
    private readonly batchMs = 100,
    private readonly batchSize = 500,
  ) {}

  add(call: TrackedCall): void {
    this.pending.push(call);
    if (this.pending.length >= this.batchSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.batchMs);
  }

  get backlog(): number {
    return this.pending.length;
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) {
      await this.flushing;
      if (this.pending.length) return this.flush();
      return;
    }
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.write(batch)
      .then(() => {
        this.failures = 0;
      })
      .catch((err: Error) => {
        this.failures++;
        this.pending = [...batch, ...this.pending];
        this.log.error({ err: err.message, rows: batch.length, attempt: this.failures }, "call journal write failed; will retry");
        this.timer ??= setTimeout(() => void this.flush(), Math.min(30_000, 500 * 2 ** this.failures));
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async write(batch: TrackedCall[]): Promise<void> {
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const c of batch) {
      const customer = c.customerNumber ? phoneKey(c.customerNumber, this.defaultCountry) : null;
      const owners = customer ? await this.phoneIndex.lookup(customer) : [];
      const clientId = owners[0]?.clientId ?? null;
      const row = [
        c.linkedid, c.direction, c.callerNumber, c.callerName || null, c.calledNumber, customer ?? c.customerNumber, c.queue,
        c.agent, c.agent ? (this.userOf(c.agent) ?? null) : null, clientId, c.startedAt, c.queuedAt, c.ringingAt, c.answeredAt,
        c.endedAt ?? new Date(), c.waitSeconds, c.talkSeconds, Math.round(c.holdSeconds), c.transfers, c.outcome ?? "missed",
        c.hangupCause, c.hangupCauseText, c.recordingFile, JSON.stringify(c.segments), c.endedWhileDisconnected,
      ];
      tuples.push(`(${row.map((v) => `$${params.push(v)}`).join(", ")})`);
    }
    const inserted = await this.db.query<{ linkedid: string; client_id: number | null }>(
      `INSERT INTO calls (${columns.join(", ")}) VALUES ${tuples.join(", ")}
       ON CONFLICT (linkedid) DO NOTHING RETURNING linkedid, client_id`,
      params,
    );
    for (const r of inserted) this.onStored(r.linkedid, r.client_id);
  }
}
