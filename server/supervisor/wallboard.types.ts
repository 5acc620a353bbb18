import type { AgentStateName } from "../calls/agent-states.js";
import type { QueueDayFigures } from "./queue-figures.js";

/** The wallboard as GET /api/wallboard returns it and `wallboard:update` carries it (docs/api.md). */
export interface WaitingCaller {
  callId: string;
  waitSeconds: number;
  caller: string;
  client: { id: number; name: string } | null;
}

export interface QueueAgentCounts {
  available: number;
  ringing: number;
  onCall: number;
  paused: number;
  wrapUp: number;
  loggedOut: number;
  /** Phone offline, or the PBX not reachable (state unavailable / unknown). */
  unavailable: number;
}

export type Breach = "longest-wait" | "service-level" | "waiting";

export interface WallboardQueue {
  name: string;
  waiting: WaitingCaller[];
  longestWaitSeconds: number;
  agents: QueueAgentCounts;
  today: QueueDayFigures & { callbacksPending: number };
  targetSeconds: number;
  targetPercent: number;
  thresholds: { maxWaitSeconds: number | null; minServiceLevel: number | null; maxWaiting: number | null };
  /** Thresholds crossed now: the board colours the queue and the supervisor's console alerts. */
  breaches: Breach[];
}

export interface AgentCall {
  callId: string;
  caller: string;
  client: { id: number; name: string } | null;
  queue: string | null;
  direction: string;
  /** When the agent answered (null: still ringing). */
  answeredAt: Date | null;
  onHold: boolean;
  /** A supervisor listens, whispers or barges on it now. */
  spy: { mode: string; supervisor: string } | null;
}

export interface WallboardAgent {
  agent: string;
  user: { id: number; name: string } | null;
  pbx: string;
  state: AgentStateName;
  reason: string | null;
  since: Date;
  queues: string[];
  call: AgentCall | null;
  today: { calls: number; talkSeconds: number; pauseSeconds: number };
  lastDisposition: string | null;
}

export interface Wallboard {
  /** When the board was computed: waits and durations are as of this instant. */
  at: Date;
  /** Bumped by each push of the node holding the PBX; a console seeing a gap reloads the board. */
  version: number;
  source: string;
  queues: WallboardQueue[];
  agents: WallboardAgent[];
}

/** A push: the queues and agents that changed since `version - 1` (whole entries, not fields). */
export interface WallboardUpdate {
  at: Date;
  version: number;
  source: string;
  queues: WallboardQueue[];
  agents: WallboardAgent[];
  /** Agents no longer on the board (removed from every queue of this viewer). */
  removedAgents: string[];
}

export interface SupervisorAlert {
  queue: string;
  kind: Breach;
  value: number;
  threshold: number;
  at: Date;
}
