import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../../generated/prisma/client.js";
import { applyMigrations } from "./migrate.js";

export type { PrismaClient };

/**
 * The database: Prisma for ordinary work, plus `query` straight to the driver for the few hot
 * paths where an ORM round trip costs too much (caller lookup on ring, bulk loads).
 */
export interface Database {
  kind: "pglite" | "postgres";
  prisma: PrismaClient;
  /** One parameterised statement ($1, $2 ...) on the driver, bypassing Prisma. */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * A hot statement kept prepared under `name` (planned once, not at every call): for the ring path.
   * Integer parameters only (PGlite's path writes them into EXECUTE, see openPglite).
   */
  prepared<T extends Record<string, unknown>>(name: string, sql: string, params: number[]): Promise<T[]>;
  /** Several statements without parameters (migrations, DDL). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgresql:// URL; null for the embedded PGlite. */
  url: string | null;
  /** Directory of the embedded database; null keeps it in memory (tests). */
  dataDir: string | null;
  migrationsDir?: string;
}

const defaultMigrationsDir = path.resolve(import.meta.dirname, "../../../prisma/migrations");

/** Opens the database and brings its schema up to date before anything else touches it. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const db = opts.url ? openPostgres(opts.url) : await openPglite(opts.dataDir);
  try {
    await applyMigrations(db, opts.migrationsDir ?? defaultMigrationsDir);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

function openPostgres(url: string): Database {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: "postgres",
    prisma,
    async query(sql, params) {
      const r = await pool.query(sql, params as unknown[] | undefined);
      return r.rows;
    },
    // node-postgres prepares a named statement once per pooled connection and reuses it after.
    async prepared(name, sql, params) {
      const r = await pool.query({ name, text: sql, values: params });
      return r.rows;
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPglite(dataDir: string | null): Promise<Database> {
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const lite = dataDir ? new PGlite(dataDir) : new PGlite();
  await lite.waitReady;
  // pglite-prisma-adapter 0.6 is typed against driver-adapter-utils 6.10 and Prisma 6.19 ships
  // 6.19: the runtime interface is the same (verified by the test suite), only the type names differ.
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(lite) as unknown as PrismaPg });
  // PGlite's query() parses and plans every time (about 0.8 ms for the card's statement, more than
  // running it); its API has no named statements, so SQL PREPARE once, then EXECUTE.
  const prepares = new Map<string, Promise<unknown>>();
  return {
    kind: "pglite",
    prisma,
    async query(sql, params) {
      const r = await lite.query(sql, params);
      return r.rows as never[];
    },
    async prepared(name, sql, params) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`prepared statement name '${name}'`);
      // The values are written into the EXECUTE text: integers only, so nothing can be injected.
      for (const p of params) if (!Number.isSafeInteger(p)) throw new Error(`prepared statement ${name}: ${String(p)} is not an integer`);
      let ready = prepares.get(name);
      if (!ready) {
        ready = lite.exec(`PREPARE ${name} AS ${sql}`);
        prepares.set(name, ready);
        ready.catch(() => prepares.delete(name));
      }
      await ready;
      const r = await lite.query(params.length ? `EXECUTE ${name}(${params.join(", ")})` : `EXECUTE ${name}`);
      return r.rows as never[];
    },
    async exec(sql) {
      await lite.exec(sql);
    },
    async close() {
      await prisma.$disconnect();
      await lite.close();
    },
  };
}
