import type { Logger } from "./logger.js";

export interface StallWatchOptions {
  log: Logger;
  /** A tick this much later than due is a stall worth a warning (default 1000 ms). */
  thresholdMs?: number;
  /** How often the watch ticks (default 250 ms). */
  intervalMs?: number;
  /** Told of each stall (the metrics count them). */
  onStall?: (ms: number) => void;
}

/**
 * Says when the event loop stalled. A tick due every 250 ms that comes a second late means nothing
 * else ran meanwhile either: no socket was read, no timer fired, so the PBX lease (3 s) was not
 * renewed, AMI frames waited and pops were late. The usual cause is a long chain of awaited work
 * that never yields to the timers (a big PGlite job without platform/breather.ts). Logged with how
 * long it lasted, so an operator sees it beside whatever went wrong right after.
 */
export class StallWatch {
  private readonly thresholdMs: number;
  private readonly intervalMs: number;
  private due: number;
  private readonly timer: NodeJS.Timeout;
  /** Stalls seen since start. */
  stalls = 0;
  /** The longest stall seen, in ms. */
  longestMs = 0;

  constructor(private readonly o: StallWatchOptions) {
    this.thresholdMs = o.thresholdMs ?? 1000;
    this.intervalMs = o.intervalMs ?? 250;
    this.due = performance.now() + this.intervalMs;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    const late = now - this.due;
    this.due = now + this.intervalMs;
    if (late < this.thresholdMs) return;
    const ms = Math.round(late);
    this.stalls++;
    this.longestMs = Math.max(this.longestMs, ms);
    this.o.log.warn({ stallMs: ms }, `event loop stalled for ${ms} ms: timers, sockets and the PBX lease waited`);
    this.o.onStall?.(ms);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
