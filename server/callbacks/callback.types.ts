import type { Callback, CallbackOutcome, CallbackSource, CallbackStatus } from "./callbacks.schemas.js";

/** A callback on the wire: its schema is callbacks.schemas.ts `callbackDto` (docs/api.md, Callbacks). */
export type { Callback, CallbackOutcome, CallbackSource, CallbackStatus };

export interface CallbackRow extends Record<string, unknown> {
  id: number;
  number: string;
  name: string | null;
  queue: string;
  source: CallbackSource;
  status: CallbackStatus;
  outcome: CallbackOutcome | null;
  due_at: Date | string;
  window_end: Date | string | null;
  original_queued_at: Date | string;
  priority: number;
  attempts: number;
  max_attempts: number;
  client_id: number | null;
  assignee_id: number | null;
  offered_to: string | null;
  offered_at: Date | string | null;
  dialing_at: Date | string | null;
  call_ids: string[];
  origin_linkedid: string | null;
  note: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  done_at: Date | string | null;
}

const d = (x: Date | string) => new Date(x);
const dn = (x: Date | string | null) => (x === null ? null : new Date(x));

export const toCallback = (r: CallbackRow): Callback => ({
  id: r.id,
  number: r.number,
  name: r.name,
  queue: r.queue,
  source: r.source,
  status: r.status,
  outcome: r.outcome,
  dueAt: d(r.due_at),
  windowEnd: dn(r.window_end),
  originalQueuedAt: d(r.original_queued_at),
  priority: r.priority,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  clientId: r.client_id,
  assigneeId: r.assignee_id,
  offeredTo: r.offered_to,
  callIds: r.call_ids,
  originLinkedid: r.origin_linkedid,
  note: r.note,
  createdAt: d(r.created_at),
  updatedAt: d(r.updated_at),
  doneAt: dn(r.done_at),
});

/** A queue's callback settings (callback_settings; defaults when the queue has no row). */
export interface CallbackSettings {
  queue: string;
  minAbandonSeconds: number;
  timezone: string;
  hours: Record<string, [string, string][]> | null;
  holidays: string[];
  callWindow: [string, string];
  maxAttempts: number;
  targetMinutes: number;
}
