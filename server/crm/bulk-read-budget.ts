import type { Redis } from "ioredis";
import type { AuditService } from "../audit/audit.service.js";
import { allowed } from "../auth/roles.js";
import type { PublicUser } from "../auth/users.service.js";
import { AppError } from "../platform/errors.js";
import { redisBudget, type Budget } from "../platform/rate-limit.js";

export interface BulkReadLimits {
  /** Rows a user below manager may read from lists (clients, others' calls) per window (BULK_READ_ROWS). */
  rows: number;
  windowSeconds: number;
}

/**
 * Paging through the whole client base (or the call journal's callers) is what the manager's
 * audited CSV export is for. Agents and supervisors read lists within one budget of rows per
 * window, counted on Redis for all nodes; past it, lists answer 429 with Retry-After and the first
 * refusal of each window is audited (`clients.bulk_read_limited`, `calls.bulk_read_limited`). A page reserves its `limit` before the query and gives back the
 * rows it did not return, so a search that finds three clients costs three.
 */
export class BulkReadBudget {
  private readonly budget: Budget;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly audit: AuditService,
    private readonly limits: BulkReadLimits,
  ) {
    this.budget = redisBudget(redis, { prefix, name: "bulk-read", points: limits.rows, windowSeconds: limits.windowSeconds });
  }

  /** Reserves `rows` for one page; call the answer with the rows actually returned. */
  async reserve(user: PublicUser, ip: string | undefined, what: string, rows: number, query: Record<string, unknown>): Promise<(returned: number) => Promise<void>> {
    if (allowed(user.role, "unlimitedLists")) return async () => {};
    const key = String(user.id);
    const took = await this.budget.take(key, rows);
    if (!took.ok) {
      await this.auditOncePerWindow(user, ip, what, query);
      throw new AppError(
        "RATE_LIMITED",
        `you read more than ${this.limits.rows} ${what} rows in ${Math.round(this.limits.windowSeconds / 60)} min; try again in ${took.retryAfterSeconds} s, or ask a manager for an export`,
        undefined,
        took.retryAfterSeconds,
      );
    }
    return (returned) => this.budget.giveBack(key, Math.max(0, rows - returned));
  }

  private async auditOncePerWindow(user: PublicUser, ip: string | undefined, what: string, query: Record<string, unknown>): Promise<void> {
    const flag = `${this.prefix}:limit:bulk-read-audited:${user.id}`;
    const first = this.redis.status === "ready" ? (await this.redis.set(flag, "1", "EX", this.limits.windowSeconds, "NX")) === "OK" : true;
    if (!first) return;
    await this.audit.record({
      actorId: user.id,
      actorName: user.username,
      action: `${what}.bulk_read_limited`,
      details: { budgetRows: this.limits.rows, windowMinutes: this.limits.windowSeconds / 60, query },
      ip: ip ?? null,
    });
  }
}
