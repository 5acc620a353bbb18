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
  durationSeconds(file: string): Promise<number> {
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
      withInput(input)
        .audioCodec("libopus")
        .audioChannels(1)
        .audioBitrate("24k")
        // voip: the encoder's speech mode; 20 ms frames keep seeking fine-grained.
        .outputOptions(["-application", "voip", "-frame_duration", "20", "-vn", "-map_metadata", "-1"])
        .format("ogg")
        .on("error", (err: Error) => reject(new Error(`ffmpeg: ${firstLine(err)}`)))
        .on("end", () => resolve())
        .save(output);
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
        .on("end", () => {
          const all = Buffer.concat(chunks);
          const samples = new Int16Array(all.length >> 1);
          for (let i = 0; i < samples.length; i++) samples[i] = all.readInt16LE(i * 2);
          resolve(samples);
        })
        .pipe();
      stream.on("data", (c: Buffer) => chunks.push(c));
    });
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split("\n").find((l) => l.trim()) ?? msg;
}
