import fs from "node:fs";

/** A stretch of one side's audio: a tone (speech stand-in) from `start` to `end` seconds. */
export interface Burst {
  start: number;
  end: number;
  hz: number;
}

/** 16-bit mono PCM samples at `rate` Hz: tones where the bursts are, near-silence (line noise) elsewhere. */
export function samples(seconds: number, bursts: Burst[], rate = 8000, opts: { zeroFrom?: number; zeroTo?: number } = {}): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  let seed = 7;
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    let v = ((seed / 0x7fffffff) * 2 - 1) * 40; // faint line noise, like a real trunk
    for (const b of bursts) if (t >= b.start && t < b.end) v += Math.sin(2 * Math.PI * b.hz * t) * 8000 * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t));
    // MixMonitorMute writes digital zeros over the muted stretch.
    if (opts.zeroFrom !== undefined && t >= opts.zeroFrom && t < (opts.zeroTo ?? Infinity)) v = 0;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}

export function mix(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-32768, Math.min(32767, (a[i] ?? 0) + (b[i] ?? 0)));
  return out;
}

/** A WAV as MixMonitor writes it (44-byte header, 8 kHz, 16-bit mono). `finalized: false`: sizes left at 0, as after `kill -9`. */
export function wav(pcm: Int16Array, opts: { rate?: number; finalized?: boolean } = {}): Buffer {
  const rate = opts.rate ?? 8000;
  const data = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) data.writeInt16LE(pcm[i]!, i * 2);
  const h = Buffer.alloc(44);
  const finalized = opts.finalized ?? true;
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE(finalized ? 36 + data.length : 0, 4);
  h.write("WAVE", 8, "latin1");
  h.write("fmt ", 12, "latin1");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "latin1");
  h.writeUInt32LE(finalized ? data.length : 0, 40);
  return Buffer.concat([h, data]);
}

/** Writes a call's three files (mixed, -in, -out) as the project's dialplan names them. */
export function writeCallRecording(dir: string, stem: string, caller: Burst[], agent: Burst[], seconds: number, opts: { finalized?: boolean; sides?: boolean } = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const c = samples(seconds, caller);
  const a = samples(seconds, agent);
  fs.writeFileSync(`${dir}/${stem}.wav`, wav(mix(c, a), opts));
  if (opts.sides === false) return;
  fs.writeFileSync(`${dir}/${stem}-in.wav`, wav(c, opts));
  fs.writeFileSync(`${dir}/${stem}-out.wav`, wav(a, opts));
}
