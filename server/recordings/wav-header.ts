import fs from "node:fs";

/** What a WAV file's header says, and whether it can be trusted. */
export interface WavInfo {
  /** Bytes in the file. */
  bytes: number;
  /** Where the samples start (44 for what MixMonitor writes). */
  dataOffset: number;
  /** Sample bytes actually in the file (from its size, not from the header). */
  dataBytes: number;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /**
   * False when the header was never finalized: Asterisk writes the sizes when it closes the file,
   * so a recording cut by `kill -9` says 0 (or a stale size). The samples are still there.
   */
  sizesValid: boolean;
}

/** The smallest WAV MixMonitor writes: a header and no samples (a call never bridged). */
export const wavHeaderBytes = 44;

/**
 * Reads a RIFF/WAVE header (PCM, as MixMonitor writes it: 8 kHz, 16-bit, mono). Null when the
 * file is not a WAV at all. Walks the chunks to "data" rather than assuming 44 bytes.
 */
export async function readWavInfo(file: string): Promise<WavInfo | null> {
  const fh = await fs.promises.open(file, "r");
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, 4096));
    await fh.read(head, 0, head.length, 0);
    if (head.length < 12 || head.toString("latin1", 0, 4) !== "RIFF" || head.toString("latin1", 8, 12) !== "WAVE") return null;
    let at = 12;
    let fmt: { channels: number; sampleRate: number; bits: number } | null = null;
    while (at + 8 <= head.length) {
      const id = head.toString("latin1", at, at + 4);
      const len = head.readUInt32LE(at + 4);
      if (id === "fmt " && at + 24 <= head.length) fmt = { channels: head.readUInt16LE(at + 10), sampleRate: head.readUInt32LE(at + 12), bits: head.readUInt16LE(at + 22) };
      if (id === "data") {
        const dataOffset = at + 8;
        const dataBytes = Math.max(0, size - dataOffset);
        const riffSize = head.readUInt32LE(4);
        if (!fmt) return null;
        return {
          bytes: size,
          dataOffset,
          dataBytes,
          sampleRate: fmt.sampleRate || 8000,
          channels: fmt.channels || 1,
          bitsPerSample: fmt.bits || 16,
          sizesValid: len === dataBytes && riffSize === size - 8,
        };
      }
      at += 8 + len + (len % 2);
    }
    return null;
  } finally {
    await fh.close();
  }
}
