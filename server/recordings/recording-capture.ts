import fs from "node:fs";
import path from "node:path";
import type { Database } from "../platform/db/database.js";
import { callFields, type Logger } from "../platform/logger.js";
import type { CallEvent, CallTracker } from "../calls/call-tracker.js";
import type { TrackedCall } from "../calls/call.types.js";
import { isRawName, type RawFiles } from "./recording-processor.js";
import type { RecordingJobs } from "./recording-jobs.js";

/**
 * The raw files a call left, by base name. MixMonitor runs on the call's first channel and names
 * the file after it (`${UNIQUEID}.wav`, dialplan/README.md): the trunk's for an inbound call, the
 * agent's for a click-to-call. Its `r()` file (`-in`) holds what that channel received, its `t()`
 * file (`-out`) what was sent to it: inbound, the customer and the agent; outbound, the reverse.
 * A call adopted after a restart never showed its MIXMONITOR_FILENAME: its name is derived.
 */
export function rawFilesOf(call: TrackedCall, monitorDir: string): RawFiles | null {
  let mix = call.recordingFile ? path.posix.basename(call.recordingFile) : null;
  if (!mix && call.adopted && call.direction !== "internal" && fs.existsSync(path.join(monitorDir, `${call.linkedid}.wav`))) mix = `${call.linkedid}.wav`;
  return mix ? rawNames(mix, call.direction) : null;
}

/** The mixed file's base name and the call's direction say which side file is whose. */
export function rawNames(mix: string, direction: string): RawFiles | null {
  if (!isRawName(mix)) return null;
  const stem = mix.slice(0, -4);
  const received = `${stem}-in.wav`;
  const sent = `${stem}-out.wav`;
  return direction === "outbound" ? { mix, caller: sent, agent: received } : { mix, caller: received, agent: sent };
}

/**
 * Consumer of the tracker's call ends: a recorded call becomes a `recordings` row in `pending`
 * (the file is complete: MixMonitor closes it when the recorded channel hangs up, and a
 * dialplan-started MixMonitor sends no MixMonitorStop) and its job is queued. Only the node
 * holding the PBX's lease does this; the journal-based sweep (RecordingsService.adoptJournaled)
 * catches any call whose end this missed.
 */
export function captureRecordings(opts: { pbx: string; tracker: CallTracker; active: () => boolean; db: Database; jobs: RecordingJobs; monitorDir: string; log: Logger }): void {
  opts.tracker.on("call", (e: CallEvent) => {
    if (e.type !== "call.ended" || !opts.active()) return;
    const raw = rawFilesOf(e.call, opts.monitorDir);
    if (!raw) return;
    void (async () => {
      const rows = await opts.db.query<{ id: number }>(
        `INSERT INTO recordings (linkedid, pbx, raw, queue, call_ended_at, muted) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (linkedid) DO NOTHING RETURNING id`,
        // The pause markers: the tracker's file positions of the PBX's MixMonitorMute reports.
        [e.call.linkedid, opts.pbx, JSON.stringify(raw), e.call.queue, e.call.endedAt ?? new Date(), JSON.stringify(e.call.recordingMuted)],
      );
      if (rows[0]) await opts.jobs.enqueue(rows[0].id);
    })().catch((err: Error) => opts.log.warn({ err: err.message, ...callFields(e.call) }, "could not record the call's recording yet; the sweep retries"));
  });
}
