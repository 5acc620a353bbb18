// The compiled server (npm run build; node dist/server/main.js) against the TypeScript sources
// run through tsx (node --import tsx server/main.ts): time from process start to /api/health
// answering 200, and resident memory then and once settled, both on the demo's data (3,000
// clients, simulated traffic). Writes the <!-- section:packaging --> block of BENCHMARKS.md.
//   npm run build && npx tsx bench/packaging.bench.ts        (PACKAGING_RUNS=2 starts each)
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeMachine } from "./lib/machine.js";

const root = path.resolve(import.meta.dirname, "..");
const runs = Number(process.env.PACKAGING_RUNS ?? 2);
const settleMs = Number(process.env.PACKAGING_SETTLE_MS ?? 15_000);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-bench-pkg-"));
const log = (s: string) => console.log(`[packaging] ${s}`);

interface Run {
  runtime: "compiled" | "tsx";
  startMs: number;
  rssAtReadyMb: number;
  rssSettledMb: number;
}

const commands = {
  compiled: ["--enable-source-maps", "dist/server/main.js", "--demo"],
  tsx: ["--import", "tsx", "server/main.ts", "--demo"],
} as const;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/api/health`)).status === 200;
  } catch {
    return false;
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

async function start(runtime: Run["runtime"], port: number): Promise<{ child: ChildProcess; startMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...commands[runtime]], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, RECORDINGS_DIR: path.join(dataDir, "recordings"), REDIS_PREFIX: "crmbench:packaging", LOG_FORMAT: "json", LOG_LEVEL: "warn", SIM_CALLS_PER_MINUTE: "6" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  while (!(await healthy(port))) {
    if (child.exitCode !== null) throw new Error(`${runtime} server exited (${child.exitCode})`);
    if (performance.now() - t0 > 180_000) throw new Error(`${runtime} server not healthy after 3 min`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, startMs: Math.round(performance.now() - t0) };
}

if (!fs.existsSync(path.join(root, "dist/server/main.js"))) throw new Error("dist/server/main.js is missing: npm run build");
const port = 3900 + Math.floor(Math.random() * 90);
log(`seeding the demo data into ${dataDir} (first start, not measured)`);
await stop((await start("tsx", port)).child);

const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  for (const runtime of ["compiled", "tsx"] as const) {
    const { child, startMs } = await start(runtime, port);
    const rssAtReadyMb = rssMb(child.pid!);
    await new Promise((r) => setTimeout(r, settleMs));
    const rssSettledMb = rssMb(child.pid!);
    await stop(child);
    results.push({ runtime, startMs, rssAtReadyMb, rssSettledMb });
    log(`${runtime}: healthy after ${startMs} ms, RSS ${rssAtReadyMb} MB, ${rssSettledMb} MB after ${settleMs / 1000} s`);
  }
}
fs.rmSync(dataDir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = (runtime: Run["runtime"], label: string) => {
  const rs = results.filter((r) => r.runtime === runtime);
  return `| ${label} | ${rs.map((r) => (r.startMs / 1000).toFixed(1)).join(" / ")} s | ${(median(rs.map((r) => r.startMs)) / 1000).toFixed(1)} s | ${median(rs.map((r) => r.rssAtReadyMb))} MB | ${median(rs.map((r) => r.rssSettledMb))} MB |`;
};
const section = `<!-- section:packaging -->
## Compiled server against the sources through tsx

Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${describeMachine()}, with other jobs
sharing the machine (load average ${os.loadavg()[0]!.toFixed(1)} at the end: start-up times swing with it).
Command: \`npm run build && npx tsx bench/packaging.bench.ts\`.

The demo's server (\`--demo\`: 3,000 clients already seeded in embedded PGlite, simulated traffic of
6 calls a minute, Redis local), started ${runs} times each way. Start-up: from process start to
\`GET /api/health\` answering 200. Memory: resident set (VmRSS) when healthy, and ${settleMs / 1000} s later.

| runtime | start-up (each run) | start-up (median) | RSS when healthy (median) | RSS settled (median) |
|---|---|---|---|---|
${row("compiled", "`node --enable-source-maps dist/server/main.js` (npm start)")}
${row("tsx", "`node --import tsx server/main.ts` (the sources)")}

The compiled server skips tsx's loader (esbuild transforming every module of the server and its
TypeScript dependencies at each start) and its compile cache: it starts sooner and holds less
memory. The rest of start-up (opening PGlite, loading the phone index, connecting Redis and the
PBX) is the same both ways.
<!-- /section:packaging -->`;

const file = path.join(root, "BENCHMARKS.md");
const text = fs.readFileSync(file, "utf8");
const re = /<!-- section:packaging -->[\s\S]*?<!-- \/section:packaging -->/;
fs.writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
log("BENCHMARKS.md: section packaging written");
