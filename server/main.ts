import { createApp } from "./app.js";
import { ConfigError, describeConfig } from "./platform/config.js";
import { loadConfigWithEnvFile } from "./platform/env-file.js";
import { buildInfo } from "./platform/build-info.js";
import { createLogger } from "./platform/logger.js";
import { demoUsers, seedDemo } from "./demo/seed.js";

/**
 * `npm start`: the server from the environment and a settings file (`.env` in the working
 * directory, or `--env-file=PATH`; the environment wins). `--demo` also seeds demo data into an
 * empty database.
 */
async function main(): Promise<void> {
  let config, envFile;
  try {
    ({ config, envFile } = loadConfigWithEnvFile());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, config.logFormat);
  const build = buildInfo();
  log.info({ version: build.version, commit: build.commit, runtime: build.runtime, node: process.version, envFile, config: config.logFormat === "json" ? describeConfig(config) : undefined }, "starting");
  if (config.logFormat === "pretty") log.debug({ config: describeConfig(config) }, "configuration");
  const app = await createApp(config, log);
  const demo = process.argv.includes("--demo");
  if (demo && (await seedDemo(app.db, app.users, log))) {
    await app.phoneIndex.load();
    await app.scripts.catalog.load();
  }
  const port = await app.listen();
  log.info({ port }, "listening");
  if (demo) {
    const lines = demoUsers.map((u) => `  ${u.role.padEnd(10)} ${u.username.padEnd(11)} ${u.password}${u.extension ? `   (phone ${u.extension})` : ""}`);
    console.log(`\n  Call-center CRM demo: http://localhost:${port}\n\n  Demo logins:\n${lines.join("\n")}\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.error("shutdown took longer than 15 s; exiting");
      process.exit(1);
    }, 15_000);
    force.unref();
    app.close().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
