/**
 * The column a unique-constraint violation is about, or null when the error is something else.
 * Prisma reports it differently per driver adapter: PrismaClientKnownRequestError P2002 through
 * the pg adapter, a DriverAdapterError with PostgreSQL's 23505 through PGlite.
 */
export function uniqueViolationField(err: unknown): string | null {
  const e = err as { code?: string; message?: string; meta?: { target?: unknown }; cause?: { code?: string; message?: string } };
  if (e?.code === "P2002") {
    const target = e.meta?.target;
    if (Array.isArray(target) && typeof target[0] === "string") return target[0];
    const m = /fields: \(`([^`]+)`/.exec(e.message ?? "");
    return m?.[1] ?? "unknown";
  }
  if (e?.cause?.code === "23505") {
    // Constraint names are <table>_<column>_key.
    const m = /constraint "[a-z]+_([a-z_]+)_key"/.exec(e.cause.message ?? "");
    return m?.[1] ?? "unknown";
  }
  return null;
}
