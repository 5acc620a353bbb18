import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { freshPostgresDatabase } from "../support/databases.js";

/**
 * `npm start` as a process: it comes up from the environment alone, refuses a bad environment with
 * every problem listed, and on SIGTERM stops cleanly with the calls it saw written to the journal.
 */
describe("the server process", () => {
  const root = path.resolve(import.meta.dirname, "../..");
  const start = (env: Record<string, string>) =>
    spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });

  it("reports every bad variable at once and exits 2", async () => {
    const child = start({ PORT: "99999", AMI_URL: "http://pbx", DEFAULT_COUNTRY: "ZZ" });
    let err = "";
    child.stderr.on("data", (d) => (err += String(d)));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code).toBe(2);
    for (const name of ["PORT", "AMI_URL", "DEFAULT_COUNTRY"]) expect(err).toContain(name);
  });

  it("starts, follows simulated calls, and on SIGTERM flushes the journal and exits 0", async () => {
    const dbase = await freshPostgresDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-proc-"));
    const child = start({
      PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, DATABASE_URL: dbase.url, REDIS_PREFIX: `crmproc${process.pid}`,
      SIM_CALLS_PER_MINUTE: "600", SIM_SPEED: "0.02", LOG_LEVEL: "info", BOOTSTRAP_ADMIN_PASSWORD: "admin-password-1",
    });
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    try {
      await expect.poll(() => out.includes('"msg":"listening"'), { timeout: 30_000, interval: 100 }).toBe(true);
      // Let simulated calls start and end for a while.
      await new Promise((r) => setTimeout(r, 3000));
      child.kill("SIGTERM");
      const code = await new Promise<number | null>((r) => child.on("exit", r));
      expect(code).toBe(0);
      expect(out).toContain('"msg":"stopped"');
      const c = new pg.Client({ connectionString: dbase.url });
      await c.connect();
      const rows = (await c.query("SELECT count(*)::int AS n FROM calls")).rows[0].n as number;
      await c.end();
      expect(rows).toBeGreaterThan(0);
    } finally {
      child.kill("SIGKILL");
      await dbase.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
