import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { isSupportedCountry } from "libphonenumber-js";

/** The validated configuration, read once at start (names: ../shared/docs/interfaces.md). */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string | null;
  redisUrl: string;
  /** True when REDIS_URL was not given: the demo script may start a private redis-server. */
  redisUrlDefaulted: boolean;
  amiUrl: string;
  dataDir: string;
  monitorDir: string;
  recordingsDir: string;
  /** What becomes of the PBX's raw WAV once the Opus files are verified: kept, archived under RECORDINGS_DIR/raw, or deleted. */
  recordingsRaw: "keep" | "archive" | "delete";
  /** Whether agents may replay their own calls (managers and admins always; supervisors their queues). */
  recordingsAgentAccess: boolean;
  /** Seconds an offered callback waits for the agent's accept before it dials by itself (0: at once). */
  callbackAutodialSeconds: number;
  /** The queue of a callback that names none (agents' own, IVR without a queue). */
  callbackDefaultQueue: string;
  bootstrapAdminPassword: string | null;
  defaultCountry: string;
  sessionTtlHours: number;
  logLevel: string;
  /** json: one JSON object a line (machines); pretty: readable lines (a person at a terminal). */
  logFormat: "json" | "pretty";
  /** Bearer token /metrics asks for (null: /metrics is not served on the main port without METRICS_PORT). */
  metricsToken: string | null;
  /** A second port, bound to 127.0.0.1, serving /metrics without a token (null: none). */
  metricsPort: number | null;
  /** Prefix of every Redis key and bull queue of this deployment. */
  redisPrefix: string;
  uiDir: string;
  /** How often due tasks are checked for reminders. */
  taskReminderSeconds: number;
  /** The PBX: the built-in simulator, or a real Asterisk's AMI. */
  /** The first PBX of `pbxes`. */
  pbx: PbxTarget & { name: string };
  /** Every PBX the server follows, each with its name (AMI_URL). */
  pbxes: (PbxTarget & { name: string })[];
  /** Simulated inbound calls a minute when the PBX is the simulator (0: none). */
  simCallsPerMinute: number;
  /** With N > 0 the simulator has agents 1001..1000+N in one round-robin queue (load tests). */
  simAgents: number;
  /** Time factor of the simulator (1 real time; 0.1 ten times faster), for tests and benchmarks. */
  simSpeed: number;
  /** What each DID means (campaign / lead source), shown on the card: number → label. */
  didLabels: Record<string, string>;
  dispositions: string[];
  pauseCodes: string[];
  /** Click-to-call may dial these countries (ISO codes). */
  dialCountries: string[];
  dialAllowPremium: boolean;
  /** Wrap-up time after each call before an agent counts as available again. */
  wrapupSeconds: number;
  /** A caller who hangs up in the queue sooner than this is a short abandon, counted apart (wallboard, reports). */
  shortAbandonSeconds: number;
  /** Whether an agent's console shows that a supervisor listens, whispers or barges (company policy). */
  spyNotice: boolean;
  /** List rows (clients; calls beyond one's own) an agent or supervisor may read per window before 429. */
  bulkReadRows: number;
  bulkReadWindowMinutes: number;
  trustProxy: string | number | false;
  /** The time zone reports cut days, weeks and hours in, unless a request names one. */
  reportsTimezone: string;
  /** First-contact resolution: an answered call not followed by another inbound call from the same number within this many days. */
  fcrDays: number;
  /** Business reports: a client with no call in this many days is lost. */
  lostClientDays: number;
  /** How many events /api/stream keeps for resuming (`?after=`), roughly (Redis stream MAXLEN ~). */
  streamRetentionEvents: number;
  /** First retry of a failed webhook delivery after this long, doubling each time (8 tries). */
  webhookRetrySeconds: number;
}

