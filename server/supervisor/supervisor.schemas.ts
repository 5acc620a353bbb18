import { z } from "zod";
import { agentStateNames } from "../calls/agent-states.js";
import { sentDate, text } from "../platform/http/input.js";
import { spyModes } from "./spy.service.js";

export const queueName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name");
/** An agent's extension as the PBX names the phone (PJSIP/<ext>): digits only, so nothing else reaches AMI. */
export const extensionParam = z.string().regex(/^\d{2,8}$/, "an extension (2 to 8 digits)");

export const spyBody = z.object({ agent: extensionParam, mode: z.enum(spyModes) }).strict();

/** Why a supervisor acts on an agent: kept in the audit log; pause reasons are the PAUSE_CODES. */
export const agentActionBody = z
  .object({
    /** The pause code (PAUSE_CODES) for `pause`; `coaching` when the list has it, else the first. */
    code: z.string().max(30).optional(),
    reason: text(200).optional(),
    queue: queueName.optional(),
  })
  .strict();

const optionalLimit = (max: number) => z.number().int().min(0).max(max).nullable().optional();

export const targetsBody = z
  .object({
    targetSeconds: z.number().int().min(1).max(3600).optional(),
    targetPercent: z.number().int().min(1).max(100).optional(),
    maxWaitSeconds: optionalLimit(86_400),
    minServiceLevel: optionalLimit(100),
    maxWaiting: optionalLimit(10_000),
  })
  .strict();

export const tvTokenBody = z.object({ name: text(80, { required: "a name for the screen" }), queues: z.array(queueName).max(200).default([]) }).strict();

// ---- The wallboard as GET /api/wallboard returns it and `wallboard:update` carries it (docs/api.md) ----
// Types and the OpenAPI document only: the board is built every push, never parsed.

/** A queue's figures for today (queue-figures.ts; docs/supervisor.md writes out each formula). */
export const queueDayFigures = z.object({
  offered: z.number().int(),
  answered: z.number().int(),
  abandoned: z.number().int().meta({ description: "callers who left the queue before an answer after waiting at least the short-abandon time" }),
  shortAbandoned: z.number().int().meta({ description: "callers who left sooner (misdials, instant regrets): counted apart, out of the service level" }),
  answeredWithinTarget: z.number().int(),
  serviceLevel: z.number().nullable().meta({ description: "percent of answered calls answered within the target (null before the first answer)" }),
  serviceLevelWithAbandons: z.number().nullable().meta({ description: "percent of answered and (long) abandoned calls answered within the target" }),
  asaSeconds: z.number().nullable().meta({ description: "average speed of answer: mean wait of answered calls" }),
  ahtSeconds: z.number().nullable().meta({ description: "average handle time: (talk with hold + wrap-up) / answered" }),
});
export type QueueDayFigures = z.infer<typeof queueDayFigures>;

const clientRef = z.object({ id: z.number().int(), name: z.string() });

export const waitingCaller = z.object({ callId: z.string(), waitSeconds: z.number(), caller: z.string(), client: clientRef.nullable() });
export type WaitingCaller = z.infer<typeof waitingCaller>;

export const queueAgentCounts = z.object({
  available: z.number().int(),
  ringing: z.number().int(),
  onCall: z.number().int(),
  paused: z.number().int(),
  wrapUp: z.number().int(),
  loggedOut: z.number().int(),
  unavailable: z.number().int().meta({ description: "phone offline, or the PBX not reachable (state unavailable / unknown)" }),
});
export type QueueAgentCounts = z.infer<typeof queueAgentCounts>;

export const breaches = ["longest-wait", "service-level", "waiting"] as const;
export type Breach = (typeof breaches)[number];

export const wallboardQueue = z
  .object({
    name: z.string(),
    waiting: z.array(waitingCaller),
    longestWaitSeconds: z.number(),
    agents: queueAgentCounts,
    today: queueDayFigures.extend({ callbacksPending: z.number().int() }),
    targetSeconds: z.number(),
    targetPercent: z.number(),
    thresholds: z.object({ maxWaitSeconds: z.number().nullable(), minServiceLevel: z.number().nullable(), maxWaiting: z.number().nullable() }),
    breaches: z.array(z.enum(breaches)).meta({ description: "thresholds crossed now: the board colours the queue and the supervisor's console alerts" }),
  })
  .meta({ id: "WallboardQueue" });
export type WallboardQueue = z.infer<typeof wallboardQueue>;

export const agentCall = z.object({
  callId: z.string(),
  caller: z.string(),
  client: clientRef.nullable(),
  queue: z.string().nullable(),
  direction: z.string(),
  answeredAt: sentDate.nullable().meta({ description: "when the agent answered (null: still ringing)" }),
  onHold: z.boolean(),
  spy: z.object({ mode: z.string(), supervisor: z.string() }).nullable().meta({ description: "a supervisor listens, whispers or barges on it now" }),
});
export type AgentCall = z.infer<typeof agentCall>;

export const wallboardAgent = z
  .object({
    agent: z.string(),
    user: clientRef.nullable(),
    pbx: z.string(),
    state: z.enum(agentStateNames),
    reason: z.string().nullable(),
    since: sentDate,
    queues: z.array(z.string()),
    call: agentCall.nullable(),
    today: z.object({ calls: z.number().int(), talkSeconds: z.number(), pauseSeconds: z.number() }),
    lastDisposition: z.string().nullable(),
  })
  .meta({ id: "WallboardAgent" });
export type WallboardAgent = z.infer<typeof wallboardAgent>;

export const wallboard = z
  .object({
    at: sentDate.meta({ description: "when the board was computed: waits and durations are as of this instant" }),
    version: z.number().int().meta({ description: "bumped by each push of the node holding the PBX; a console seeing a gap reloads the board" }),
    source: z.string(),
    queues: z.array(wallboardQueue),
    agents: z.array(wallboardAgent),
  })
  .meta({ id: "Wallboard" });
export type Wallboard = z.infer<typeof wallboard>;

/** GET /api/wallboard/tv: the board of a screen's queues, callers' numbers masked and no clients. */
export const tvWallboard = wallboard.extend({ screen: z.string() }).meta({ id: "TvWallboard" });

/** Socket.IO `wallboard:update`: the queues and agents that changed since `version - 1` (whole entries, not fields). */
export const wallboardUpdate = wallboard
  .extend({ removedAgents: z.array(z.string()).meta({ description: "agents no longer on the board (removed from every queue of this viewer)" }) })
  .meta({ id: "WallboardUpdate" });
export type WallboardUpdate = z.infer<typeof wallboardUpdate>;

/** Socket.IO `supervisor:alert`: a queue newly crossed a threshold. */
export const supervisorAlert = z
  .object({ queue: z.string(), kind: z.enum(breaches), value: z.number(), threshold: z.number(), at: sentDate })
  .meta({ id: "SupervisorAlert" });
export type SupervisorAlert = z.infer<typeof supervisorAlert>;
