import fs from "node:fs";
import { PassThrough } from "node:stream";
import ffmpeg from "fluent-ffmpeg";
import type { WavInfo } from "./wav-header.js";

/** How to read a raw recording: through its header, or as bare PCM when the header is broken. */
export interface MediaInput {
  file: string;
  /** A WAV whose sizes were never written: read the samples after the header as raw PCM. */
  rawPcm?: Pick<WavInfo, "dataOffset" | "sampleRate" | "channels" | "bitsPerSample">;
}

/**
 * Everything the server asks of ffmpeg, in one place (fluent-ffmpeg drives the ffmpeg and ffprobe
 * binaries): probe a file's duration, transcode to Opus for playback, decode to PCM for analysis.
 */
export interface Media {
  durationSeconds(file: string): Promise<number>;
  /** Mono Opus in an Ogg container, tuned for speech. */
  toOpus(input: MediaInput, output: string): Promise<void>;
  /** 16-bit mono samples at `rate`, for peaks and speech activity. */
  decodePcm(input: MediaInput, rate: number): Promise<Int16Array>;
  /** Both at once, reading the input once: the Opus file, and the samples for the analysis. */
  toOpusAndPcm(input: MediaInput, output: string, rate: number): Promise<Int16Array>;
}

/**
 * Opus for speech: 24 kb/s, the encoder's voip mode, 20 ms frames (fine-grained seeking), and
 * complexity 5 of 10, which costs a third less CPU than the default for no audible loss on
 * 8 kHz telephone audio (measured: docs/recordings.md).
 */
const opusOptions = ["-application", "voip", "-frame_duration", "20", "-compression_level", "5", "-vn", "-map_metadata", "-1"];

function opusOutput(cmd: ffmpeg.FfmpegCommand, output: string): ffmpeg.FfmpegCommand {
  return cmd.output(output).audioCodec("libopus").audioChannels(1).audioBitrate("24k").outputOptions(opusOptions).format("ogg");
}

/** ffmpeg's s16le output as samples (one copy; every platform Node runs on is little-endian). */
function samplesOf(chunks: Buffer[]): Int16Array {
  const all = Buffer.concat(chunks);
  const n = all.length >> 1;
  return new Int16Array(all.buffer.slice(all.byteOffset, all.byteOffset + n * 2));
}

/**
 * The playing time of an Ogg Opus file from its container, as ffprobe computes it: the last
 * page's granule position (48 kHz samples) minus the encoder's pre-skip from the OpusHead header.
 * Null when the file is not a well-formed Ogg Opus stream (then ffprobe is asked).
 */
export async function oggOpusSeconds(file: string): Promise<number | null> {
  const fh = await fs.promises.open(file, "r");
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, 512));
    await fh.read(head, 0, head.length, 0);
    if (head.toString("latin1", 0, 4) !== "OggS") return null;
    // First page: 27-byte header, a segment table, then the OpusHead packet.
    const segments = head[26]!;
    const packet = 27 + segments;
    if (head.toString("latin1", packet, packet + 8) !== "OpusHead") return null;
    const preSkip = head.readUInt16LE(packet + 10);
    const tailLength = Math.min(size, 65_536);
    const tail = Buffer.alloc(tailLength);
    await fh.read(tail, 0, tailLength, size - tailLength);
    const last = tail.lastIndexOf("OggS");
    if (last < 0 || last + 14 > tail.length) return null;
    const granule = Number(tail.readBigInt64LE(last + 6));
    if (granule < 0) return null;
    return Math.max(0, granule - preSkip) / 48_000;
  } finally {
    await fh.close();
  }
}

function withInput(input: MediaInput): ffmpeg.FfmpegCommand {
  const cmd = ffmpeg(input.file);
  if (input.rawPcm) {
    const p = input.rawPcm;
    // ffmpeg would trust the header's sizes (0 after a crash) and read nothing: read bare PCM.
    cmd.inputOptions(["-f", p.bitsPerSample === 8 ? "u8" : "s16le", "-ar", String(p.sampleRate), "-ac", String(p.channels), "-skip_initial_bytes", String(p.dataOffset)]);
  }
  return cmd;
}

export class FfmpegMedia implements Media {
  /** Opus files are read from their container (no process to start); anything else through ffprobe. */
  async durationSeconds(file: string): Promise<number> {
    if (file.endsWith(".opus")) {
      const seconds = await oggOpusSeconds(file).catch(() => null);
      if (seconds !== null) return seconds;
    }
    return this.probe(file);
  }

  private probe(file: string): Promise<number> {
    return new Promise((resolve, reject) => {
      ffmpeg.ffprobe(file, (err, data) => {
        if (err) return reject(new Error(`ffprobe: ${firstLine(err)}`));
        const d = Number(data.format.duration ?? data.streams.find((s) => s.codec_type === "audio")?.duration);
        if (!Number.isFinite(d)) return reject(new Error("ffprobe: no duration"));
        resolve(d);
      });
    });
  }

  toOpus(input: MediaInput, output: string): Promise<void> {
    return new Promise((resolve, reject) => {
      opusOutput(withInput(input), output)
        .on("error", (err: Error) => reject(new Error(`ffmpeg: ${firstLine(err)}`)))
        .on("end", () => resolve())
        .run();
    });
  }

  toOpusAndPcm(input: MediaInput, output: string, rate: number): Promise<Int16Array> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const pcm = new PassThrough();
      pcm.on("data", (c: Buffer) => chunks.push(c));
      opusOutput(withInput(input), output)
        .output(pcm)
        .audioChannels(1)
        .audioFrequency(rate)
        .format("s16le")
        .on("error", (err: Error) => reject(new Error(`ffmpeg: ${firstLine(err)}`)))
        .on("end", () => resolve(samplesOf(chunks)))
        .run();
    });
  }

  decodePcm(input: MediaInput, rate: number): Promise<Int16Array> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const stream = withInput(input)
        .audioChannels(1)
        .audioFrequency(rate)
        .format("s16le")
        .on("error", (err: Error) => reject(new Error(`ffmpeg: ${firstLine(err)}`)))
        .on("end", () => resolve(samplesOf(chunks)))
        .pipe();
      stream.on("data", (c: Buffer) => chunks.push(c));
    });
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n").find((l) => l.trim()) ?? msg;
}
