// npm run seed:million [-- COUNT]: adds synthetic clients to the configured database (DATABASE_URL
// or the embedded one under DATA_DIR), for benchmarks and load trials.
import path from "node:path";
import { loadConfig } from "../server/platform/config.js";
import { openDatabase } from "../server/platform/db/database.js";
import { generateClients } from "../server/demo/generate-clients.js";

const count = Number(process.argv[2] ?? 1_000_000);
if (!Number.isInteger(count) || count <= 0) {
  console.error("usage: npm run seed:million -- [COUNT]");
  process.exit(2);
}
const config = loadConfig();
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? null : path.join(config.dataDir, "pgdata") });
const t0 = Date.now();
await generateClients(db, count, (done) => process.stdout.write(`\r${done.toLocaleString("en-US")} clients`));
console.log(`\ndone in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
await db.close();
