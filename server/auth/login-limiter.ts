/**
 * Counts failed logins per client address and per username in a sliding window; past the limit,
 * logins are refused with a Retry-After until the oldest failure leaves the window. Kept in memory:
 * on several nodes each node counts its own share (documented limitation).
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait, or 0 when a login attempt may go ahead. */
  retryAfter(keys: string[]): number {
    const t = this.now();
    let wait = 0;
    for (const key of keys) {
      const list = this.prune(key, t);
      if (list.length >= this.maxFailures) {
        const oldest = list[list.length - this.maxFailures] ?? t;
        wait = Math.max(wait, Math.ceil((oldest + this.windowMs - t) / 1000));
      }
    }
    return wait;
  }

  fail(keys: string[]): void {
    const t = this.now();
    for (const key of keys) {
      const list = this.prune(key, t);
      list.push(t);
      this.failures.set(key, list);
    }
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.failures.delete(key);
  }

  private prune(key: string, t: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((at) => at > t - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }
}
