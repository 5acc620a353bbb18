import { describe, expect, it } from "vitest";
import { LoginLimiter } from "../../server/auth/login-limiter.js";

describe("login limiter", () => {
  it("blocks after the limit until the oldest failure leaves the window", () => {
    let now = 0;
    const l = new LoginLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfter(["u"])).toBe(0);
      l.fail(["u"]);
      now += 1000;
    }
    expect(l.retryAfter(["u"])).toBe(57);
    expect(l.retryAfter(["other"])).toBe(0);
    now = 60_001;
    expect(l.retryAfter(["u"])).toBe(0);
  });

  it("forgets a user's failures after a successful login", () => {
    const l = new LoginLimiter(2, 60_000, () => 0);
    l.fail(["u"]);
    l.fail(["u"]);
    expect(l.retryAfter(["u"])).toBeGreaterThan(0);
    l.succeed(["u"]);
    expect(l.retryAfter(["u"])).toBe(0);
  });
});
