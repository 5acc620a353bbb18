/** [startSeconds, endSeconds] stretches of a recording. */
export type Spans = [number, number][];

/** Who talked when, and the moments a supervisor looks for: long silences, both talking at once. */
export interface Speech {
  caller: Spans;
  agent: Spans;
  /** Neither side talking for longer than `silenceSeconds`. */
  silences: Spans;
  /** Both sides talking at once for longer than half a second. */
  overtalk: Spans;
}

const frameSeconds = 0.02;

/**
 * Waveform peaks for the player: the loudest sample of each slice, 0..1, `perSecond` slices a
 * second (fewer for long calls, so a lane stays under `maxPoints`).
 */
export function peaks(samples: Int16Array, rate: number, perSecond = 20, maxPoints = 8000): number[] {
  const seconds = samples.length / rate;
  const points = Math.max(1, Math.min(maxPoints, Math.ceil(seconds * perSecond)));
  const per = samples.length / points;
  const out: number[] = new Array<number>(points);
  for (let p = 0; p < points; p++) {
    let max = 0;
    const end = Math.min(samples.length, Math.floor((p + 1) * per));
    for (let i = Math.floor(p * per); i < end; i++) {
      const v = Math.abs(samples[i]!);
      if (v > max) max = v;
    }
    out[p] = Math.round((max / 32768) * 1000) / 1000;
  }
  return out;
}

/**
 * Where one side speaks: 20 ms frames louder than the line's own noise floor by 12 dB, between
 * -45 and -35 dBFS (telephone speech sits around -20 to -30 dBFS; a side that talks nearly all
 * the time must not raise its own floor into its speech), short gaps (< 0.3 s, between words)
 * bridged, blips (< 0.15 s) dropped. Digital silence (a muted stretch) is never speech.
 */
export function speechSpans(samples: Int16Array, rate: number): Spans {
  const n = Math.floor(rate * frameSeconds);
  const frames = Math.floor(samples.length / n);
  if (frames === 0) return [];
  const db = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = f * n; i < (f + 1) * n; i++) sum += samples[i]! * samples[i]!;
    const rms = Math.sqrt(sum / n) / 32768;
    db[f] = rms > 0 ? 20 * Math.log10(rms) : -120;
  }
  const audible = [...db].filter((x) => x > -100).sort((a, b) => a - b);
  const floor = audible.length ? audible[Math.floor(audible.length * 0.1)]! : -120;
  const threshold = Math.max(-45, Math.min(-35, floor + 12));
  const raw: Spans = [];
  let start = -1;
  for (let f = 0; f <= frames; f++) {
    const on = f < frames && db[f]! > threshold;
    if (on && start < 0) start = f;
    if (!on && start >= 0) {
      raw.push([start * frameSeconds, f * frameSeconds]);
      start = -1;
    }
  }
  const merged: Spans = [];
  for (const s of raw) {
    const last = merged.at(-1);
    if (last && s[0] - last[1] < 0.3) last[1] = s[1];
    else merged.push([s[0], s[1]]);
  }
  return merged.filter(([a, b]) => b - a >= 0.15).map(([a, b]) => [round2(a), round2(b)]);
}

/** The two sides' speech, plus long silences and over-talk, over a file of `duration` seconds. */
export function conversation(caller: Spans, agent: Spans, duration: number, silenceSeconds = 3): Speech {
  const overtalk: Spans = [];
  for (const [a0, a1] of caller)
    for (const [b0, b1] of agent) {
      const s = Math.max(a0, b0);
      const e = Math.min(a1, b1);
      if (e - s >= 0.5) overtalk.push([round2(s), round2(e)]);
    }
  overtalk.sort((x, y) => x[0] - y[0]);
  const talk = [...caller, ...agent].sort((x, y) => x[0] - y[0]);
  const silences: Spans = [];
  let cursor = 0;
  for (const [s, e] of talk) {
    if (s - cursor >= silenceSeconds) silences.push([round2(cursor), round2(s)]);
    cursor = Math.max(cursor, e);
  }
  if (duration - cursor >= silenceSeconds) silences.push([round2(cursor), round2(duration)]);
  return { caller, agent, silences, overtalk };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
