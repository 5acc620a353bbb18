import { createApp } from "./app.js";
import { ConfigError, describeConfig, loadConfig } from "./platform/config.js";
import { createLogger } from "./platform/logger.js";
import { demoUsers, seedDemo } from "./demo/seed.js";

/** `npm start`: the server from the environment. `--demo` also seeds demo data into an empty database. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config) }, "starting");
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
