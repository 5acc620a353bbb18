import { z } from "zod";
import { dateInput, idNumber, idParam, queryInt, sentDate, text } from "../platform/http/input.js";

const outcomes = ["answered", "abandoned", "missed", "busy", "failed", "reached", "not-reached"] as const;
const queueName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name");

export const recordingQuery = z
  .object({
    /** Client name, or part of it. */
    q: text(100).optional(),
    clientId: idParam.optional(),
    /** Any written form of the customer's number. */
    phone: z.string().max(60).optional(),
    agent: z.string().regex(/^\d{2,8}$/, "an extension (digits)").optional(),
    queue: queueName.optional(),
    from: dateInput.optional(),
    to: dateInput.optional(),
    outcome: z.enum(outcomes).optional(),
    disposition: text(40).optional(),
    minSeconds: queryInt(0, 86_400).optional(),
    status: z.enum(["pending", "ready", "failed", "empty", "deleted"]).optional(),
    limit: queryInt(1, 200).default(50),
    cursor: idParam.optional(),
  })
  .strict();
export type RecordingQuery = z.output<typeof recordingQuery>;

export const audioQuery = z
  .object({
    side: z.enum(["mix", "caller", "agent"]).default("mix"),
    download: z.enum(["1", "true", "0", "false"]).optional(),
  })
  .strict();

/** The audio by ticket: the same options, plus the ticket (audio-tickets.ts; base64url of 24 bytes). */
export const ticketQuery = audioQuery.extend({ t: z.string().regex(/^[A-Za-z0-9_-]{32}$/, "an audio ticket") }).strict();

export const pauseBody = z.object({ paused: z.boolean() }).strict();

export const holdBody = z
  .object({
    linkedid: z.string().regex(/^([A-Za-z0-9_]{1,32}-)?[0-9]{6,12}\.[0-9]{1,9}$/, "a call id (Linkedid)").optional(),
    clientId: idNumber.optional(),
    reason: text(500, { required: "why the hold applies" }),
  })
  .strict();

export const eraseBody = z
  .object({
    phone: z.string().max(60).optional(),
    clientId: idNumber.optional(),
    /** Also erase the client's record (name, numbers, notes): by client only. */
    personalData: z.boolean().optional(),
  })
  .strict();

export const retentionBody = z
  .object({
    /** Per queue ("*" for every other queue): days to keep audio, or null to keep it for ever. */
    rules: z.array(z.object({ queue: z.union([queueName, z.literal("*")]), days: z.number().int().min(1).max(36_500).nullable() }).strict()).max(200),
  })
  .strict();

// ---- Recordings on the wire (docs/api.md, Recordings): recordings.service.ts builds them from rows ----

export const recordingStatuses = ["pending", "ready", "failed", "empty", "deleted"] as const;
export type RecordingStatus = (typeof recordingStatuses)[number];
export const recordingSides = ["mix", "caller", "agent"] as const;
export type RecordingSide = (typeof recordingSides)[number];

/** A recording in a search result (GET /api/recordings). */
export const recordingItem = z
  .object({
    id: z.number().int(),
    callId: z.number().int().nullable(),
    linkedid: z.string(),
    status: z.enum(recordingStatuses),
    durationSeconds: z.number().nullable(),
    sides: z.array(z.enum(recordingSides)),
    startedAt: sentDate.nullable().meta({ description: "the call's start; null when the call is not in the journal" }),
    direction: z.string().nullable(),
    queue: z.string().nullable(),
    customerNumber: z.string().nullable(),
    outcome: z.string().nullable(),
    disposition: z.string().nullable(),
    agent: z.object({ extension: z.string().nullable(), name: z.string().nullable() }),
    client: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    deletedReason: z.string().nullable(),
  })
  .meta({ id: "Recording" });
export type RecordingItem = z.infer<typeof recordingItem>;

export const recordingPage = z.object({ items: z.array(recordingItem), next: z.string().nullable() });

/** Stretches of the file, in seconds from its start: [[startS, endS], ...]. */
const spans = z.array(z.tuple([z.number(), z.number()]));

/** GET /api/recordings/:id: what the player needs. */
export const recordingDetail = recordingItem
  .extend({
    peaks: z
      .object({ mix: z.array(z.number()).optional(), caller: z.array(z.number()).optional(), agent: z.array(z.number()).optional() })
      .nullable()
      .meta({ description: "20 points a second per side, 0..1; null until the recording is ready" }),
    speech: z.object({ caller: spans, agent: spans, silences: spans, overtalk: spans }).nullable(),
    muted: spans,
    checksum: z.string().nullable(),
    lastError: z.string().nullable(),
    note: z.string().nullable(),
    legalHold: z.boolean(),
  })
  .meta({ id: "RecordingDetail" });
export type RecordingDetail = z.infer<typeof recordingDetail>;
