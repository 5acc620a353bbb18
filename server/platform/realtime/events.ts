import type { TaskDto } from "../../crm/tasks.service.js";

/** Every event the server pushes to consoles, with its payload (docs/api.md, Socket.IO). */
export interface ServerToClientEvents {
  "task:reminder": (p: { task: TaskDto }) => void;
  "client:changed": (p: { clientId: number }) => void;
}

export type ClientToServerEvents = Record<string, never>;

export type EventName = keyof ServerToClientEvents;
export type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];
