import { z } from "zod";
import { dateInput } from "../platform/http/input.js";

export const groupings = ["day", "week", "hour", "queue", "agent", "did"] as const;
export type Grouping = (typeof groupings)[number];

export const reportTimezone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "must be an IANA time zone such as Europe/Paris or UTC");

/** GET /api/reports/calls: the range is on the call's start time, `to` exclusive. */
export const callsReportQuery = z
  .object({
    from: dateInput.optional().meta({ description: "start of the range (ISO 8601), inclusive; default: 7 days before `to`" }),
    to: dateInput.optional().meta({ description: "end of the range (ISO 8601), exclusive; default: now" }),
    groupBy: z.enum(groupings).default("day"),
    queue: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name").optional(),
    agent: z.string().regex(/^\d{2,8}$/, "an extension (digits)").optional(),
    did: z.string().regex(/^\+?\d{2,20}$/, "a dialled number (digits)").optional(),
    tz: reportTimezone.optional().meta({ description: "time zone for day, week and hour (default REPORTS_TIMEZONE)" }),
    format: z.enum(["json", "csv"]).optional(),
  })
  .strict();
export type CallsReportQuery = z.output<typeof callsReportQuery>;

const seconds = z.number().nullable();
/** Percent (0-100, one decimal); null without calls to measure. */
const share = z.number().min(0).max(100).nullable();

/** One group's figures; every formula is in docs/reports.md. */
export const callsReportRow = z
  .object({
    key: z.string().nullable().meta({ description: "the day (YYYY-MM-DD), week (its Monday), hour of day (00-23), queue, agent extension or DID; null: calls without one" }),
    offered: z.number().int(),
    answered: z.number().int(),
    abandoned: z.number().int().meta({ description: "callers who left the queue after waiting at least SHORT_ABANDON_SECONDS" }),
    shortAbandoned: z.number().int(),
    serviceLevel: share,
    serviceLevelWithAbandons: share,
    asaSeconds: seconds,
    ahtSeconds: seconds,
    talkSeconds: seconds,
    holdSeconds: seconds,
    wrapupSeconds: seconds,
    transfers: z.number().int(),
    answeredWithinTarget: z.number().int(),
    label: z.string().nullable().meta({ description: "the agent's name or the DID's label, when known" }),
    callbacksRequested: z.number().int().meta({ description: "callbacks created in the range (by creation time, queue, assignee, or the DID of the call they came from)" }),
    callbacksCompleted: z.number().int().meta({ description: "of those, done with outcome reached or reached-by-customer" }),
    firstContactResolution: share.meta({ description: "percent of answered calls not followed by another inbound call from the same number within FCR_DAYS" }),
    scriptOutcomes: z.record(z.string(), z.number().int()).meta({ description: "finished script runs of these calls by outcome (CSV: outcome=count;…)" }),
    newClients: z.number().int().nullable().meta({ description: "grouped by DID only: clients created in the range whose first call was to this DID, or whose lead source is its label; null otherwise" }),
  })
  .meta({ id: "CallsReportRow" });
export type CallsReportRow = z.output<typeof callsReportRow>;

export const callsReport = z
  .object({
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(groupings),
    tz: z.string(),
    shortAbandonSeconds: z.number().int(),
    rows: z.array(callsReportRow),
    totals: callsReportRow,
    abandonTimes: z.array(z.object({ bucket: z.string(), fromSeconds: z.number(), toSeconds: z.number().nullable(), count: z.number().int() })),
    dispositions: z.array(z.object({ disposition: z.string().nullable(), count: z.number().int() })),
  })
  .meta({ id: "CallsReport" });
export type CallsReport = z.output<typeof callsReport>;

/** GET /api/reports/agents: per agent over the range (on the call's start and the state's span). */
export const agentsReportQuery = z
  .object({
    from: dateInput.optional(),
    to: dateInput.optional(),
    queue: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name").optional(),
    format: z.enum(["json", "csv"]).optional(),
  })
  .strict();
export type AgentsReportQuery = z.output<typeof agentsReportQuery>;

export const agentReportRow = z
  .object({
    agent: z.string().meta({ description: "extension" }),
    calls: z.number().int().meta({ description: "call segments this agent answered (a transferred call counts for each agent who talked)" }),
    missedRings: z.number().int().meta({ description: "times this agent's phone rang for a call and they did not answer while the caller was still there" }),
    talkSeconds: z.number().meta({ description: "total talk, hold excluded" }),
    holdSeconds: z.number(),
    wrapupSeconds: z.number().meta({ description: "total wrap-up of the calls they handled last (hang-up to saved wrap-up, at most WRAPUP_SECONDS; WRAPUP_SECONDS when none was saved)" }),
    availableSeconds: z.number(),
    onCallSeconds: z.number().meta({ description: "time in the states ringing and on-call" }),
    wrapupStateSeconds: z.number().meta({ description: "time in the wrap-up state" }),
    pausedSeconds: z.number(),
    occupancy: z.number().nullable().meta({ description: "percent: (on call + wrap-up state) / (available + on call + wrap-up state)" }),
    name: z.string().nullable(),
    pauseByReason: z.record(z.string(), z.number()),
  })
  .meta({ id: "AgentReportRow" });
export type AgentReportRow = z.output<typeof agentReportRow>;
export const agentsReport = z.object({ from: z.string(), to: z.string(), rows: z.array(agentReportRow) }).meta({ id: "AgentsReport" });
