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

/** Prisma's error codes for a value the database cannot take (too long, out of range, malformed). */
const prismaInputCodes = new Set(["P2000", "P2005", "P2006", "P2007", "P2019", "P2020", "P2023", "P2033"]);

/**
 * Whether an error is the database (or Prisma on its way there) refusing a value, rather than a
 * fault of the server: PostgreSQL's class 22 "data exception" (NUL in text, an integer out of
 * range, a bad date), Prisma's input codes, and arguments Prisma could not convert (a lone
 * surrogate in JSON, a year past 9999). Routes validate at the edge; this is what is left over,
 * answered as a 400 instead of a 500 with a stack trace.
 */
export function isInvalidInputError(err: unknown): boolean {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; originalCode?: string };
    meta?: { driverAdapterError?: { cause?: { originalCode?: string } } };
  };
  if (!e || typeof e !== "object") return false;
  const sqlState = e.cause?.originalCode ?? e.cause?.code ?? e.meta?.driverAdapterError?.cause?.originalCode;
  if (typeof sqlState === "string" && /^22[0-9A-Z]{3}$/.test(sqlState)) return true;
  if (e.name === "PrismaClientKnownRequestError" && prismaInputCodes.has(e.code ?? "")) return true;
  if (e.name === "PrismaClientUnknownRequestError" && /Could not convert argument value|JSON Error:/.test(e.message ?? "")) return true;
  return false;
}
