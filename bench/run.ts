// npm run bench: runs every benchmark and rewrites BENCHMARKS.md with the figures, the machine and
// the date. BENCH_CLIENTS overrides the number of clients (default 1,000,000).
import fs from "node:fs";
import { describeMachine } from "./lib/machine.js";
import { benchCallerLookup, type LookupRow } from "./caller-lookup.bench.js";

const clients = Number(process.env.BENCH_CLIENTS ?? 1_000_000);
const pgAdminUrl = process.env.TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const log = (s: string) => console.log(`[bench] ${s}`);

const started = new Date();
const lookup = await benchCallerLookup(clients, pgAdminUrl, log);

const table = (rows: LookupRow[]) =>
  ["| database | lookup path | p50 | p99 | note |", "|---|---|---|---|---|", ...rows.map((r) => `| ${r.database} | ${r.path} | ${r.p50} | ${r.p99} | ${r.note} |`)].join("\n");

const md = `# Benchmarks

Written by \`npm run bench\` (bench/run.ts). Figures are from one run; rerun to compare.

- Date: ${started.toISOString().slice(0, 16).replace("T", " ")} UTC
- Machine: ${describeMachine()}
- Command: \`npm run bench\`${process.env.BENCH_CLIENTS ? ` with BENCH_CLIENTS=${clients}` : ""}

## Caller lookup by phone among ${clients.toLocaleString("en-US")} clients

What the ring path pays to turn a caller ID, written as \`(415) 200-1234\`, into the clients that own
it (90 % known numbers, 10 % unknown). Goal: p99 under 1 ms. The in-memory \`PhoneIndex\` is what
the server uses; the SQL and Prisma rows show what it avoids.

${table(lookup)}
`;
fs.writeFileSync("BENCHMARKS.md", md);
console.log(md);
