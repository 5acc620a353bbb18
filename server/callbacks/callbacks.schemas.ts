import { z } from "zod";
import { dateInput, idNumber, idParam, queryInt, sentDate, text } from "../platform/http/input.js";

const queueName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name");
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "a time HH:MM");
/** A phone number as people write it; CR, LF and other control characters are refused at the edge. */
const writtenNumber = text(40, { required: "a phone number" });

export const newCallbackBody = z
  .object({
    number: writtenNumber,
    name: text(100).optional(),
    queue: queueName.optional(),
    dueAt: dateInput.optional(),
    windowEnd: dateInput.optional(),
    note: text(1000, { multiline: true }).optional(),
    clientId: idNumber.optional(),
    assigneeId: idNumber.nullable().optional(),
  })
  .strict();

export const callbackQuery = z
  .object({
    status: z.enum(["pending", "offered", "dialing", "done", "cancelled", "expired", "open"]).optional(),
    queue: queueName.optional(),
    assignee: z.union([z.literal("me"), idParam]).optional(),
    number: z.string().max(40).optional(),
    from: dateInput.optional(),
    to: dateInput.optional(),
    limit: queryInt(1, 500).default(100),
    cursor: idParam.optional(),
  })
  .strict();

export const patchCallbackBody = z
  .object({
    dueAt: dateInput.optional(),
    assigneeId: idNumber.nullable().optional(),
    priority: z.number().int().min(-100).max(100).optional(),
    note: text(1000, { multiline: true }).optional(),
    status: z.literal("cancelled").optional(),
    outcome: z.literal("wrong-number").optional(),
  })
  .strict();

export const settingsBody = z
  .object({
    minAbandonSeconds: z.number().int().min(0).max(3600),
    timezone: z.string().max(64),
    hours: z.record(z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), z.array(z.tuple([hhmm, hhmm])).max(6)).nullable(),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD")).max(366),
    callWindow: z.tuple([hhmm, hhmm]),
    maxAttempts: z.number().int().min(1).max(20),
    targetMinutes: z.number().int().min(1).max(10_080),
  })
  .strict();

export const siteBody = z
  .object({
    name: text(100, { required: "a name" }),
    origins: z.array(z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "an origin such as https://www.example.com")).min(1).max(20),
    queue: queueName,
  })
  .strict();

/** The website widget's form. `website` is a honeypot: people leave it empty, form-filling bots do not. */
export const publicCallbackBody = z
  .object({
    siteKey: z.string().regex(/^site_[A-Za-z0-9_-]{10,64}$/, "a site key"),
    number: writtenNumber,
    name: text(100).optional(),
    preferredAt: dateInput.optional(),
    website: z.string().max(200).optional(),
  })
  .strict();

// ---- A callback on the wire (docs/api.md, Callbacks): callback.types.ts builds it from a row ----

export const callbackSources = ["abandoned", "ivr", "web", "agent"] as const;
export type CallbackSource = (typeof callbackSources)[number];
export const callbackStatuses = ["pending", "offered", "dialing", "done", "cancelled", "expired"] as const;
export type CallbackStatus = (typeof callbackStatuses)[number];
export const callbackOutcomes = ["reached", "no-answer", "busy", "wrong-number", "failed", "cancelled", "expired", "reached-by-customer"] as const;
export type CallbackOutcome = (typeof callbackOutcomes)[number];

export const callbackDto = z
  .object({
    id: z.number().int(),
    number: z.string(),
    name: z.string().nullable(),
    queue: z.string(),
    source: z.enum(callbackSources),
    status: z.enum(callbackStatuses),
    outcome: z.enum(callbackOutcomes).nullable(),
    dueAt: sentDate,
    windowEnd: sentDate.nullable(),
    originalQueuedAt: sentDate.meta({ description: "when the customer first joined the queue: their place among callbacks" }),
    priority: z.number().int(),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    clientId: z.number().int().nullable(),
    assigneeId: z.number().int().nullable(),
    offeredTo: z.string().nullable(),
    callIds: z.array(z.string()).meta({ description: "linkedids of the calls made for it" }),
    originLinkedid: z.string().nullable(),
    note: z.string().nullable(),
    createdAt: sentDate,
    updatedAt: sentDate,
    doneAt: sentDate.nullable(),
  })
  .meta({ id: "Callback" });
export type Callback = z.infer<typeof callbackDto>;

export const callbackPage = z.object({ items: z.array(callbackDto), next: z.string().nullable() });
/** POST /api/callbacks: `merged` (status 200): the number had an open callback in the queue, changed instead of a second one. */
export const callbackCreated = callbackDto.extend({ merged: z.boolean() });
