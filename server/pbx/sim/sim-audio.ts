/**
 * Speech-like audio for the simulator's recordings, in the format MixMonitor writes: 8 kHz,
 * 16-bit mono PCM WAV with a 44-byte header. Not speech, but what a speech detector and a listener
 * take for a conversation: each side talks in turns (1-4 s) made of syllables (a voiced buzz at its
 * own pitch, amplitude-shaped), with short gaps between words and longer pauses between turns, over
 * the faint line noise of a real trunk.
 */

export const rate = 8000;

/** A turn of one side, in seconds from the file's start. */
export type Turn = [number, number];

export interface Conversation {
  seconds: number;
  /** What the recorded channel received (the `-in` file) and what was sent to it (`-out`). */
  received: Turn[];
  sent: Turn[];
}

/** A small deterministic generator (the same call id gives the same conversation). */
export function seeded(seed: string): () => number {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return () => {
    h = Math.imul(h ^ (h >>> 15), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return (h >>> 0) / 4294967296;
  };
}

/** Alternating turns over `seconds`: the answering side (`sent` first for inbound) speaks first. */
export function turns(seconds: number, rnd: () => number, firstSent: boolean): { received: Turn[]; sent: Turn[] } {
  const received: Turn[] = [];
  const sent: Turn[] = [];
  let t = 0.3 + rnd() * 0.4;
  let toSent = firstSent;
  while (t < seconds - 0.5) {
    const end = Math.min(seconds - 0.2, t + 1 + rnd() * 3);
    (toSent ? sent : received).push([round(t), round(end)]);
    // A pause before the other side answers (0.4-1.2 s): longer than the gaps between words.
    t = end + 0.4 + rnd() * 0.8;
    toSent = !toSent;
  }
  return { received, sent };
}

/**
 * One side's samples: syllables of 0.12-0.35 s with 0.05-0.15 s between them inside each turn
 * (a speech detector bridges those), a buzz of a few harmonics at `pitch` Hz, and line noise.
 * `zeros`: stretches written as digital silence (a muted recording), positions in seconds.
 */
export function voice(seconds: number, speech: Turn[], pitch: number, rnd: () => number, zeros: Turn[] = []): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) out[i] = Math.round((rnd() * 2 - 1) * 30);
  for (const [from, to] of speech) {
    let t = from;
    while (t < to) {
      const len = Math.min(to - t, 0.12 + rnd() * 0.23);
      const f0 = pitch * (0.9 + rnd() * 0.2);
      const start = Math.round(t * rate);
      const n = Math.round(len * rate);
      for (let k = 0; k < n && start + k < out.length; k++) {
        const env = Math.sin((Math.PI * k) / n);
        const ph = (2 * Math.PI * f0 * k) / rate;
        const v = env * 5000 * (Math.sin(ph) + 0.5 * Math.sin(2 * ph) + 0.25 * Math.sin(3 * ph));
        out[start + k] = clamp(out[start + k]! + v);
      }
      t += len + 0.05 + rnd() * 0.1;
    }
  }
  for (const [from, to] of zeros) out.fill(0, Math.max(0, Math.round(from * rate)), Math.min(out.length, Math.round(to * rate)));
  return out;
}

/**
 * The mixed file: MixMonitor's mix is sample for sample the two directions added (transcript
 * two-sided-recording), where each direction file holds its voice at half the mixed level.
 */
export function mixed(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = clamp((a[i] ?? 0) + (b[i] ?? 0));
  return out;
}

/** A WAV file as MixMonitor leaves it: 44-byte header, 8 kHz, 16-bit mono (no samples: header only). */
export function wavFile(pcm: Int16Array): Buffer {
  const h = Buffer.alloc(44);
  const bytes = pcm.length * 2;
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE(36 + bytes, 4);
  h.write("WAVEfmt ", 8, "latin1");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "latin1");
  h.writeUInt32LE(bytes, 40);
  // Little-endian machines (x86, ARM) hold Int16Array exactly as WAV wants it.
  return Buffer.concat([h, Buffer.from(pcm.buffer, pcm.byteOffset, bytes)]);
}

const clamp = (v: number) => Math.max(-32768, Math.min(32767, Math.round(v)));
const round = (s: number) => Math.round(s * 100) / 100;
