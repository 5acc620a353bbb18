import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** What this server is: package.json's version and the commit it was built from. */
export interface BuildInfo {
  version: string;
  /** GIT_COMMIT, else the commit `npm run build` wrote into dist/server/build-info.json, else git's HEAD when run from a clone, else null. */
  commit: string | null;
  /** When `npm run build` ran (null when running the TypeScript sources). */
  builtAt: string | null;
  /** "compiled" (dist/server) or "sources" (tsx). */
  runtime: "compiled" | "sources";
}

// server/platform (sources) or dist/server/platform (compiled): the build writes build-info.json in dist/server.
const here = import.meta.dirname;

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function packageVersion(): string {
  for (let dir = here, i = 0; i < 5; i++, dir = path.dirname(dir)) {
    const pkg = readJson(path.join(dir, "package.json"));
    if (pkg && typeof pkg.version === "string") return pkg.version;
  }
  return "0.0.0";
}

function gitHead(): string | null {
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: here, timeout: 2000, stdio: ["ignore", "pipe", "ignore"] }).toString().trim() || null;
  } catch {
    return null;
  }
}

let cached: BuildInfo | null = null;

export function buildInfo(env: NodeJS.ProcessEnv = process.env): BuildInfo {
  if (cached) return cached;
  const built = readJson(path.resolve(here, "../build-info.json"));
  const envCommit = env.GIT_COMMIT?.trim();
  cached = {
    version: packageVersion(),
    commit: envCommit || (built ? ((built.commit as string | null) ?? null) : gitHead()),
    builtAt: (built?.builtAt as string | undefined) ?? null,
    runtime: built ? "compiled" : "sources",
  };
  return cached;
}
