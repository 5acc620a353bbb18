import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "../server/platform/db/database.js";
import { generateClients, generatedNumber } from "../server/demo/generate-clients.js";
import { PhoneIndex } from "../server/crm/phone-index.js";
import { phoneKey } from "../server/crm/phone-numbers.js";
import { seededRandom } from "../server/demo/random.js";
import { fmtMb, fmtUs, percentile, timeEach } from "./lib/stats.js";

export interface LookupRow {
  database: string;
  path: string;
  p50: string;
  p99: string;
  note: string;
}

/**
 * Caller lookup by phone among `count` clients: what the ring path pays to turn a caller ID in any
 * written form into the owning clients. Three ways: the in-memory PhoneIndex (the ring path), one
 * indexed SQL statement on the driver, and a Prisma findMany (the ORM round trip it avoids).
 */
export async function benchCallerLookup(count: number, pgAdminUrl: string, log: (s: string) => void): Promise<LookupRow[]> {
  const rows: LookupRow[] = [];
  for (const kind of ["pglite", "postgres"] as const) {
    const { db, cleanup } = await openFresh(kind, pgAdminUrl);
    try {
      log(`${kind}: generating ${count.toLocaleString("en-US")} clients`);
      const t0 = Date.now();
      await generateClients(db, count);
      log(`${kind}: generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

      const rnd = seededRandom(7);
      // 90 % known callers written as a national number with punctuation, 10 % unknown numbers.
      const inputs = Array.from({ length: 20_000 }, () => {
        const i = 1 + Math.floor(rnd() * count);
        const n = rnd() < 0.9 ? generatedNumber(i) : generatedNumber(count + 1 + i);
        return `(${n.slice(2, 5)}) ${n.slice(5, 8)}-${n.slice(8)}`;
      });

      const index = new PhoneIndex(db);
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const tl = Date.now();
      await index.load();
      const loadMs = Date.now() - tl;
      global.gc?.();
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      const mem = await timeEach(inputs, (x) => {
        const key = phoneKey(x, "US");
        return key ? index.lookupSync(key) : null;
      });
      const hits = inputs.filter((x) => (index.lookupSync(phoneKey(x, "US")!) ?? []).length > 0).length;
      rows.push({
        database: kind,
        path: "in-memory PhoneIndex (normalize + Map)",
        p50: fmtUs(percentile(mem, 50)),
        p99: fmtUs(percentile(mem, 99)),
        note: `load ${(loadMs / 1000).toFixed(1)} s, heap +${fmtMb(heapGrowth)}, ${Math.round((hits / inputs.length) * 100)} % hits`,
      });

      const sql = await timeEach(inputs.slice(0, 5000), async (x) => {
        const key = phoneKey(x, "US");
        await db.query(
          `SELECT p.client_id, p.contact_id FROM phones p JOIN clients c ON c.id = p.client_id
            WHERE p.number = $1 AND c.deleted_at IS NULL`,
          [key],
        );
      });
      rows.push({ database: kind, path: "one SQL statement on the driver", p50: fmtUs(percentile(sql, 50)), p99: fmtUs(percentile(sql, 99)), note: "btree on phones.number" });

      const orm = await timeEach(inputs.slice(0, 3000), async (x) => {
        const key = phoneKey(x, "US")!;
        await db.prisma.phone.findMany({ where: { number: key, client: { deletedAt: null } }, select: { clientId: true, contactId: true } });
      });
      rows.push({ database: kind, path: "Prisma findMany", p50: fmtUs(percentile(orm, 50)), p99: fmtUs(percentile(orm, 99)), note: "for comparison" });
      log(`${kind}: done`);
    } finally {
      await cleanup();
    }
  }
  return rows;
}

async function openFresh(kind: "pglite" | "postgres", pgAdminUrl: string): Promise<{ db: Database; cleanup: () => Promise<void> }> {
  if (kind === "pglite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-bench-"));
    const db = await openDatabase({ url: null, dataDir: dir });
    return { db, cleanup: async () => { await db.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
  }
  const name = `crm_bench_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), dataDir: null });
  return {
    db,
    cleanup: async () => {
      await db.close();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
