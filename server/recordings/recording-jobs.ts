import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import type { Database } from "../platform/db/database.js";
import { callFields, type Logger } from "../platform/logger.js";
import { createQueue, type Queue } from "../platform/queue.js";
import { RecordingError, type RawFiles, type RecordingProcessor } from "./recording-processor.js";
import { rawNames } from "./recording-capture.js";

type Job = { kind: "process"; id: number } | { kind: "retention" };

/** A job that fails this many times stays `failed` (raw kept) until someone looks. */
const maxAttempts = 5;
/** A claim older than this belongs to a node that died mid-job: the work is free again. */
const claimTtlSeconds = 600;

export interface RecordingJobsDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  dataDir: string;
  processor: RecordingProcessor;
  log: Logger;
  /** Told when a recording became playable (the journal row links it; consoles refresh). */
  onReady?: (id: number, linkedid: string) => void;
  /** The nightly retention run (RecordingsService.applyRetention). */
  retention: () => Promise<unknown>;
  /** How often pending rows are looked for (ms). */
  sweepMs?: number;
}

/**
 * The recording pipeline's work, driven by the database: a `recordings` row in `pending` is work
 * to do; bull carries it to one worker (job id per row and attempt, so several nodes sweeping at
 * once queue it once); the worker claims the row in SQL before touching a file, so a job delivered
 * twice (a flushed Redis, a node restarted mid-job) is done once. Failures retry with backoff
 * (5 s, 10 s, 20 s ...) and then stay `failed` with the raw file kept. Every node sweeps for due
 * rows every few seconds: after a restart or a Redis flush, pending work is found again.
 */
export class RecordingJobs {
  private readonly queue: Queue<Job>;
  /** This process; claims by an earlier process on the same host and data directory are its own leftovers. */
  private readonly host: string;
  private readonly worker: string;
  private sweeper: NodeJS.Timeout | null = null;
  private stopping = false;
  private sweeps = 0;

