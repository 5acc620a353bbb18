import { z } from "zod";
import { idNumber, idParam, queryInt, sentDate, text } from "../platform/http/input.js";

export const stages = ["prospect", "active", "regular", "lost"] as const;
export const phoneTypes = ["mobile", "work", "home", "fax", "other"] as const;
export const clientKinds = ["person", "company"] as const;

const optionalText = (max: number, multiline = false) =>
  text(max, { multiline })
    .nullable()
    .optional()
    .transform((v) => (v === "" ? null : v));

/** A phone as written by the user; normalized by the service, which names the failing entry. */
export const phoneInput = z.union([
  text(60),
  z.object({
    number: text(60),
    type: z.enum(phoneTypes).optional(),
    isPrimary: z.boolean().optional(),
  }),
]);
export type PhoneInput = z.infer<typeof phoneInput>;

const tag = text(40)
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} _.:/-]{0,39}$/u, "a tag is 1 to 40 letters, digits, spaces or - _ . : /"));

const email = text(254)
  .transform((s) => s.toLowerCase())
  .pipe(z.email("not an email address"));

const clientFields = {
  kind: z.enum(clientKinds).optional(),
  company: optionalText(200),
  emails: z.array(email).max(20).optional(),
  addressLine: optionalText(300),
  city: optionalText(100),
  region: optionalText(100),
  postalCode: optionalText(20),
  country: optionalText(100),
  ownerId: idNumber.nullable().optional(),
  stage: z.enum(stages).optional(),
  tags: z.array(tag).max(50).optional(),
  leadSource: optionalText(100),
  vip: z.boolean().optional(),
  notes: optionalText(20_000, true),
  phones: z.array(phoneInput).max(20).optional(),
};

export const newClientBody = z
  .object({ name: text(200, { required: "is required" }), ...clientFields })
  .strict();
/** Keys a body left out are absent (the text transforms would otherwise make them required keys). */
export type NewClient = Partial<z.infer<typeof newClientBody>> & { name: string };

export const clientChangesBody = z
  .object({ name: text(200, { required: "may not be empty" }).optional(), ...clientFields })
  .strict();
export type ClientChanges = Partial<z.infer<typeof clientChangesBody>>;

export const sorts = ["name", "-name", "createdAt", "-createdAt", "updatedAt", "-updatedAt"] as const;

export const clientListQuery = z.object({
  q: text(200).optional(),
  phone: text(60).optional(),
  email: text(254).transform((s) => s.toLowerCase()).optional(),
  tag: text(40).transform((s) => s.toLowerCase()).optional(),
  stage: z.enum(stages).optional(),
  owner: z.union([z.literal("me"), idParam], { message: "must be 'me' or a user id" }).optional(),
  sort: z.enum(sorts).default("name"),
  limit: queryInt(1, 200).default(50),
  cursor: idParam.optional(),
});
export type ClientListQuery = z.infer<typeof clientListQuery>;

export const contactBody = z
  .object({
    name: text(200, { required: "is required" }),
    title: optionalText(100),
    email: email.nullable().optional(),
    phones: z.array(phoneInput).max(20).optional(),
  })
  .strict();
export type ContactInput = Partial<z.infer<typeof contactBody>> & { name: string };

export const contactChangesBody = contactBody.partial().strict();

export const noteBody = z.object({ body: text(20_000, { multiline: true, required: "is required" }) }).strict();

// ---- A background CSV import on the wire (GET /api/clients/import/:id, Socket.IO `import:progress`) ----

export const importStatuses = ["queued", "running", "done", "failed"] as const;
export type ImportStatus = (typeof importStatuses)[number];

export const importJob = z
  .object({
    id: z.number().int(),
    status: z.enum(importStatuses),
    dryRun: z.boolean(),
    bytes: z.number().int(),
    totalRows: z.number().int().nullable().meta({ description: "data rows in the file; null until the file was read through once" }),
    rowsDone: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    failed: z.number().int(),
    error: z
      .object({ code: z.string(), message: z.string(), line: z.number().int().optional() })
      .nullable()
      .meta({ description: "why the whole file was refused or the import stopped" }),
    createdAt: sentDate,
    startedAt: sentDate.nullable(),
    finishedAt: sentDate.nullable(),
  })
  .meta({ id: "ImportJob" });
export type ImportDto = z.infer<typeof importJob>;

/** GET /api/clients/import/:id: the job and its row problems. */
export const importReport = importJob
  .extend({
    errors: z
      .array(z.object({ row: z.number().int(), field: z.string(), message: z.string() }))
      .meta({ description: "row problems, by line; the first ones (the counts stay exact). Line 1 lists ignored columns" }),
  })
  .meta({ id: "ImportReport" });
export type ImportReportDto = z.infer<typeof importReport>;

