// Shapes of the server's JSON, as documented in docs/api.md.

export type Role = "agent" | "supervisor" | "manager" | "admin";
export const ROLES: Role[] = ["agent", "supervisor", "manager", "admin"];

export interface User {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  extension: string | null;
  active: boolean;
}

export interface UserRef {
  id: number;
  displayName: string;
}

export type Stage = "prospect" | "active" | "regular" | "lost";
export const STAGES: Stage[] = ["prospect", "active", "regular", "lost"];

export type ClientKind = "person" | "company";

export type PhoneType = "mobile" | "work" | "home" | "fax" | "other";
export const PHONE_TYPES: PhoneType[] = ["mobile", "work", "home", "fax", "other"];

export interface Phone {
  id: number;
  number: string;
  raw: string;
  type: PhoneType;
  isPrimary: boolean;
  contactId: number | null;
}

export interface Contact {
  id: number;
  name: string;
  title: string | null;
  email: string | null;
  phones: Phone[];
}

export interface Client {
  id: number;
  kind: ClientKind;
  name: string;
  company: string | null;
  emails: string[];
  addressLine: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
  owner: UserRef | null;
  stage: Stage;
  tags: string[];
  leadSource: string | null;
  vip: boolean;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
  phones: Phone[];
  contacts: Contact[];
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

export interface Task {
  id: number;
  clientId: number | null;
  client: { id: number; name: string } | null;
  title: string;
  body: string | null;
  dueAt: string | null;
  assignee: UserRef | null;
  createdBy: UserRef | null;
  doneAt: string | null;
  createdAt: string;
}

export interface Note {
  id: number;
  body: string;
  createdAt: string;
  author: UserRef | null;
}

/** One timeline entry, newest first (server/crm/timeline.service.ts). For tasks `id` is the task id. */
export type TimelineItem =
  | { type: "note"; id: number; at: string; body: string; author: UserRef | null }
  | {
      type: "task";
      id: number;
      at: string;
      title: string;
      body: string | null;
      dueAt: string | null;
      doneAt: string | null;
      assignee: UserRef | null;
    }
  | { type: "stage"; id: number; at: string; from: Stage | null; to: Stage; by: UserRef | null }
  | {
      type: "call";
      id: number;
      at: string;
      direction: "inbound" | "outbound" | "internal";
      outcome: string;
      queue: string | null;
      agent: string | null;
      agentUser: UserRef | null;
      calledNumber: string;
      waitSeconds: number | null;
      talkSeconds: number | null;
    };

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
