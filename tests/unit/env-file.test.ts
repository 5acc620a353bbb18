// The settings file: .env in the working directory or --env-file=PATH, the environment winning,
// and every problem (bad lines, bad values) in one error. .env.example lists every setting.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../server/platform/config.js";
import { loadConfigWithEnvFile, parseEnvFile } from "../../server/platform/env-file.js";

const root = path.resolve(import.meta.dirname, "../..");

function dirWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-env-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("no ConfigError");
}

describe("parseEnvFile", () => {
  it("reads NAME=value lines, comments, export, quotes and trailing comments", () => {
    const { vars, problems } = parseEnvFile(
      ["# a comment", "", "PORT=4000", "export HOST = 127.0.0.1", 'DID_LABELS="8005551000=Support line;8005552000=Sales # not a comment"', "LOG_LEVEL=debug   # trailing", "SECRET='a b#c'", "EMPTY="].join("\n"),
      ".env",
    );
    expect(problems).toEqual([]);
    expect(vars).toEqual({ PORT: "4000", HOST: "127.0.0.1", DID_LABELS: "8005551000=Support line;8005552000=Sales # not a comment", LOG_LEVEL: "debug", SECRET: "a b#c", EMPTY: "" });
  });

  it("names the file and line of each bad line", () => {
    const { problems } = parseEnvFile(["PORT=1", "just words", 'HOST="unclosed', "1BAD=x"].join("\n"), "prod.env");
    expect(problems).toEqual(["prod.env:2: expected NAME=value", "prod.env:3: HOST: the value's closing \" is missing", "prod.env:4: expected NAME=value"]);
  });
});

describe("loadConfigWithEnvFile", () => {
  it("reads .env in the working directory; the environment wins over it", () => {
    const cwd = dirWith({ ".env": "PORT=4100\nWRAPUP_SECONDS=42\nDEFAULT_COUNTRY=de\n" });
    const { config, envFile } = loadConfigWithEnvFile({ cwd, argv: [], env: { PORT: "4200" } });
    expect(envFile).toBe(path.join(cwd, ".env"));
    expect(config.port).toBe(4200);
    expect(config.wrapupSeconds).toBe(42);
    expect(config.defaultCountry).toBe("DE");
  });

  it("an empty variable in the environment does not hide the file's value", () => {
    const cwd = dirWith({ ".env": "PORT=4100\n" });
    expect(loadConfigWithEnvFile({ cwd, argv: [], env: { PORT: "" } }).config.port).toBe(4100);
  });

  it("--env-file=PATH (or --env-file PATH) replaces .env", () => {
    const cwd = dirWith({ ".env": "PORT=4100\n", "prod.env": "PORT=4300\n" });
    expect(loadConfigWithEnvFile({ cwd, argv: ["--env-file=prod.env"], env: {} }).config.port).toBe(4300);
    expect(loadConfigWithEnvFile({ cwd, argv: ["--demo", "--env-file", "prod.env"], env: {} }).config.port).toBe(4300);
  });

  it("without a file, the environment alone (defaults for the rest)", () => {
    const cwd = dirWith({});
    const { config, envFile } = loadConfigWithEnvFile({ cwd, argv: [], env: {} });
    expect(envFile).toBeNull();
    expect(config.port).toBe(3000);
  });

  it("bad lines, bad values from the file and from the environment, and a missing --env-file: all in one error", () => {
    const cwd = dirWith({ ".env": "PORT=99999\nnot a setting\nAMI_URL=ftp://x\n" });
    const problems = problemsOf(() => loadConfigWithEnvFile({ cwd, argv: [], env: { WRAPUP_SECONDS: "-1" } }));
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe(".env:2: expected NAME=value");
    expect(problems.some((p) => p.startsWith("PORT:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("AMI_URL:"))).toBe(true);
    expect(problems.some((p) => p.startsWith("WRAPUP_SECONDS:"))).toBe(true);
    expect(problemsOf(() => loadConfigWithEnvFile({ cwd, argv: ["--env-file=missing.env"], env: {} }))[0]).toMatch(/^--env-file: .*missing\.env does not exist$/);
  });

  it("a file whose only fault is a bad line still fails", () => {
    const cwd = dirWith({ ".env": "PORT=4100\noops\n" });
    expect(problemsOf(() => loadConfigWithEnvFile({ cwd, argv: [], env: {} }))).toEqual([".env:2: expected NAME=value"]);
  });

  it("the new settings: LOG_FORMAT, METRICS_TOKEN, METRICS_PORT", () => {
    const cwd = dirWith({ ".env": "LOG_FORMAT=pretty\nMETRICS_TOKEN=0123456789abcdef0123\nMETRICS_PORT=9464\n" });
    const { config } = loadConfigWithEnvFile({ cwd, argv: [], env: {} });
    expect(config).toMatchObject({ logFormat: "pretty", metricsToken: "0123456789abcdef0123", metricsPort: 9464 });
    const bad = dirWith({ ".env": "LOG_FORMAT=xml\nMETRICS_TOKEN=short\n" });
    expect(problemsOf(() => loadConfigWithEnvFile({ cwd: bad, argv: [], env: {} })).map((p) => p.split(":")[0])).toEqual(["LOG_FORMAT", "METRICS_TOKEN"]);
  });
});

describe(".env.example", () => {
  const example = fs.readFileSync(path.join(root, ".env.example"), "utf8");

  it("names every setting the server reads, each with a line saying what it is", () => {
    const schemaKeys = [...fs.readFileSync(path.join(root, "server/platform/config.ts"), "utf8").matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
    expect(schemaKeys.length).toBeGreaterThan(30);
    const lines = example.split("\n");
    for (const key of schemaKeys) {
      const i = lines.findIndex((l) => l.startsWith(`# ${key}=`));
      expect(i, `${key} in .env.example`).toBeGreaterThan(0);
      expect(lines[i - 1], `${key}'s meaning`).toMatch(/^# \S/);
    }
  });

  it("uncommented, it is a valid configuration (the defaults)", () => {
    const uncommented = example.replace(/^# ([A-Z][A-Z0-9_]+=)/gm, "$1");
    const cwd = dirWith({ ".env": uncommented });
    const { config } = loadConfigWithEnvFile({ cwd, argv: [], env: {} });
    expect(config.port).toBe(3000);
    expect(config.amiUrl).toBe("sim");
  });
});