// ---- Clients, tasks, notes and the timeline on the wire (docs/api.md, Clients) ----

/** Another user as a client, task or note refers to them. */
export const userRef = z.object({ id: z.number().int(), displayName: z.string() }).meta({ id: "UserRef" });
export type UserRef = z.infer<typeof userRef>;

/** A number of a client or of one of its contacts (client-dto.ts builds it from the row). */
export const phoneDto = z
  .object({
    id: z.number().int(),
    number: z.string().meta({ description: "E.164, or the digits of an internal extension / short code" }),
    raw: z.string().meta({ description: "what the user typed, kept for display" }),
    type: z.enum(phoneTypes),
    isPrimary: z.boolean(),
    contactId: z.number().int().nullable(),
  })
  .meta({ id: "Phone" });
export type PhoneDto = z.infer<typeof phoneDto>;

/** A person at a company client, with numbers of their own. */
export const contactDto = z
  .object({
    id: z.number().int(),
    name: z.string(),
    title: z.string().nullable(),
    email: z.string().nullable(),
    phones: z.array(phoneDto),
  })
  .meta({ id: "Contact" });
export type ContactDto = z.infer<typeof contactDto>;

/** A client (GET /api/clients/:id, the list's items, POST and PATCH answers): client-dto.ts toClientDto. */
export const clientDto = z
  .object({
    id: z.number().int(),
    kind: z.enum(clientKinds),
    name: z.string(),
    company: z.string().nullable(),
    emails: z.array(z.string()),
    addressLine: z.string().nullable(),
    city: z.string().nullable(),
    region: z.string().nullable(),
    postalCode: z.string().nullable(),
    country: z.string().nullable(),
    owner: userRef.nullable(),
    stage: z.enum(stages),
    tags: z.array(z.string()),
    leadSource: z.string().nullable(),
    vip: z.boolean(),
    notes: z.string().nullable(),
    createdAt: sentDate,
    updatedAt: sentDate,
    phones: z.array(phoneDto).meta({ description: "the client's own numbers; contacts' numbers are under their contact" }),
    contacts: z.array(contactDto),
  })
  .meta({ id: "Client" });
export type ClientDto = z.infer<typeof clientDto>;

/** GET /api/clients: a page; `next` is the cursor of the following page. */
export const clientPage = z.object({ items: z.array(clientDto), next: z.string().nullable() });

/** A task (GET /api/tasks items, POST and PATCH answers, Socket.IO `task:reminder`): tasks.service.ts toTaskDto. */
export const taskDto = z
  .object({
    id: z.number().int(),
    clientId: z.number().int().nullable(),
    client: z.object({ id: z.number().int(), name: z.string() }).nullable(),
    title: z.string(),
    body: z.string().nullable(),
    dueAt: sentDate.nullable(),
    assignee: userRef.nullable(),
    createdBy: userRef.nullable(),
    doneAt: sentDate.nullable(),
    createdAt: sentDate,
  })
  .meta({ id: "Task" });
export type TaskDto = z.infer<typeof taskDto>;

export const taskList = z.object({ items: z.array(taskDto) });

/** POST /api/clients/:id/notes: the note added. */
export const noteDto = z
  .object({ id: z.number().int(), body: z.string(), createdAt: sentDate, author: userRef.nullable() })
  .meta({ id: "Note" });
export type NoteDto = z.infer<typeof noteDto>;

/** One entry of a client's timeline, newest first (timeline.service.ts). For tasks `id` is the task id. */
export const timelineItem = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("note"), id: z.number().int(), at: sentDate, body: z.string(), author: userRef.nullable() }),
    z.object({
      type: z.literal("task"),
      id: z.number().int(),
      at: sentDate,
      title: z.string(),
      body: z.string().nullable(),
      dueAt: sentDate.nullable(),
      doneAt: sentDate.nullable(),
      assignee: userRef.nullable(),
    }),
    z.object({ type: z.literal("stage"), id: z.number().int(), at: sentDate, from: z.enum(stages).nullable(), to: z.enum(stages), by: userRef.nullable() }),
    z.object({
      type: z.literal("call"),
      id: z.number().int(),
      at: sentDate,
      direction: z.string(),
      outcome: z.string(),
      queue: z.string().nullable(),
      agent: z.string().nullable(),
      agentUser: userRef.nullable(),
      calledNumber: z.string(),
      waitSeconds: z.number().nullable(),
      talkSeconds: z.number().nullable(),
      recordingId: z.number().int().nullable().meta({ description: "set once the call's recording is playable: the timeline links to the player" }),
    }),
  ])
  .meta({ id: "TimelineItem" });
export type TimelineItem = z.infer<typeof timelineItem>;

/** GET /api/clients/:id/timeline. */
export const timelinePage = z.object({ items: z.array(timelineItem), next: z.string().nullable() });
