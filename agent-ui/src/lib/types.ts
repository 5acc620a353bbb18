// Shapes of the server's JSON, as documented in docs/api.md. Where the server has a schema for one,
// the type is an alias of the generated one (../api/types; `npm run api:types`).
import type { Schema } from "../api/types";

export type Role = "agent" | "supervisor" | "manager" | "admin";
export const ROLES: Role[] = ["agent", "supervisor", "manager", "admin"];

/** A user as GET /api/users lists them (generated: server/auth/auth.schemas.ts). */
export type User = Schema<"User">;

/** Another user as a client, task or note refers to them (generated: server/crm/clients.schemas.ts). */
export type UserRef = Schema<"UserRef">;

export type Stage = Schema<"Client">["stage"];
export const STAGES: Stage[] = ["prospect", "active", "regular", "lost"];

export type ClientKind = Schema<"Client">["kind"];

export type PhoneType = Schema<"Phone">["type"];
export const PHONE_TYPES: PhoneType[] = ["mobile", "work", "home", "fax", "other"];

/** A client's or a contact's number (generated: server/crm/clients.schemas.ts). */
export type Phone = Schema<"Phone">;

/** A person at a company client (generated). */
export type Contact = Schema<"Contact">;

/** A client as GET /api/clients/:id, the list and POST/PATCH send it (generated). */
export type Client = Schema<"Client">;

/** A page of a list (GET /api/clients, /api/clients/:id/timeline, ...): `next` is the cursor of the following page. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** A task (generated: server/crm/clients.schemas.ts). */
export type Task = Schema<"Task">;

/** A note as POST /api/clients/:id/notes answers (generated). */
export type Note = Schema<"Note">;

/** One timeline entry, newest first (generated; server/crm/timeline.service.ts). For tasks `id` is the task id. */
export type TimelineItem = Schema<"TimelineItem">;

export interface AuditEntry {
  id: number;
  at: string;
  actorId: number | null;
  actorName: string;
  action: string;
  target: string | null;
  details: unknown;
  ip: string | null;
}

export interface Health {
  status: string;
  ami: "connected" | "disconnected";
  db: string;
  redis: "ok" | "down";
  version: string;
}

export interface LoginAnswer {
  token: string;
  expiresAt: string;
  user: User;
}

// ---- Agent workspace (docs/api.md, "Agent workspace") ----

export type AgentStateName = "available" | "ringing" | "on-call" | "paused" | "wrap-up" | "unavailable" | "logged-out" | "unknown";

/** Whether the server reaches a PBX; while it does not, agent states are unknown. */
export interface PbxStatus {
  pbx: string;
  reachable: boolean;
  since: string | null;
}

export interface AgentStatus {
  agent: string;
  state: AgentStateName;
  reason: string | null;
  since: string;
}

/** A client as the screen pop shows it. */
export interface PopClient {
  id: number;
  name: string;
  kind: ClientKind;
  company: string | null;
  stage: Stage;
  tags: string[];
  vip: boolean;
  /** The server sends the owner's display name; a {id, displayName} reference is accepted too. */
  owner: UserRef | string | null;
  leadSource?: string | null;
}

/** One of the last interactions with the caller; call and note entries carry more fields. */
export interface PopHistoryItem {
  type: "call" | "note" | string;
  at: string;
  id?: number;
  direction?: string;
  outcome?: string | null;
  queue?: string | null;
  agent?: string | null;
  agentUser?: UserRef | null;
  agentName?: string | null;
  talkSeconds?: number | null;
  body?: string;
  author?: UserRef | string | null;
  disposition?: string | null;
}

/** A pending callback; the fields beyond the id vary, so every one is optional. */
export interface PopCallback {
  id: number;
  dueAt?: string | null;
  scheduledAt?: string | null;
  at?: string | null;
  number?: string | null;
  note?: string | null;
  reason?: string | null;
  assignee?: UserRef | null;
}

