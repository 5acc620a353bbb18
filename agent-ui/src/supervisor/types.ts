// The wallboard as the server sends it (server/supervisor/wallboard.types.ts; docs/api.md).
export type AgentStateName = "available" | "ringing" | "on-call" | "paused" | "wrap-up" | "unavailable" | "logged-out" | "unknown";
export type Breach = "longest-wait" | "service-level" | "waiting";

export interface WaitingCaller {
  callId: string;
  waitSeconds: number;
  caller: string;
  client: { id: number; name: string } | null;
}

export interface WallboardQueue {
  name: string;
  waiting: WaitingCaller[];
  longestWaitSeconds: number;
  agents: { available: number; ringing: number; onCall: number; paused: number; wrapUp: number; loggedOut: number; unavailable: number };
  today: {
    offered: number;
    answered: number;
    abandoned: number;
    shortAbandoned: number;
    answeredWithinTarget: number;
    serviceLevel: number | null;
    serviceLevelWithAbandons: number | null;
    asaSeconds: number | null;
    ahtSeconds: number | null;
    callbacksPending: number;
  };
  targetSeconds: number;
  targetPercent: number;
  thresholds: { maxWaitSeconds: number | null; minServiceLevel: number | null; maxWaiting: number | null };
  breaches: Breach[];
}

export interface WallboardAgent {
  agent: string;
  user: { id: number; name: string } | null;
  pbx: string;
  state: AgentStateName;
  reason: string | null;
  since: string;
  queues: string[];
  call: {
    callId: string;
    caller: string;
    client: { id: number; name: string } | null;
    queue: string | null;
    direction: string;
    answeredAt: string | null;
    onHold: boolean;
    spy: { mode: string; supervisor: string } | null;
  } | null;
  today: { calls: number; talkSeconds: number; pauseSeconds: number };
  lastDisposition: string | null;
}

export interface Wallboard {
  at: string;
  version: number;
  source: string;
  queues: WallboardQueue[];
  agents: WallboardAgent[];
}

export interface WallboardUpdate extends Wallboard {
  removedAgents: string[];
}

export interface SupervisorAlert {
  queue: string;
  kind: Breach;
  value: number;
  threshold: number;
  at: string;
}

export interface SpyNotice {
  agent: string;
  mode: string;
  supervisor: string;
  callId: string;
  active: boolean;
}