const portSchema = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  PORT: portSchema.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL")
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .optional(),
  // One PBX ("sim" or ami://…), or several named ones: main=ami://…,branch=ami://… (a comma in a
  // secret is written %2C).
  AMI_URL: z
    .string()
    .superRefine((u, ctx) => {
      const problem = amiUrlsProblem(u);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .default("sim"),
  DATA_DIR: z.string().min(1).default("var"),
  MONITOR_DIR: z.string().min(1).optional(),
  RECORDINGS_DIR: z.string().min(1).default("recordings"),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  DEFAULT_COUNTRY: z
    .string()
    .transform((s) => s.toUpperCase())
    .refine((c) => isSupportedCountry(c), "must be an ISO 3166 country code such as US or DE")
    .default("US"),
  SESSION_TTL_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").regex(/^[\x21-\x7e]+$/, "printable characters without spaces").optional(),
  METRICS_PORT: portSchema.refine((p) => p > 0, "must be a port number above 0").optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, "letters, digits, ':', '_' and '-' only")
    .default("crm"),
  UI_DIR: z.string().min(1).optional(),
  TASK_REMINDER_SECONDS: z.coerce.number().min(0.1).max(3600).default(30),
  SIM_CALLS_PER_MINUTE: z.coerce.number().min(0).max(6000).default(6),
  WRAPUP_SECONDS: z.coerce.number().int().min(0).max(3600).default(15),
  SHORT_ABANDON_SECONDS: z.coerce.number().int().min(0).max(600).default(5),
  SPY_NOTICE: z.enum(["true", "false", "1", "0"]).default("false"),
  SIM_SPEED: z.coerce.number().min(0.0001).max(100).default(1),
  SIM_AGENTS: z.coerce.number().int().min(0).max(5000).default(0),
  DID_LABELS: z
    .string()
    .regex(/^(\+?\d{2,20}=[^;=\r\n]{1,60})(;\+?\d{2,20}=[^;=\r\n]{1,60})*$/, "number=label pairs separated by ';'")
    .default("8005551000=Support line;8005552000=Sales line (radio spot);8005553000=Callback IVR"),
  DISPOSITIONS: z.string().regex(/^[^,\r\n]{1,40}(,[^,\r\n]{1,40})*$/, "comma-separated labels").default("Resolved,Follow-up needed,Sale,Not interested,Wrong number,Escalated"),
  PAUSE_CODES: z.string().regex(/^[a-z0-9_-]{1,30}(,[a-z0-9_-]{1,30})*$/, "comma-separated lower-case codes").default("break,lunch,meeting,training,coaching"),
  DIAL_COUNTRIES: z.string().regex(/^[A-Za-z]{2}(,[A-Za-z]{2})*$/, "comma-separated ISO country codes").optional(),
  DIAL_ALLOW_PREMIUM: z.enum(["true", "false", "1", "0"]).default("false"),
  CALLBACK_AUTODIAL_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
  CALLBACK_DEFAULT_QUEUE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name").default("support"),
  RECORDINGS_RAW: z.enum(["keep", "archive", "delete"]).default("archive"),
  RECORDINGS_AGENT_ACCESS: z.enum(["true", "false", "1", "0"]).default("false"),
  BULK_READ_ROWS: z.coerce.number().int().min(1).max(10_000_000).default(2000),
  BULK_READ_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  // Which hops in front of the server may say who the client is (X-Forwarded-For): Express's
  // "trust proxy" (loopback, a count of hops, or addresses/subnets). The per-address login limit
  // counts what this yields.
  TRUST_PROXY: z
    .string()
    .regex(/^(loopback|linklocal|uniquelocal|false|\d{1,2}|[0-9A-Fa-f.:/]+(\s*,\s*([0-9A-Fa-f.:/]+|loopback|linklocal|uniquelocal))*)$/, "must be loopback, false, a number of hops, or addresses/subnets separated by commas")
    .default("loopback"),
  FCR_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  LOST_CLIENT_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  REPORTS_TIMEZONE: z
    .string()
    .refine((tz) => validTimezone(tz), "must be an IANA time zone such as Europe/Paris or UTC")
    .default("UTC"),
  STREAM_RETENTION_EVENTS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  WEBHOOK_RETRY_SECONDS: z.coerce.number().min(0.05).max(3600).default(10),
});

