// The last line of defence behind edge validation: a value the database (or Prisma on its way
// there) refuses is a 400 naming `input`, not a 500 with a stack trace. Real errors from both
// engines, through the real error handler.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Request, Response } from "express";
import { openDatabase, type Database } from "../../server/platform/db/database.js";
import { isInvalidInputError } from "../../server/platform/db/db-errors.js";
import { errorHandler } from "../../server/platform/http/error-handler.js";
import { createLogger } from "../../server/platform/logger.js";
import { dbKinds, freshPostgresDatabase } from "../support/databases.js";

async function errorOf(f: () => Promise<unknown>): Promise<unknown> {
  try {
    await f();
  } catch (err) {
    return err;
  }
  throw new Error("expected the database to refuse the value");
}

function answer(err: unknown): { status: number; body: { error: { code: string; field?: string } } } {
  const out = { status: 0, body: null as unknown as { error: { code: string; field?: string } } };
  const res = {
    setHeader: () => res,
    status(code: number) {
      out.status = code;
      return res;
    },
    json(body: typeof out.body) {
      out.body = body;
      return res;
    },
  };
  errorHandler(createLogger("silent"))(err, { method: "GET", path: "/x" } as Request, res as unknown as Response, () => {});
  return out;
}

describe.each(dbKinds)("database input errors on %s", (kind) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const pg = kind === "postgres" ? await freshPostgresDatabase() : null;
    drop = pg?.drop;
    db = await openDatabase({ url: pg?.url ?? null, dataDir: null });
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it.each([
    ["NUL in text", () => db.prisma.auditLog.create({ data: { actorName: "x\u0000", action: "t" } })],
    ["NUL in a LIKE pattern", () => db.prisma.client.findMany({ where: { nameLower: { startsWith: "a\u0000" } } })],
    ["a lone surrogate", () => db.prisma.auditLog.create({ data: { actorName: "x\ud800", action: "t" } })],
    ["a lone surrogate in JSON", () => db.prisma.auditLog.create({ data: { actorName: "x", action: "t", details: { a: "\udfff" } } })],
    ["NUL in JSON", () => db.prisma.auditLog.create({ data: { actorName: "x", action: "t", details: { a: "\u0000" } } })],
    ["an id past 2^31-1", () => db.prisma.client.findFirst({ where: { id: 3_000_000_000 } })],
    ["a year past 9999", () => db.prisma.task.findMany({ where: { dueAt: { lt: new Date("+010000-01-01T00:00:00Z") } } })],
    ["a year before 0", () => db.prisma.task.findMany({ where: { dueAt: { lt: new Date("-005000-01-01T00:00:00Z") } } })],
  ])("%s is a 400 naming input", async (_what, query) => {
    const err = await errorOf(query);
    expect(isInvalidInputError(err)).toBe(true);
    expect(answer(err)).toEqual({ status: 400, body: { error: { code: "VALIDATION", message: expect.stringContaining("input"), field: "input" } } });
  });

  it("leaves other failures alone: a unique violation or a bug is not the caller's bad input", async () => {
    await db.prisma.user.create({ data: { username: "dup", displayName: "D", passwordHash: "x", role: "agent" } });
    const dup = await errorOf(() => db.prisma.user.create({ data: { username: "dup", displayName: "D", passwordHash: "x", role: "agent" } }));
    expect(isInvalidInputError(dup)).toBe(false);
    expect(isInvalidInputError(new TypeError("x is undefined"))).toBe(false);
    expect(answer(new TypeError("x is undefined")).status).toBe(500);
  });
});
