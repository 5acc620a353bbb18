import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

/**
 * Logs on stdout. "json": one JSON object a line, for machines (production, a log shipper);
 * "pretty": readable coloured lines for a person (the demo, a terminal), through pino-pretty.
 * Secrets are redacted wherever they appear as fields.
 */
export function createLogger(level: string, format: "json" | "pretty" = "json"): Logger {
  const options = {
    level,
    base: { service: "crm" },
    redact: {
      paths: ["password", "*.password", "secret", "*.secret", "token", "*.token", "authorization", "*.authorization", "req.headers.authorization"],
      censor: "***",
    },
  };
  if (format === "json") return pino(options);
  // In-process and synchronous (not a worker-thread transport): the last lines before an exit are never lost.
  return pino(options, pretty({ sync: true, colorize: process.stdout.isTTY === true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service", singleLine: true }));
}

/** The fields that follow one call through the logs: `grep <linkedid>` shows all of it. */
export interface CallLogFields {
  callId: string;
  linkedid: string;
  agent?: string;
}

/** A call as the tracker, the journal and the card know it: the call's id is its Linkedid. */
export function callFields(call: { linkedid: string; agent?: string | null }, agent?: string | null): CallLogFields {
  const a = agent ?? call.agent ?? undefined;
  return a ? { callId: call.linkedid, linkedid: call.linkedid, agent: a } : { callId: call.linkedid, linkedid: call.linkedid };
}

/** A child logger for one call (callId, linkedid, agent on every line it writes). */
export function callLogger(log: Logger, call: { linkedid: string; agent?: string | null }, agent?: string | null): Logger {
  return log.child(callFields(call, agent));
}
