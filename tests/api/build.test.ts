// `npm run build && npm start` as a new user runs them: scripts/build.sh compiles the server and
// builds the console into one folder (BUILD_DIR here, inside var/, so dist/ is left alone), and
// the compiled server started with plain node serves the console, answers health and says it
// runs compiled, from the build's version and commit.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const buildDir = path.join(root, "var", `test-build-${crypto.randomBytes(3).toString("hex")}`);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-build-"));

describe("npm run build, then the compiled server", () => {
  let child: ChildProcess | null = null;
  let url = "";
  const lines: string[] = [];

  beforeAll(async () => {
    await promisify(execFile)("bash", ["scripts/build.sh"], { cwd: root, env: { ...process.env, BUILD_DIR: buildDir, GIT_COMMIT: "" }, maxBuffer: 16 * 1024 * 1024 });
    child = spawn(process.execPath, ["--enable-source-maps", path.join(buildDir, "server/main.js")], {
      cwd: dataDir,
      env: {
        ...process.env,
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        RECORDINGS_DIR: path.join(dataDir, "recordings"),
        REDIS_PREFIX: `crmtest:${crypto.randomBytes(4).toString("hex")}`,
        SIM_CALLS_PER_MINUTE: "0",
        LOG_FORMAT: "json",
        GIT_COMMIT: "",
        UI_DIR: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (b: Buffer) => lines.push(...b.toString().split("\n").filter(Boolean)));
    child.stderr!.on("data", (b: Buffer) => lines.push(b.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no "listening" line:\n${lines.join("\n")}`)), 120_000);
      child!.stdout!.on("data", () => {
        for (const l of lines) {
          try {
            const j = JSON.parse(l) as { msg?: string; port?: number };
            if (j.msg === "listening" && j.port) {
              clearTimeout(t);
              return resolve(j.port);
            }
          } catch {
            /* not JSON */
          }
        }
      });
      child!.once("exit", (code) => reject(new Error(`exited ${code}:\n${lines.join("\n")}`)));
    });
    url = `http://127.0.0.1:${port}`;
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(buildDir, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("the build holds the compiled server with source maps, the console, the migrations and the run-time files", () => {
    for (const f of ["server/main.js", "server/main.js.map", "server/app.js", "console/index.html", "server/callbacks/widget/callback.js", "server/integration/reference/index.html", "server/build-info.json"]) expect(fs.existsSync(path.join(buildDir, f)), f).toBe(true);
    expect(fs.readdirSync(path.join(buildDir, "prisma/migrations")).length).toBeGreaterThan(0);
    const info = JSON.parse(fs.readFileSync(path.join(buildDir, "server/build-info.json"), "utf8"));
    expect(info.version).toBe(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version);
  });

  it("serves the console and answers health, as the compiled build", async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="app"|<script type="module"/);
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { status: string; version: string; commit: string | null };
    expect(body.status).toBe("ok");
    const info = JSON.parse(fs.readFileSync(path.join(buildDir, "server/build-info.json"), "utf8"));
    expect(body.version).toBe(info.version);
    expect(body.commit).toBe(info.commit);
    expect(lines.some((l) => l.includes('"runtime":"compiled"'))).toBe(true);
    expect((await fetch(`${url}/widget/callback.js`)).status).toBe(200);
  });
});
