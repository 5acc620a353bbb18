import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Media, MediaInput } from "./media.js";
import { LocalRecordingStorage, type RecordingStorage } from "./recording-storage.js";
import { readWavInfo } from "./wav-header.js";
import type { RecordingSide } from "./recordings.schemas.js";
import { conversation, peaks, speechSpans, type Speech } from "./audio-analysis.js";

/** The raw files of one call inside MONITOR_DIR, by base name (the PBX's own path means nothing here). */
export interface RawFiles {
  mix: string;
  /** The customer's side and the agent's side, when the dialplan records them apart (r()/t()). */
  caller?: string;
  agent?: string;
}

export type Side = RecordingSide;

export type Processed =
  | { status: "empty" }
  | {
      status: "ready";
      durationSeconds: number;
      files: Partial<Record<Side, string>>;
      sides: Side[];
      peaks: Partial<Record<Side, number[]>>;
      speech: Speech | null;
      checksum: string;
      bytes: number;
    };

/** A problem worth retrying (the file is not there yet: NFS lag) or not (a corrupt file). */
export class RecordingError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** What MixMonitor names its files (`${UNIQUEID}.wav`, `-in`, `-out`): nothing that climbs out of MONITOR_DIR. */
const baseName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.wav$/;

export function isRawName(name: string): boolean {
  return baseName.test(name) && !name.includes("..");
}

/** Where the analysis reads samples: 8 kHz is what the PBX recorded. */
const analysisRate = 8000;

/**
 * Turns one call's raw WAV files into what the player needs: Opus files (the mix, and each side
 * when recorded apart), duration, waveform peaks, who spoke when, and a checksum. Every output is
 * probed and its duration compared with the raw file's before it counts; the raw files are only
 * touched (archived or deleted) by `disposeRaw`, after the database says the recording is ready.
 */
export class RecordingProcessor {
  constructor(
    private readonly media: Media,
    private readonly storage: RecordingStorage,
    private readonly monitorDir: string,
    private readonly workDir: string,
    private readonly rawPolicy: "keep" | "archive" | "delete",
    private readonly archiveDir: string,
  ) {}

  rawPath(name: string): string {
    if (!isRawName(name)) throw new RecordingError(`not a recording file name: ${JSON.stringify(name)}`, false);
    return path.join(this.monitorDir, name);
  }

  async process(id: number, raw: RawFiles, day: Date): Promise<Processed> {
    const mixPath = this.rawPath(raw.mix);
    const info = await readWavInfo(mixPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") throw new RecordingError(`the raw file ${raw.mix} is not in MONITOR_DIR (yet)`, true);
      throw new RecordingError(describeIoError(err, mixPath), true);
    });
    if (!info) throw new RecordingError(`${raw.mix} is not a WAV file`, false);
    // A call never bridged leaves a header and no samples: no audio, not a failure.
    if (info.dataBytes < info.sampleRate * (info.bitsPerSample / 8) * 0.02) return { status: "empty" };

