import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { FfmpegMedia } from "../server/recordings/media.js";
import { RecordingProcessor } from "../server/recordings/recording-processor.js";
import { LocalRecordingStorage } from "../server/recordings/recording-storage.js";
import { readWavInfo } from "../server/recordings/wav-header.js";
import { mixed, seeded, turns, voice, wavFile } from "../server/pbx/sim/sim-audio.js";
import { createApp } from "../server/app.js";
import { loadConfig } from "../server/platform/config.js";
import { createLogger } from "../server/platform/logger.js";

const run = promisify(execFile);

/** A call's three raw files (mix, -in, -out) as MixMonitor writes them, of `seconds` of speech-like audio. */
export function writeCall(dir: string, stem: string, seconds: number): void {
  const rnd = seeded(stem);
  const t = turns(seconds, rnd, true);
  const a = voice(seconds, t.received, 170, rnd);
  const b = voice(seconds, t.sent, 120, rnd);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${stem}.wav`), wavFile(mixed(a, b)));
  fs.writeFileSync(path.join(dir, `${stem}-in.wav`), wavFile(a));
  fs.writeFileSync(path.join(dir, `${stem}-out.wav`), wavFile(b));
}

/** Peak RSS and heap of this process while `fn` runs (sampled every 20 ms). */
async function peakMemory<T>(fn: () => Promise<T>): Promise<{ value: T; rss: number; heap: number; rssBefore: number }> {
  const rssBefore = process.memoryUsage().rss;
  let rss = rssBefore;
  let heap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 20);
  try {
    const value = await fn();
    return { value, rss, heap, rssBefore };
  } finally {
    clearInterval(timer);
  }
}

export interface RecordingsBench {
  calls: number;
  seconds: number;
  bareS: number;
  transcodeS: number;
  fullS: number;
  hangupToPlayableMs: number[];
  rssPeak: number;
  rssBefore: number;
  heapPeak: number;
}

/**
 * Audio seconds per wall second: the bare `ffmpeg` command (WAV → Opus 24 kb/s voip, 20 ms frames,
 * one run per file as our media adapter does), our adapter's transcode alone, and the whole
 * RecordingProcessor (transcode, decode for peaks and speech, probe and verify, checksum, storage),
 * on the same files in the same run, alternated three times (best of each). Then the time from
 * hang-up to playable for a `callSeconds` call through the real server (simulator over TCP, the
 * tracker, capture, the bull job, the database), with the raw files put in MONITOR_DIR as the PBX would.
 */
export async function benchRecordings(callSeconds: number, calls: number, log: (s: string) => void): Promise<RecordingsBench> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-bench-rec-"));
  const monitor = path.join(dir, "monitor");
  const stems = Array.from({ length: calls }, (_, i) => `1797000000.${i}`);
  for (const s of stems) writeCall(monitor, s, callSeconds);

  const media = new FfmpegMedia();
  const processor = new RecordingProcessor(media, new LocalRecordingStorage(path.join(dir, "recordings")), monitor, path.join(dir, "work"), "keep", path.join(dir, "raw"));
  const out = (f: string, tag: string) => path.join(dir, `${tag}-${f}.opus`);

  // Each call's three files at once, as the processor does them.
  const perCall = (fn: (f: string) => Promise<unknown>) => async () => {
    for (const st of stems) await Promise.all([`${st}.wav`, `${st}-in.wav`, `${st}-out.wav`].map(fn));
  };
  const bare = perCall((f) =>
    run("ffmpeg", ["-nostdin", "-loglevel", "error", "-y", "-i", path.join(monitor, f), "-ac", "1", "-c:a", "libopus", "-b:a", "24k", "-application", "voip", "-frame_duration", "20", "-compression_level", "5", "-vn", "-map_metadata", "-1", "-f", "ogg", out(f, "bare")]),
  );
  const transcode = perCall(async (f) => {
    const file = path.join(monitor, f);
    const info = (await readWavInfo(file))!;
    await media.toOpus(info.sizesValid ? { file } : { file, rawPcm: info }, out(f, "ours"));
  });
  let id = 0;
  const full = async () => {
    for (const s of stems) {
      const r = await processor.process(++id, { mix: `${s}.wav`, caller: `${s}-in.wav`, agent: `${s}-out.wav` }, new Date());
      if (r.status !== "ready") throw new Error(`bench recording ${s}: ${r.status}`);
    }
  };
  const time = async (fn: () => Promise<void>) => {
    const t0 = performance.now();
    await fn();
    return (performance.now() - t0) / 1000;
  };
  let bareS = Infinity;
  let transcodeS = Infinity;
  let fullS = Infinity;
  let mem = { rss: 0, heap: 0, rssBefore: 0 };
  for (let round = 0; round < 3; round++) {
    bareS = Math.min(bareS, await time(bare));
    transcodeS = Math.min(transcodeS, await time(transcode));
    const m = await peakMemory(() => time(full));
    fullS = Math.min(fullS, m.value);
    if (m.rss > mem.rss) mem = m;
    log(`recordings round ${round + 1}: bare ${bareS.toFixed(2)} s, transcode ${transcodeS.toFixed(2)} s, full ${fullS.toFixed(2)} s`);
  }
  const hangupToPlayableMs = await hangupToPlayable(dir, callSeconds, 3, log);
  fs.rmSync(dir, { recursive: true, force: true });
  return { calls, seconds: callSeconds * calls, bareS, transcodeS, fullS, hangupToPlayableMs, rssPeak: mem.rss, rssBefore: mem.rssBefore, heapPeak: mem.heap };
}

/** The real server in this process (embedded PGlite, the simulator): hang-up → recording ready, per call. */
async function hangupToPlayable(dir: string, callSeconds: number, n: number, log: (s: string) => void): Promise<number[]> {
  const dataDir = path.join(dir, "server");
  const config = loadConfig({
    PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, RECORDINGS_DIR: path.join(dataDir, "recordings"),
    REDIS_PREFIX: `crmbench:${crypto.randomBytes(4).toString("hex")}`, BOOTSTRAP_ADMIN_PASSWORD: "bench-password-1",
    LOG_LEVEL: "silent", SIM_CALLS_PER_MINUTE: "0", SIM_SPEED: "0.05", WRAPUP_SECONDS: "0",
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  });
  const app = await createApp(config, createLogger("silent"));
  await app.listen();
  const pbx = app.telephony.sim!.pbx;
  for (const ext of ["1001", "1002", "1003"]) pbx.agent(ext)!.autoAnswer = false;
  const until = async (ok: () => boolean | Promise<boolean>, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error("bench: timed out");
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const out: number[] = [];
  try {
    await until(() => app.telephony.link.connected && app.telephony.connected);
    for (let i = 0; i < n; i++) {
      const linkedid = pbx.inboundCall({ from: "+14155550123", talkSeconds: 100_000 });
      await until(() => pbx.answer("1001"));
      await until(() => Boolean(app.telephony.tracker.calls.get(linkedid)?.answeredAt));
      // The PBX has been writing for the whole call: the files are there, complete at the hang-up.
      writeCall(config.monitorDir, linkedid, callSeconds);
      const t0 = performance.now();
      pbx.agentHangup("1001");
      await until(async () => (await app.db.query<{ status: string }>(`SELECT status FROM recordings WHERE linkedid = $1`, [linkedid]))[0]?.status === "ready");
      out.push(performance.now() - t0);
      log(`recordings: hang-up to playable ${out.at(-1)!.toFixed(0)} ms`);
    }
  } finally {
    await app.close();
  }
  return out;
}