  constructor(private readonly d: RecordingJobsDeps) {
    this.host = `${os.hostname()}:${crypto.createHash("sha256").update(path.resolve(d.dataDir)).digest("hex").slice(0, 12)}`;
    this.worker = `${this.host}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;
    this.queue = createQueue<Job>("recordings", d.redis, d.redisPrefix);
    this.queue.on("error", (err) => d.log.warn({ err: err.message }, "recording queue error"));
  }

  async start(): Promise<void> {
    // What a previous run of this node was doing when it stopped is free again at once.
    await this.d.db.query(`UPDATE recordings SET claimed_by = NULL, claimed_at = NULL WHERE status = 'pending' AND claimed_by LIKE $1`, [`${this.host}:%`]);
    void this.queue.process(1, async (job) => {
      if (job.data.kind === "retention") return void (await this.d.retention());
      await this.run(job.data.id);
    });
    // Nightly at 03:00 (server time); one repeatable job whichever node added it.
    await this.queue.add({ kind: "retention" }, { repeat: { cron: "0 3 * * *" }, jobId: "retention", removeOnComplete: true, removeOnFail: true }).catch((err: Error) => this.d.log.warn({ err: err.message }, "could not schedule the retention run"));
    this.sweeper = setInterval(() => void this.sweep(), this.d.sweepMs ?? 2000);
    this.sweeper.unref();
    await this.sweep();
  }

  /** Queues a row's work now (the row must already be pending). */
  async enqueue(id: number, attempt = 0): Promise<void> {
    await this.queue.add({ kind: "process", id }, { jobId: `rec-${id}-${attempt}`, removeOnComplete: true, removeOnFail: true });
  }

  /** Due pending rows, not claimed by a live worker, are queued (again). */
  async sweep(): Promise<void> {
    if (this.stopping) return;
    try {
      const due = await this.d.db.query<{ id: number; attempts: number }>(
        `SELECT id, attempts FROM recordings WHERE status = 'pending' AND next_attempt_at <= now()
           AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $1)) ORDER BY id LIMIT 100`,
        [claimTtlSeconds],
      );
      for (const r of due) await this.enqueue(r.id, r.attempts);
      // About once a minute: journaled calls with a recording that never got a row (their end
      // was seen by a node that died before recording it).
      if (this.sweeps++ % 30 === 0) await this.adoptJournaled();
      // Rows journaled after their recording became playable get their link here.
      await this.d.db.query(`UPDATE calls c SET recording_id = r.id FROM recordings r WHERE r.linkedid = c.linkedid AND r.status = 'ready' AND c.recording_id IS NULL`);
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, "recording sweep failed");
    }
  }

  private async adoptJournaled(): Promise<void> {
    const orphans = await this.d.db.query<{ linkedid: string; pbx: string; recording_file: string; direction: string; queue: string | null; ended_at: Date | string }>(
      `SELECT c.linkedid, c.pbx, c.recording_file, c.direction, c.queue, c.ended_at FROM calls c
        WHERE c.recording_file IS NOT NULL AND c.started_at > now() - interval '2 days'
          AND NOT EXISTS (SELECT 1 FROM recordings r WHERE r.linkedid = c.linkedid) LIMIT 200`,
    );
    for (const c of orphans) {
      const raw = rawNames(path.posix.basename(c.recording_file), c.direction);
      if (!raw) continue;
      await this.d.db.query(`INSERT INTO recordings (linkedid, pbx, raw, queue, call_ended_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (linkedid) DO NOTHING`, [c.linkedid, c.pbx, JSON.stringify(raw), c.queue, new Date(c.ended_at)]);
    }
    if (orphans.length) this.d.log.info({ calls: orphans.length }, "recordings found through the journal");
  }

  private async run(id: number): Promise<void> {
    const claimed = await this.d.db.query<{ linkedid: string; raw: RawFiles; call_ended_at: Date | string; attempts: number }>(
      `UPDATE recordings SET claimed_by = $2, claimed_at = now() WHERE id = $1 AND status = 'pending'
         AND (claimed_at IS NULL OR claimed_at < now() - make_interval(secs => $3)) RETURNING linkedid, raw, call_ended_at, attempts`,
      [id, this.worker, claimTtlSeconds],
    );
    const row = claimed[0];
    if (!row) return;
    const day = new Date(row.call_ended_at);
    const log = this.d.log.child({ recording: id, ...callFields({ linkedid: row.linkedid }) });
    try {
      const out = await this.d.processor.process(id, row.raw, day);
      if (out.status === "empty") {
        await this.d.db.query(`UPDATE recordings SET status = 'empty', claimed_by = NULL, claimed_at = NULL, last_error = NULL WHERE id = $1 AND claimed_by = $2`, [id, this.worker]);
        log.info("recording holds no audio (the call was never bridged)");
        await this.d.processor.disposeRaw(row.raw, day).catch(() => {});
        return;
      }
      const done = await this.d.db.query(
        `UPDATE recordings SET status = 'ready', duration_seconds = $3, files = $4, sides = $5, peaks = $6, speech = $7, checksum = $8, bytes = $9,
           ready_at = now(), last_error = NULL, claimed_by = NULL, claimed_at = NULL WHERE id = $1 AND claimed_by = $2 RETURNING id`,
        [id, this.worker, out.durationSeconds, JSON.stringify(out.files), JSON.stringify(out.sides), JSON.stringify(out.peaks), out.speech ? JSON.stringify(out.speech) : null, out.checksum, out.bytes],
      );
      if (!done.length) return;
      await this.d.db.query(`UPDATE calls SET recording_id = $1 WHERE linkedid = $2`, [id, row.linkedid]);
      log.info({ seconds: out.durationSeconds, sides: out.sides }, "recording ready");
      this.d.onReady?.(id, row.linkedid);
      // Only now, with the row saying ready, may the raw files go.
      await this.d.processor.disposeRaw(row.raw, day).catch((err: Error) => log.warn({ err: err.message }, "could not archive the raw recording"));
    } catch (err) {
      const retry = !(err instanceof RecordingError) || err.retry;
      const attempts = row.attempts + 1;
      const failed = !retry || attempts >= maxAttempts;
      const message = (err as Error).message;
      log[failed ? "error" : "warn"]({ err: message, attempts }, failed ? "recording failed; the raw file is kept" : "recording job failed; retrying");
      await this.d.db.query(
        `UPDATE recordings SET status = $3, attempts = $4, last_error = $5, next_attempt_at = now() + make_interval(secs => $6), claimed_by = NULL, claimed_at = NULL
           WHERE id = $1 AND claimed_by = $2`,
        [id, this.worker, failed ? "failed" : "pending", attempts, message.slice(0, 2000), 5 * 2 ** (attempts - 1)],
      );
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.queue.close().catch(() => {});
  }
}