export type CallState = "ringing" | "talking" | "held";

export interface CallOffer {
  callId: string;
  direction: "inbound" | "outbound";
  state: CallState;
  queue: string | null;
  caller: { number: string | null; e164: string | null; withheld: boolean; valid: boolean };
  dialed: { number: string | null; label: string | null } | null;
  client: PopClient | null;
  clients: PopClient[];
  contact: { id: number; name: string; title: string | null } | null;
  history: PopHistoryItem[];
  tasks: { id: number; title: string; dueAt: string | null }[];
  /** History and tasks per owning client (several clients on one number). */
  byClient?: Record<number, { history: PopHistoryItem[]; tasks: { id: number; title: string; dueAt: string | null }[] }>;
  callbacks: PopCallback[];
  script: unknown;
  waitSeconds: number | null;
  ringingAt: string | null;
  answeredAt: string | null;
  timing?: { amiAt?: string | number; sentAt?: string | number };
  /** A supervisor's listen / whisper / barge session on this agent's call. */
  spy?: { agent: string; mode: string } | null;
}

/** A pause code or a disposition: the server may send plain strings or {code,label} objects. */
export type CodeOption = string | { code?: string; id?: string; value?: string; label?: string; name?: string };

export interface Workspace {
  user: User;
  status: AgentStatus | null;
  pauseCodes: CodeOption[];
  dispositions: CodeOption[];
  wrapupSeconds: number;
  calls: CallOffer[];
  demoPhone: boolean;
  /** The PBX of the agent's phone (null without an extension). */
  pbx: PbxStatus | null;
}

export type WithdrawReason = "answered-elsewhere" | "no-answer" | "caller-left";

/** A journal row (GET /api/calls). */
export interface CallRecord {
  id: number;
  linkedid: string;
  direction: "inbound" | "outbound" | "internal";
  callerNumber: string;
  callerName: string | null;
  calledNumber: string;
  queue: string | null;
  agent: string | null;
  agentUser: UserRef | null;
  clientId: number | null;
  client: { id: number; name: string } | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  outcome: string | null;
  disposition?: string | null;
  /** Set once the call's recording is playable: the row links to the player. */
  recordingId?: number | null;
}

/**
 * A background CSV import (generated: server/crm/clients.schemas.ts): POST /api/clients/import and
 * Socket.IO `import:progress` send the job, GET /api/clients/import/:id the job with its row problems.
 */
export type ImportJob = Schema<"ImportJob"> & Partial<Pick<Schema<"ImportReport">, "errors">>;

// ---- Recordings (docs/api.md, "Recordings") ----

/** One row of GET /api/recordings (generated: server/recordings/recordings.schemas.ts). */
export type Recording = Schema<"Recording">;
export type RecordingStatus = Recording["status"];
export type RecordingSide = Recording["sides"][number];
/** GET /api/recordings/:id: peaks are 20 points a second, 0..1; null until the recording is ready. */
export type RecordingDetail = Schema<"RecordingDetail">;
/** Stretches of the file, in seconds from its start: [[startS, endS], ...]. */
export type Spans = RecordingDetail["muted"];

// ---- Callbacks (docs/api.md, "Callbacks") ----

/** A callback as the server sends it (generated: server/callbacks/callbacks.schemas.ts). */
export type Callback = Schema<"Callback">;
export type CallbackSource = Callback["source"];
export type CallbackStatus = Callback["status"];

/** Socket.IO `callback:offer`: the callback, the customer's card (a screen pop's), when it dials by itself. */
export interface CallbackOffer {
  callback: Callback;
  card: CallOffer | null;
  autodialAt: string;
}

/** One queue of GET /api/callbacks/summary (counts may come as strings from SQL). */
export interface CallbackQueueSummary {
  queue: string;
  scheduled: number | string;
  due: number | string;
  overdue: number | string;
  inProgress: number | string;
  done: number | string;
  withinTarget: number | string;
  closed: number | string;
}
