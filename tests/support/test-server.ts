import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApp, type App } from "../../server/app.js";
import { loadConfig } from "../../server/platform/config.js";
import { createLogger } from "../../server/platform/logger.js";
import { seedDemo } from "../../server/demo/seed.js";
import { freshPostgresDatabase, type DbKind } from "./databases.js";

export const adminPassword = "admin-password-1";

export interface TestServer {
  url: string;
  app: App;
  adminToken: string;
  /** Logs a user in and returns its token. */
  login(username: string, password: string): Promise<string>;
  /** fetch against the server with JSON body and bearer token. */
  api(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string | Buffer }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * The real server on port 0 with a fresh database (embedded PGlite in a temp directory, or a new
 * PostgreSQL database), its own Redis key prefix, the built console if present, and user `admin`.
 */
export async function startTestServer(opts: { seed?: boolean; db?: DbKind; env?: Record<string, string> } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-test-"));
  const pgDb = opts.db === "postgres" ? await freshPostgresDatabase() : null;
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    RECORDINGS_DIR: path.join(dataDir, "recordings"),
    REDIS_PREFIX: `crmtest:${crypto.randomBytes(4).toString("hex")}`,
    BOOTSTRAP_ADMIN_PASSWORD: adminPassword,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    // The built-in PBX simulator runs, but places no calls unless a test does.
    SIM_CALLS_PER_MINUTE: "0",
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...(pgDb ? { DATABASE_URL: pgDb.url } : {}),
    ...opts.env,
  });
  const log = createLogger(config.logLevel);
  const app = await createApp(config, log);
  if (opts.seed) {
    await seedDemo(app.db, app.users, log, 300);
    await app.phoneIndex.load();
  }
  const port = await app.listen();
  const url = `http://127.0.0.1:${port}`;

  const api: TestServer["api"] = async (method, p, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | Buffer | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(o.body);
    }
    const res = await fetch(url + p, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("json") && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed, headers: res.headers };
  };
  const login = async (username: string, password: string) => {
    const r = await api("POST", "/api/auth/login", { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  const adminToken = await login("admin", adminPassword);
  return {
    url,
    app,
    adminToken,
    login,
    api,
    async close() {
      await app.close();
      await pgDb?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
