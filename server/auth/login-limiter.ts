import type { Redis } from "ioredis";
import { AppError } from "../platform/errors.js";
import { redisBudget, type Budget } from "../platform/rate-limit.js";

export interface LoginLimits {
  /** Password checks per username and window. */
  perUsername: number;
  /**
   * Password checks per client address and window: higher, since a whole call center often sits
   * behind one NAT address and one agent's typos must not lock out the floor.
   */
  perAddress: number;
  windowSeconds: number;
}

export const defaultLoginLimits: LoginLimits = { perUsername: 10, perAddress: 100, windowSeconds: 15 * 60 };

/** A login attempt allowed to check a password; `succeeded` gives its points back. */
export interface LoginReservation {
  succeeded(): Promise<void>;
}

/**
 * Limits password checks per username and per address, on Redis so every node shares the count.
 * An attempt reserves its point before the password is checked (check and count are one atomic
 * step), so 200 parallel guesses get at most `perUsername` checks, not however many passed the
 * check before the first failure was counted. A successful login gives its points back: the
 * limits count failures (and attempts in flight), never a floor of agents signing in at 9:00.
 */
export class LoginLimiter {
  private readonly byUser: Budget;
  private readonly byAddress: Budget;

  constructor(redis: Redis, prefix: string, limits: LoginLimits = defaultLoginLimits) {
    this.byUser = redisBudget(redis, { prefix, name: "login-user", points: limits.perUsername, windowSeconds: limits.windowSeconds });
    this.byAddress = redisBudget(redis, { prefix, name: "login-address", points: limits.perAddress, windowSeconds: limits.windowSeconds });
  }

  /** Reserves one password check, or throws RATE_LIMITED (429 with Retry-After). */
  async reserve(username: string, address: string): Promise<LoginReservation> {
    const userKey = username.toLowerCase();
    const [u, a] = await Promise.all([this.byUser.take(userKey), this.byAddress.take(address)]);
    if (!u.ok || !a.ok) {
      // The limit that still had room does not count an attempt that checked no password.
      await Promise.all([u.ok ? this.byUser.giveBack(userKey) : null, a.ok ? this.byAddress.giveBack(address) : null]);
      const wait = Math.max(u.ok ? 0 : u.retryAfterSeconds, a.ok ? 0 : a.retryAfterSeconds);
      throw new AppError("RATE_LIMITED", `too many failed logins; try again in ${wait} s`, undefined, wait);
    }
    return {
      succeeded: async () => {
        await Promise.all([this.byUser.giveBack(userKey), this.byAddress.giveBack(address)]);
      },
    };
  }
}
