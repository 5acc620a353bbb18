import crypto from "node:crypto";
import pg from "pg";

/** The database kinds every API test runs against (TEST_DATABASES=pglite or =postgres narrows it). */
export type DbKind = "pglite" | "postgres";
export const dbKinds: DbKind[] = (process.env.TEST_DATABASES ?? "pglite,postgres")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is DbKind => s === "pglite" || s === "postgres");

/** Admin connection of the PostgreSQL server the tests may use (scripts/test.sh makes sure one answers). */
export const pgAdminUrl = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/**
 * A fresh, empty PostgreSQL database for one test file; the server migrates it at start.
 * Returns its URL and a drop function.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `crm_test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgAdminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