/** The compiled server (dist/server) serves the console built beside it (dist/console); the sources serve agent-ui/dist. */
function defaultUiDir(): string {
  const built = path.resolve(import.meta.dirname, "../../console");
  const compiled = fs.existsSync(path.resolve(import.meta.dirname, "../build-info.json"));
  return compiled && fs.existsSync(path.join(built, "index.html")) ? built : "agent-ui/dist";
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and checks the environment; every bad variable is listed in one ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? "redis://127.0.0.1:6379/0",
    redisUrlDefaulted: e.REDIS_URL === undefined,
    amiUrl: e.AMI_URL,
    dataDir,
    monitorDir: path.resolve(e.MONITOR_DIR ?? path.join(dataDir, "monitor")),
    recordingsDir: path.resolve(e.RECORDINGS_DIR),
    recordingsRaw: e.RECORDINGS_RAW,
    callbackAutodialSeconds: e.CALLBACK_AUTODIAL_SECONDS,
    callbackDefaultQueue: e.CALLBACK_DEFAULT_QUEUE,
    recordingsAgentAccess: e.RECORDINGS_AGENT_ACCESS === "true" || e.RECORDINGS_AGENT_ACCESS === "1",
    bootstrapAdminPassword: e.BOOTSTRAP_ADMIN_PASSWORD ?? null,
    defaultCountry: e.DEFAULT_COUNTRY,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json"),
    metricsToken: e.METRICS_TOKEN ?? null,
    metricsPort: e.METRICS_PORT ?? null,
    redisPrefix: e.REDIS_PREFIX,
    uiDir: path.resolve(e.UI_DIR ?? defaultUiDir()),
    taskReminderSeconds: e.TASK_REMINDER_SECONDS,
    pbx: parseAmiUrls(e.AMI_URL)[0]!,
    pbxes: parseAmiUrls(e.AMI_URL),
    simCallsPerMinute: e.SIM_CALLS_PER_MINUTE,
    wrapupSeconds: e.WRAPUP_SECONDS,
    shortAbandonSeconds: e.SHORT_ABANDON_SECONDS,
    spyNotice: e.SPY_NOTICE === "true" || e.SPY_NOTICE === "1",
    simSpeed: e.SIM_SPEED,
    simAgents: e.SIM_AGENTS,
    didLabels: Object.fromEntries(e.DID_LABELS.split(";").map((pair) => pair.split("=") as [string, string])),
    dispositions: e.DISPOSITIONS.split(",").map((x) => x.trim()),
    pauseCodes: e.PAUSE_CODES.split(","),
    dialCountries: (e.DIAL_COUNTRIES ?? e.DEFAULT_COUNTRY).toUpperCase().split(","),
    dialAllowPremium: e.DIAL_ALLOW_PREMIUM === "true" || e.DIAL_ALLOW_PREMIUM === "1",
    bulkReadRows: e.BULK_READ_ROWS,
    bulkReadWindowMinutes: e.BULK_READ_WINDOW_MINUTES,
    trustProxy: e.TRUST_PROXY === "false" ? false : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : e.TRUST_PROXY,
    reportsTimezone: e.REPORTS_TIMEZONE,
    fcrDays: e.FCR_DAYS,
    lostClientDays: e.LOST_CLIENT_DAYS,
    streamRetentionEvents: e.STREAM_RETENTION_EVENTS,
    webhookRetrySeconds: e.WEBHOOK_RETRY_SECONDS,
  };
}

