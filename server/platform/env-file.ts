import fs from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig, type Config } from "./config.js";

/**
 * Reads a dotenv file: `NAME=value` lines, `#` comments, blank lines, an optional `export `,
 * values in single or double quotes (double quotes understand \n). Every bad line is a problem
 * naming the file and line; none of them stops the others from being read.
 */
export function parseEnvFile(text: string, file: string): { vars: Record<string, string>; problems: string[] } {
  const vars: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      problems.push(`${file}:${i + 1}: expected NAME=value`);
      return;
    }
    const [, name, rest] = m as unknown as [string, string, string];
    let value = rest;
    const quote = value[0];
    if (quote === '"' || quote === "'") {
      const end = value.indexOf(quote, 1);
      if (end < 0) {
        problems.push(`${file}:${i + 1}: ${name}: the value's closing ${quote} is missing`);
        return;
      }
      const after = value.slice(end + 1).trim();
      if (after !== "" && !after.startsWith("#")) {
        problems.push(`${file}:${i + 1}: ${name}: text after the quoted value`);
        return;
      }
      value = value.slice(1, end);
      if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else {
      value = value.replace(/\s+#.*$/, "").trim();
    }
    vars[name] = value;
  });
  return { vars, problems };
}

/** `--env-file=PATH` or `--env-file PATH` among the arguments, if given. */
export function envFileArg(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--env-file=")) return a.slice("--env-file=".length);
    if (a === "--env-file") return argv[i + 1] ?? "";
  }
  return null;
}

/**
 * The configuration from the environment and a settings file: `--env-file=PATH` when given (it
 * must exist), else `.env` in the working directory when there is one. Variables set in the
 * environment win over the file. The file's bad lines and the settings' bad values come in one
 * ConfigError.
 */
export function loadConfigWithEnvFile(opts: { env?: NodeJS.ProcessEnv; argv?: string[]; cwd?: string } = {}): { config: Config; envFile: string | null } {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const asked = envFileArg(opts.argv ?? process.argv.slice(2));
  const problems: string[] = [];
  let envFile: string | null = null;
  let fileVars: Record<string, string> = {};
  if (asked !== null) {
    envFile = path.resolve(cwd, asked);
    if (!asked || !fs.existsSync(envFile)) {
      problems.push(`--env-file: ${asked ? `${envFile} does not exist` : "needs a path"}`);
      envFile = null;
    }
  } else if (fs.existsSync(path.join(cwd, ".env"))) {
    envFile = path.join(cwd, ".env");
  }
  if (envFile) {
    const parsed = parseEnvFile(fs.readFileSync(envFile, "utf8"), path.relative(cwd, envFile) || envFile);
    fileVars = parsed.vars;
    problems.push(...parsed.problems);
  }
  const real = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  let config: Config | null = null;
  try {
    config = loadConfig({ ...fileVars, ...real });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (!config || problems.length) throw new ConfigError(problems);
  return { config, envFile };
}
