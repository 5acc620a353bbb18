import type { Database } from "../platform/db/database.js";
import type { Prisma } from "../generated/prisma/client.js";

export interface AuditEntry {
  actorId?: number | null;
  actorName: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown> | null;
  ip?: string | null;
}

export interface AuditQuery {
  action?: string | undefined;
  actor?: string | undefined;
  limit: number;
  cursor?: number | undefined;
}

/** The append-only record of sensitive actions (the table refuses UPDATE and DELETE). */
export class AuditService {
  constructor(private readonly db: Database) {}

  async record(e: AuditEntry): Promise<void> {
    await this.db.prisma.auditLog.create({
      data: {
        actorId: e.actorId ?? null,
        actorName: e.actorName,
        action: e.action,
        target: e.target ?? null,
        details: (e.details ?? undefined) as Prisma.InputJsonValue | undefined,
        ip: e.ip ?? null,
      },
    });
  }

  async list(q: AuditQuery) {
    const rows = await this.db.prisma.auditLog.findMany({
      where: {
        ...(q.action ? { action: q.action } : {}),
        ...(q.actor ? { actorName: q.actor } : {}),
        ...(q.cursor ? { id: { lt: q.cursor } } : {}),
      },
      orderBy: { id: "desc" },
      take: q.limit + 1,
    });
    const items = rows.slice(0, q.limit);
    return { items, next: rows.length > q.limit ? String(items[items.length - 1]?.id) : null };
  }
}
