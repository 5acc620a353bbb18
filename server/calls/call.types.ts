/** A call as the call center sees it: one conversation, whatever channels and transfers it took. */
export type Direction = "inbound" | "outbound" | "internal";

export type CallOutcome =
  | "answered" // an agent talked to the caller
  | "abandoned" // the caller left the queue before anyone answered
  | "missed" // nobody answered and the caller did not give up in the queue (timeout, direct call)
  | "busy"
  | "failed"
  | "reached" // outbound: the customer answered
  | "not-reached"; // outbound: the customer did not answer

/** One agent's part of a call: ringing, then perhaps talk and hold; credited to that agent. */
export interface AgentSegment {
  agent: string;
  /** The queue that rang this agent (a blind transfer to another queue gives the next agent its own). */
  queue: string | null;
  /** How long the caller waited in that queue before this agent answered (AgentConnect HoldTime). */
  waitSeconds: number | null;
  ringingAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  talkSeconds: number;
  holdSeconds: number;
  /**
   * How the segment ended. not-reached: click-to-call, the agent picked up but the customer never
   * answered (no talk with a customer).
   */
  result: "ringing" | "talking" | "completed" | "transferred" | "no-answer" | "answered-elsewhere" | "caller-left" | "not-reached";
}

/**
 * Why a click-to-call (an Originate to the agent's phone, then the customer) ended without a
 * conversation: the agent's phone did not answer (OriginateResponse Failure, Reason 3 ringing or 1
 * hang-up), was busy (Reason 5), the customer did not answer or was busy, or the PBX could not set
 * it up (Reason 0 no such channel, 8 congestion; Q.850 failure causes).
 */
export type EndReason = "agent-no-answer" | "agent-busy" | "customer-no-answer" | "busy" | "failed";

/** Fields of a journal row that are the PBX's best estimate rather than seen (see docs/pbx.md). */
export type EstimatedField = "startedAt" | "queuedAt" | "ringingAt" | "answeredAt" | "endedAt" | "waitSeconds" | "talkSeconds";

export interface CallLeg {
  uniqueid: string;
  channel: string;
  /** trunk: the outside world; agent: an agent's phone (PJSIP/<ext>); local: a Local half. */
  kind: "trunk" | "agent" | "local" | "other";
  ext: string | null;
  up: boolean;
  ended: boolean;
}

export interface TrackedCall {
  /** Asterisk's Linkedid: the first channel's Uniqueid, shared by every leg of the call. */
  linkedid: string;
  direction: Direction;
  /** Who called: the customer (inbound) or the agent's extension (outbound). */
  callerNumber: string;
  callerName: string;
  /** What was dialled: the DID (inbound, lead source) or the customer's number (outbound). */
  calledNumber: string;
  /** The outside party's number, for matching a client. */
  customerNumber: string | null;
  queue: string | null;
  startedAt: Date;
  queuedAt: Date | null;
  ringingAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  /** The agent talking now, or the last one who did. */
  agent: string | null;
  segments: AgentSegment[];
  /** Agent legs ringing now: Uniqueid → extension. */
  ringing: Map<string, string>;
  legs: Map<string, CallLeg>;
  holdStartedAt: Date | null;
  holdSeconds: number;
  /** From the queue's own figures (AgentConnect / QueueCallerAbandon HoldTime) when it gave them. */
  waitSeconds: number | null;
  talkSeconds: number | null;
  transfers: number;
  abandoned: boolean;
  busy: boolean;
  failed: boolean;
  outcome: CallOutcome | null;
  hangupCause: number | null;
  hangupCauseText: string | null;
  recordingFile: string | null;
  /**
   * Recording paused (MixMonitorMute, both directions, on the recorded channel): [[startS, endS]...]
   * as positions in the recording file, which only runs while that channel is bridged (option b).
   * Complete once the call has ended.
   */
  recordingMuted: [number, number][];
  /** Our own channel variables (CRM_CLIENT_ID, CRM_TASK_ID ...) set on the call's channels. */
  vars: Record<string, string>;
  /**
   * Closed without the PBX reporting its end: gone from its channel list at a resync (after a
   * reconnect, or the periodic one), or closed at the tracker's cap. Its end time is when we noticed.
   */
  endedWhileDisconnected: boolean;
  /** Adopted after a reconnect: its start was not seen. */
  adopted: boolean;
  /** Values below that were estimated (an adopted call's times, an end that was not seen). */
  estimated: Set<EstimatedField>;
  /** A click-to-call that reached nobody: why (null for every other call). */
  endReason: EndReason | null;
  /** Last moment the call was known alive: its last event, or a resync that listed its channels. */
  lastEventAt: number;
}
