import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Database } from "./database.js";

/**
 * Applies prisma/migrations/<name>/migration.sql in name order, each in its own transaction, and
 * records name and checksum. `prisma migrate deploy` cannot be used: it needs a native engine
 * offline and fails through the pg adapter (docs/database.md). Several server nodes starting at
 * once are serialised by an advisory lock on PostgreSQL (PGlite has a single connection).
 */
export async function applyMigrations(db: Database, dir: string): Promise<string[]> {
  const migrations = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });

  await db.exec(`CREATE TABLE IF NOT EXISTS "_crm_migrations" (
    name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  const lock = db.kind === "postgres";
  if (lock) await db.query("SELECT pg_advisory_lock(727274001)");
  try {
    const done = new Map(
      (await db.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_crm_migrations"`)).map(
        (r) => [r.name, r.checksum],
      ),
    );
    for (const m of migrations) {
      const previous = done.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum)
          throw new Error(`migration ${m.name} was changed after it was applied; add a new migration instead`);
        continue;
      }
      const name = m.name.replace(/'/g, "''");
      await db.exec(
        `BEGIN;\n${m.sql}\n;INSERT INTO "_crm_migrations" (name, checksum) VALUES ('${name}', '${m.checksum}');\nCOMMIT;`,
      ).catch(async (err: unknown) => {
        await db.exec("ROLLBACK").catch(() => {});
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      });
      applied.push(m.name);
    }
  } finally {
    if (lock) await db.query("SELECT pg_advisory_unlock(727274001)");
  }
  return applied;
}
