/** Percentile (0-100) of a list of samples, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** Times `fn` once per input, in microseconds, after a warm-up over the first inputs. */
export async function timeEach<T>(inputs: T[], fn: (input: T) => unknown, warmup = 500): Promise<number[]> {
  for (const x of inputs.slice(0, warmup)) await fn(x);
  const out: number[] = [];
  for (const x of inputs) {
    const t = process.hrtime.bigint();
    await fn(x);
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out;
}

export const fmtUs = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);
export const fmtMb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
