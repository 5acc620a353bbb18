import { pino, type Logger } from "pino";

export type { Logger };

/** Structured JSON logs on stdout. Secrets are redacted wherever they appear as fields. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "crm" },
    redact: {
      paths: ["password", "*.password", "secret", "*.secret", "token", "*.token", "authorization", "*.authorization", "req.headers.authorization"],
      censor: "***",
    },
  });
}
