import type { TaskDto } from "../../crm/tasks.service.js";
import type { Offer } from "../../screenpop/screenpop.service.js";
import type { AgentState } from "../../calls/agent-states.js";
import type { ImportDto } from "../../crm/clients.schemas.js";
import type { Callback } from "../../callbacks/callback.types.js";
import type { SupervisorAlert, WallboardUpdate } from "../../supervisor/supervisor.schemas.js";

/** Whether the server reaches a PBX (AMI_URL names each), and since when it does not. */
export interface PbxStatus {
  pbx: string;
  reachable: boolean;
  since: Date | null;
}

/** Every event the server pushes to consoles, with its payload (docs/api.md, Socket.IO). */
export interface ServerToClientEvents {
  "task:reminder": (p: { task: TaskDto }) => void;
  "client:changed": (p: { clientId: number }) => void;
  /** The screen pop: to the agent whose phone rings, before they answer. */
  "call:offer": (p: Offer) => void;
  "call:withdrawn": (p: { callId: string; reason: "answered-elsewhere" | "no-answer" | "caller-left" }) => void;
  "call:answered": (p: { callId: string; answeredAt: Date }) => void;
  "call:held": (p: { callId: string }) => void;
  "call:resumed": (p: { callId: string }) => void;
  "call:transferred": (p: { callId: string; to: string }) => void;
  /** reason: why a click-to-call reached nobody (agent-no-answer, agent-busy, customer-no-answer, busy, failed), else null. */
  "call:ended": (p: { callId: string; outcome: string; reason: string | null; talkSeconds: number | null; wrapup: boolean }) => void;
  "agent:state": (p: AgentState) => void;
  /** A callback is offered to this agent (with the customer's card); it dials by itself at autodialAt unless accepted first. */
  "callback:offer": (p: { callback: Callback; card: unknown; autodialAt: Date }) => void;
  /** The offered (or dialled) callback is no longer this agent's to act on. */
  "callback:gone": (p: { id: number; result: string }) => void;
  /** Any callback changed (lists refresh). */
  "callback:changed": (p: Callback) => void;
  /** A PBX's link was lost (agents are `unknown` until it is back) or found again. */
  "pbx:status": (p: PbxStatus) => void;
  /** What changed on the wallboard (supervisors: their queues; managers and admins: all), at most once a second. */
  "wallboard:update": (p: WallboardUpdate) => void;
  /** A queue crossed one of its thresholds (longest wait, service level, callers waiting). */
  "supervisor:alert": (p: SupervisorAlert) => void;
  /** A supervisor started (active) or ended listening, whispering or barging on an agent's call. */
  "supervisor:spy": (p: { agent: string; mode: string; supervisor: string; callId: string; active: boolean }) => void;
  /** A CSV import's progress, to the user who started it (also readable at GET /api/clients/import/:id). */
  "import:progress": (p: ImportDto) => void;
}

export type ClientToServerEvents = Record<string, never>;

export type EventName = keyof ServerToClientEvents;
export type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];
