/**
 * A function to await after each unit of work: it yields to the event loop (setImmediate, so
 * timers and I/O run, not just promise callbacks) once `sliceMs` has passed since the last yield,
 * and says whether it did. PGlite runs queries on this thread, and a chain of its promises alone
 * never lets the loop reach its timers: a long job without it holds back everything else, the
 * PBX lease's renewal included (3 s without one and the lease lapses).
 */
export function breather(sliceMs: number): () => Promise<boolean> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < sliceMs) return false;
    await new Promise((r) => setImmediate(r));
    last = performance.now();
    return true;
  };
}
