import type { Database } from "../platform/db/database.js";

/** Area codes the generated numbers are spread over (all real US area codes). */
const areaCodes = ["415", "212", "312", "512", "206", "617", "303", "305", "404", "503", "602", "313"];

/** The E.164 number of generated client i (1-based), as the SQL below builds it. */
export function generatedNumber(i: number): string {
  return `+1${areaCodes[i % areaCodes.length]}${2_000_000 + i}`;
}

/**
 * Adds `count` synthetic clients with one number each, straight in SQL (generate_series), in
 * batches: a million clients for benchmarks in about a minute instead of hours through the API.
 * Numbers are unique and follow generatedNumber(i).
 */
export async function generateClients(db: Database, count: number, onProgress?: (done: number) => void): Promise<void> {
  const batch = 100_000;
  const areas = `ARRAY[${areaCodes.map((a) => `'${a}'`).join(",")}]`;
  const base = (await db.query<{ n: number }>("SELECT COALESCE(MAX(id), 0)::int AS n FROM clients"))[0]!.n;
  for (let from = 1; from <= count; from += batch) {
    const to = Math.min(count, from + batch - 1);
    await db.exec(`
      INSERT INTO clients (id, kind, name, name_lower, emails, stage, tags, created_at, updated_at)
      SELECT ${base} + i, 'person', 'Client ' || i, 'client ' || i, ARRAY[]::text[],
             (ARRAY['prospect','active','regular','lost'])[1 + i % 4]::"LifecycleStage",
             CASE WHEN i % 10 = 0 THEN ARRAY['vip'] ELSE ARRAY[]::text[] END, now(), now()
        FROM generate_series(${from}, ${to}) AS i;
      INSERT INTO phones (client_id, number, raw, type, is_primary)
      SELECT ${base} + i, '+1' || (${areas})[1 + i % ${areaCodes.length}] || (2000000 + i), '+1' || (${areas})[1 + i % ${areaCodes.length}] || (2000000 + i), 'mobile', true
        FROM generate_series(${from}, ${to}) AS i;`);
    onProgress?.(to);
  }
  await db.exec(`SELECT setval(pg_get_serial_sequence('clients', 'id'), (SELECT MAX(id) FROM clients));`);
  await db.exec("ANALYZE clients; ANALYZE phones;");
}
