import type { QueueDayFigures } from "./supervisor.schemas.js";

/**
 * A queue's figures for today, as the wallboard shows them (docs/supervisor.md writes out each
 * formula). Sums are kept, ratios derived, so adding one more call is O(1) and the same sums come
 * from SQL after a restart (loadQueueDay).
 *
 * Telephony facts the formulas rest on:
 * - the wait is the queue's own HoldTime (AgentConnect / QueueCallerAbandon): join to answer;
 * - Asterisk's TalkTime runs from answer to hang-up with hold inside it, so a call's handle time is
 *   its talk_seconds (talk and hold) plus the agent's wrap-up after it.
 */
export interface QueueDaySums {
  offered: number;
  answered: number;
  /** Callers who left the queue before an answer after waiting at least the short-abandon time. */
  abandoned: number;
  /** Callers who left sooner (misdials, instant regrets): counted apart, out of the service level. */
  shortAbandoned: number;
  /** Answered calls whose wait was at most the queue's target. */
  answeredWithinTarget: number;
  /** Sum of the waits of answered calls (seconds). */
  answeredWaitSeconds: number;
  /** Sum of answered calls' talk (hold included: TalkTime). */
  talkSeconds: number;
  holdSeconds: number;
  /** Wrap-up the queue's agents spent after its calls. */
  wrapupSeconds: number;
}

/** One ended call as the day's figures need it (a journal row, or the tracker's call at its end). */
export interface EndedQueueCall {
  outcome: string;
  waitSeconds: number | null;
  talkSeconds: number | null;
  holdSeconds: number;
}

export const emptySums = (): QueueDaySums => ({
  offered: 0,
  answered: 0,
  abandoned: 0,
  shortAbandoned: 0,
  answeredWithinTarget: 0,
  answeredWaitSeconds: 0,
  talkSeconds: 0,
  holdSeconds: 0,
  wrapupSeconds: 0,
});

export function addCall(s: QueueDaySums, c: EndedQueueCall, targetSeconds: number, shortAbandonSeconds: number): void {
  s.offered++;
  const wait = c.waitSeconds ?? 0;
  if (c.outcome === "answered") {
    s.answered++;
    s.answeredWaitSeconds += wait;
    if (wait <= targetSeconds) s.answeredWithinTarget++;
    s.talkSeconds += c.talkSeconds ?? 0;
    s.holdSeconds += c.holdSeconds;
  } else if (c.outcome === "abandoned") {
    if (wait < shortAbandonSeconds) s.shortAbandoned++;
    else s.abandoned++;
  }
}

export function addSums(into: QueueDaySums, more: QueueDaySums): void {
  for (const k of Object.keys(into) as (keyof QueueDaySums)[]) into[k] += more[k];
}

const percent = (n: number, d: number) => (d > 0 ? Math.round((1000 * n) / d) / 10 : null);
const mean = (n: number, d: number) => (d > 0 ? Math.round((10 * n) / d) / 10 : null);

export function figuresOf(s: QueueDaySums): QueueDayFigures {
  return {
    offered: s.offered,
    answered: s.answered,
    abandoned: s.abandoned,
    shortAbandoned: s.shortAbandoned,
    answeredWithinTarget: s.answeredWithinTarget,
    serviceLevel: percent(s.answeredWithinTarget, s.answered),
    serviceLevelWithAbandons: percent(s.answeredWithinTarget, s.answered + s.abandoned),
    asaSeconds: mean(s.answeredWaitSeconds, s.answered),
    ahtSeconds: mean(s.talkSeconds + s.wrapupSeconds, s.answered),
  };
}
