// The stall watch says when the event loop was blocked: a busy loop here blocks it for certain (no
// guess about the machine's speed), and the next tick reports at least that long.
import { describe, expect, it } from "vitest";
import type { Logger } from "../../server/platform/logger.js";
import { StallWatch } from "../../server/platform/stall-watch.js";

describe("StallWatch", () => {
  it("logs and counts a stall with its length", async () => {
    const warnings: { stallMs: number; msg: string }[] = [];
    const log = { warn: (fields: { stallMs: number }, msg: string) => warnings.push({ ...fields, msg }) } as unknown as Logger;
    let told: (ms: number) => void = () => {};
    const stalled = new Promise<number>((resolve) => (told = resolve));
    const watch = new StallWatch({ log, thresholdMs: 300, intervalMs: 50, onStall: (ms) => told(ms) });
    try {
      const blockedUntil = performance.now() + 800;
      while (performance.now() < blockedUntil) {
        // The event loop is blocked: no timer can fire.
      }
      const ms = await stalled;
      // The tick was due at most one interval after the block began, so it came at least 750 ms late.
      expect(ms).toBeGreaterThanOrEqual(750);
      expect(watch.stalls).toBeGreaterThanOrEqual(1);
      expect(watch.longestMs).toBeGreaterThanOrEqual(ms);
      expect(warnings[0]!.stallMs).toBe(ms);
      expect(warnings[0]!.msg).toMatch(/^event loop stalled for \d+ ms/);
    } finally {
      watch.stop();
    }
  });
});
