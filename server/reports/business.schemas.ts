import { z } from "zod";
import { dateInput } from "../platform/http/input.js";
import { reportTimezone } from "./reports.schemas.js";

export const businessTables = ["conversion", "stages", "growth", "processing", "lost", "complaints"] as const;
export type BusinessTable = (typeof businessTables)[number];

/** GET /api/reports/business: the CRM's figures over [from, to) (docs/reports.md "Business reports"). */
export const businessReportQuery = z
  .object({
    from: dateInput.optional().meta({ description: "start of the range (ISO 8601), inclusive; default: 365 days before `to`" }),
    to: dateInput.optional().meta({ description: "end of the range (ISO 8601), exclusive; default: now" }),
    tz: reportTimezone.optional().meta({ description: "time zone for months (default REPORTS_TIMEZONE)" }),
    format: z.enum(["json", "csv"]).optional(),
    table: z.enum(businessTables).default("conversion").meta({ description: "with CSV: which table" }),
  })
  .strict();
export type BusinessReportQuery = z.output<typeof businessReportQuery>;

const seconds = z.number().nullable();
const durations = z.object({ count: z.number().int(), done: z.number().int(), meanSeconds: seconds, p50Seconds: seconds });

export const businessReport = z
  .object({
    from: z.string(),
    to: z.string(),
    tz: z.string(),
    conversion: z.object({
      leads: z.number().int().meta({ description: "clients created in the range whose first stage was prospect" }),
      converted: z.number().int().meta({ description: "of those, the ones that reached active or regular (by now)" }),
      rate: z.number().nullable(),
      meanDaysToConvert: z.number().nullable(),
    }),
    conversionByMonth: z.array(z.object({ month: z.string(), leads: z.number().int(), converted: z.number().int(), rate: z.number().nullable() })),
    stages: z.array(
      z.object({
        stage: z.string(),
        clients: z.number().int().meta({ description: "clients in this stage now" }),
        enteredInRange: z.number().int().meta({ description: "stage changes into this stage in the range" }),
        reachedByLeads: z.number().int().meta({ description: "the range's leads that reached this stage" }),
      }),
    ),
    firstContact: durations.meta({ description: "clients created in the range (count), first talked to (done), created → first answered or reached call" }),
    tasks: durations.meta({ description: "tasks created in the range, done, created → done" }),
    callbacks: durations.meta({ description: "callbacks created in the range, done, created → done" }),
    growth: z.array(z.object({ month: z.string(), newClients: z.number().int(), becameLost: z.number().int(), totalClients: z.number().int() })),
    lost: z.object({
      days: z.number().int(),
      asOf: z.string(),
      count: z.number().int(),
      clients: z.array(z.object({ id: z.number().int(), name: z.string(), lastContactAt: z.string().nullable() })).meta({ description: "the first 100 by id" }),
    }),
    complaints: z.object({
      count: z.number().int(),
      withTask: z.number().int(),
      closed: z.number().int(),
      meanCloseSeconds: seconds,
      p50CloseSeconds: seconds,
      items: z.array(
        z.object({
          linkedid: z.string(),
          startedAt: z.string(),
          clientId: z.number().int().nullable(),
          source: z.enum(["disposition", "script"]),
          taskId: z.number().int().nullable(),
          closedAt: z.string().nullable(),
          closeSeconds: seconds,
        }),
      ).meta({ description: "the first 200 by start time" }),
    }),
  })
  .meta({ id: "BusinessReport" });
export type BusinessReport = z.output<typeof businessReport>;