/** The configuration with secrets masked, for the start-up log line. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    ...c,
    databaseUrl: c.databaseUrl ? maskUrl(c.databaseUrl) : "embedded PGlite",
    redisUrl: maskUrl(c.redisUrl),
    amiUrl: maskUrl(c.amiUrl),
    bootstrapAdminPassword: c.bootstrapAdminPassword ? "***" : null,
    metricsToken: c.metricsToken ? "***" : null,
    pbx: c.pbx.kind === "ami" ? { ...c.pbx, secret: "***" } : c.pbx,
    pbxes: c.pbxes.map((p) => (p.kind === "ami" ? { ...p, secret: "***" } : p)),
  };
}

export type PbxTarget = { kind: "sim" } | { kind: "ami"; host: string; port: number; username: string; secret: string };

/** A PBX's name: part of Redis keys and of the journal (calls.pbx). */
const pbxName = /^[a-z][a-z0-9_-]{0,31}$/;
const oneUrl = /^(sim|ami:\/\/[^:@/\s]+:[^@/\s]+@[^:/\s]+(:\d+)?\/?)$/;

/** AMI_URL's entries: [name, url]; an unnamed single entry is the PBX "main". */
function amiUrlEntries(u: string): [string, string][] {
  const parts = u.split(",").map((p) => p.trim());
  return parts.map((p, i) => {
    const m = /^([^=:/]+)=(.*)$/.exec(p);
    return m ? [m[1]!, m[2]!] : [parts.length === 1 && i === 0 ? "main" : "", p];
  });
}

/** What is wrong with AMI_URL, or null (never repeating a URL: they hold secrets). */
export function amiUrlsProblem(u: string): string | null {
  const entries = amiUrlEntries(u);
  const names = new Set<string>();
  for (const [name, url] of entries) {
    if (!pbxName.test(name)) return entries.length > 1 ? "several PBXs need a name each: name=ami://user:secret@host:port, separated by commas (names: a-z, 0-9, - and _)" : "must be 'sim' or ami://user:secret@host:port";
    if (names.has(name)) return `the PBX name ${name} is given twice`;
    names.add(name);
    if (!oneUrl.test(url)) return entries.length > 1 ? `the PBX ${name} must be 'sim' or ami://user:secret@host:port` : "must be 'sim' or ami://user:secret@host:port";
    const problem = amiUrlProblem(url);
    if (problem) return entries.length > 1 ? `the PBX ${name}: ${problem}` : problem;
  }
  if (entries.filter(([, url]) => url === "sim").length > 1) return "only one PBX may be the built-in simulator";
  return null;
}

function parseAmiUrls(u: string): Config["pbxes"] {
  return amiUrlEntries(u).map(([name, url]) => ({ name, ...parseAmiUrl(url) }));
}

function parseAmiUrl(u: string): PbxTarget {
  if (u === "sim") return { kind: "sim" };
  const url = new URL(u);
  return {
    kind: "ami",
    host: url.hostname,
    port: Number(url.port || 5038),
    username: decodeURIComponent(url.username),
    secret: decodeURIComponent(url.password),
  };
}

/**
 * What is wrong with an ami:// URL beyond its shape, or null. The user and secret are
 * percent-decoded before they go into the AMI Login action, whose lines end in CRLF: a decoded
 * CR, LF or NUL (`%0d%0a`) would end the header and inject another, so any control character is
 * refused. The message never repeats the URL: it holds the secret.
 */
export function amiUrlProblem(u: string): string | null {
  if (!u.startsWith("ami://")) return null; // the shape check reports it
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    return "is not a valid URL (expected ami://user:secret@host:port)";
  }
  if (!/^([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(url.hostname)) return "the host must be a host name or an IP address";
  const parts: [string, string][] = [["user", url.username], ["secret", url.password]];
  for (const [what, raw] of parts) {
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      return `the ${what} has a malformed %-escape`;
    }
    if (value === "") return `the ${what} is empty`;
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(value)) return `the ${what} contains a control character (CR, LF, NUL ...) after %-decoding; AMI cannot carry it`;
  }
  return null;
}

function maskUrl(u: string): string {
  return u.replace(/\/\/([^:@/]+):([^@/]+)@/, "//$1:***@");
}