    await fs.promises.mkdir(this.workDir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      throw new RecordingError(describeIoError(err, this.workDir), true);
    });
    const made: string[] = [];
    try {
      const sides: Side[] = ["mix"];
      const inputs: Partial<Record<Side, MediaInput>> = { mix: await this.inputOf(mixPath) };
      for (const side of ["caller", "agent"] as const) {
        const name = raw[side];
        if (!name) continue;
        const p = this.rawPath(name);
        const sideInfo = await readWavInfo(p).catch(() => null);
        if (!sideInfo || sideInfo.dataBytes === 0) continue;
        inputs[side] = await this.inputOf(p);
        sides.push(side);
      }
      const files: Partial<Record<Side, string>> = {};
      const lanes: Partial<Record<Side, number[]>> = {};
      const spans: Partial<Record<Side, [number, number][]>> = {};
      let duration = 0;
      let checksum = "";
      let bytes = 0;
      // The sides are independent: each is one ffmpeg run (Opus file and analysis samples from
      // one read of the WAV), all at once, so a call is playable in the time of its longest file.
      const done = await Promise.all(
        sides.map(async (side) => {
          const out = path.join(this.workDir, `${id}-${side}.opus`);
          made.push(out);
          const pcm = await this.media.toOpusAndPcm(inputs[side]!, out, analysisRate).catch((err: Error) => {
            throw new RecordingError(`transcoding ${side} failed: ${err.message}`, true);
          });
          const rawSeconds = pcm.length / analysisRate;
          const outSeconds = await this.media.durationSeconds(out);
          // Opus pads to whole 20 ms frames and adds its pre-skip: a tenth of a second is the bound.
          if (Math.abs(outSeconds - rawSeconds) > 0.1) throw new RecordingError(`the ${side} Opus file lasts ${outSeconds.toFixed(2)} s, the raw ${rawSeconds.toFixed(2)} s`, true);
          return { side, out, pcm, rawSeconds };
        }),
      );
      for (const { side, out, pcm, rawSeconds } of done) {
        lanes[side] = peaks(pcm, analysisRate);
        if (side !== "mix") spans[side] = speechSpans(pcm, analysisRate);
        const key = LocalRecordingStorage.keyFor(day, `${id}-${side}.opus`);
        await this.storage.put(out, key).catch((err: NodeJS.ErrnoException) => {
          throw new RecordingError(describeIoError(err, "RECORDINGS_DIR"), true);
        });
        files[side] = key;
        if (side === "mix") {
          duration = rawSeconds;
          checksum = crypto.createHash("sha256").update(await fs.promises.readFile(out)).digest("hex");
        }
        bytes += (await fs.promises.stat(out)).size;
      }
      const speech = spans.caller && spans.agent ? conversation(spans.caller, spans.agent, duration) : null;
      return { status: "ready", durationSeconds: Math.round(duration * 100) / 100, files, sides, peaks: lanes, speech, checksum, bytes };
    } finally {
      for (const f of made) await fs.promises.rm(f, { force: true }).catch(() => {});
    }
  }

  /** After the row says ready: the raw files are archived (RECORDINGS_DIR/raw/...), deleted or kept. */
  async disposeRaw(raw: RawFiles, day: Date): Promise<void> {
    if (this.rawPolicy === "keep") return;
    for (const name of [raw.mix, raw.caller, raw.agent]) {
      if (!name) continue;
      const from = this.rawPath(name);
      if (this.rawPolicy === "delete") {
        await fs.promises.rm(from, { force: true });
        continue;
      }
      const to = path.join(this.archiveDir, LocalRecordingStorage.keyFor(day, "x.wav").slice(0, 10), name);
      await fs.promises.mkdir(path.dirname(to), { recursive: true });
      await fs.promises.rename(from, to).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return;
        if (err.code !== "EXDEV") throw err;
        // MONITOR_DIR on another filesystem (NFS from the PBX): copy, then remove.
        await fs.promises.copyFile(from, to);
        await fs.promises.rm(from, { force: true });
      });
    }
  }

  /** A WAV whose sizes were never finalized (the PBX was killed) is read as the bare PCM it holds. */
  private async inputOf(file: string): Promise<MediaInput> {
    const info = await readWavInfo(file);
    if (!info) throw new RecordingError(`${path.basename(file)} is not a WAV file`, false);
    return info.sizesValid ? { file } : { file, rawPcm: info };
  }
}

/** Disk full and permissions named as what they are, with where. */
export function describeIoError(err: NodeJS.ErrnoException, where: string): string {
  if (err.code === "ENOSPC") return `disk full writing under ${where} (ENOSPC); the raw recording is kept`;
  if (err.code === "EACCES" || err.code === "EPERM") return `permission denied on ${where} (${err.code}); the raw recording is kept`;
  return `${err.code ?? "error"} on ${where}: ${err.message}`;
}
