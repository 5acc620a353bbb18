import type { Database } from "../platform/db/database.js";
import type { TrackedCall } from "../calls/call.types.js";
import { addCall, emptySums, type QueueDaySums } from "./queue-figures.js";

export interface AgentDay {
  /** Calls the agent answered (a transferred call counts for each agent who talked on it). */
  calls: number;
  /** Their talk on those calls (hold included, as TalkTime counts it). */
  talkSeconds: number;
  /** Time paused today (any reason but wrap-up and logged-out), finished pauses only. */
  pauseSeconds: number;
  lastDisposition: string | null;
}

export interface DaySettings {
  targetOf(queue: string): number;
  shortAbandonSeconds: number;
  /** WRAPUP_SECONDS: an after-call-work pause nobody ended early lasts this long. */
  wrapupSeconds: number;
}

/** Local midnight: "today" on the wallboard is the server's calendar day. */
export function startOfDay(at: Date): Date {
  return new Date(at.getFullYear(), at.getMonth(), at.getDate());
}

/**
 * Today's sums per queue and per agent, for calls that started today. Counted as calls end (on
 * every node: each follows the same feed), and rebuilt from the journal and the agent state log
 * after a start or at midnight: calls counted from the feed since are left out of the SQL sums, so
 * none counts twice.
 */
export class DayTotals {
  readonly queues = new Map<string, QueueDaySums>();
  readonly agents = new Map<string, AgentDay>();
  day: Date;
  private counted = new Set<string>();

  constructor(
    private readonly settings: DaySettings,
    now = new Date(),
  ) {
    this.day = startOfDay(now);
  }

  queue(name: string): QueueDaySums {
    let s = this.queues.get(name);
    if (!s) this.queues.set(name, (s = emptySums()));
    return s;
  }

  agent(ext: string): AgentDay {
    let a = this.agents.get(ext);
    if (!a) this.agents.set(ext, (a = { calls: 0, talkSeconds: 0, pauseSeconds: 0, lastDisposition: null }));
    return a;
  }

  /** An ended call: the queue it waited in and every agent who talked on it. Returns what it touched. */
  addEnded(call: TrackedCall): { queue: string | null; agents: string[] } {
    if (call.startedAt < this.day || this.counted.has(call.linkedid)) return { queue: null, agents: [] };
    this.counted.add(call.linkedid);
    const touched: string[] = [];
    if (call.queue && call.direction === "inbound")
      addCall(this.queue(call.queue), { outcome: call.outcome ?? "missed", waitSeconds: call.waitSeconds, talkSeconds: call.talkSeconds, holdSeconds: call.holdSeconds }, this.settings.targetOf(call.queue), this.settings.shortAbandonSeconds);
    for (const s of call.segments) {
      if (!s.answeredAt || s.result === "not-reached") continue;
      const a = this.agent(s.agent);
      a.calls++;
      a.talkSeconds += s.talkSeconds;
      touched.push(s.agent);
    }
    return { queue: call.queue, agents: touched };
  }

  addWrapup(queue: string, seconds: number): void {
    this.queue(queue).wrapupSeconds += seconds;
  }

  /**
   * Starts the day over from the database: the journal's calls that started today (but those the
   * feed counted already) and the agents' finished pauses from the state log.
   */
  async load(db: Database, now = new Date()): Promise<void> {
    const day = startOfDay(now);
    if (day.getTime() !== this.day.getTime()) {
      this.counted = new Set();
      this.day = day;
    }
    this.queues.clear();
    this.agents.clear();
    const counted = [...this.counted];
    const calls = await db.query<{ queue: string; outcome: string; wait_seconds: number | null; talk_seconds: number | null; hold_seconds: number; wrapup: number }>(
      `SELECT queue, outcome, wait_seconds, talk_seconds, hold_seconds,
              CASE WHEN outcome <> 'answered' THEN 0
                   WHEN wrapped_at IS NULL THEN $3::int
                   ELSE LEAST(GREATEST(EXTRACT(EPOCH FROM (wrapped_at - ended_at)), 0), $3::int) END AS wrapup
         FROM calls
        WHERE started_at >= $1 AND queue IS NOT NULL AND direction = 'inbound' AND linkedid <> ALL($2::text[])`,
      [day, counted, this.settings.wrapupSeconds],
    );
    for (const c of calls) {
      const s = this.queue(c.queue);
      addCall(s, { outcome: c.outcome, waitSeconds: c.wait_seconds, talkSeconds: c.talk_seconds, holdSeconds: c.hold_seconds }, this.settings.targetOf(c.queue), this.settings.shortAbandonSeconds);
      s.wrapupSeconds += Math.round(Number(c.wrapup));
    }
    const segs = await db.query<{ agent: string; calls: number; talk: number }>(
      `SELECT s->>'agent' AS agent, count(*)::int AS calls, COALESCE(sum((s->>'talkSeconds')::int), 0)::int AS talk
         FROM calls, jsonb_array_elements(segments) AS s
        WHERE started_at >= $1 AND linkedid <> ALL($2::text[])
          AND s->>'answeredAt' IS NOT NULL AND s->>'result' <> 'not-reached'
        GROUP BY 1`,
      [day, counted],
    );
    for (const r of segs) {
      const a = this.agent(r.agent);
      a.calls += r.calls;
      a.talkSeconds += r.talk;
    }
    // A state lasts until the agent's next row; the open one (the state now) is counted live.
    const pauses = await db.query<{ agent: string; seconds: number }>(
      `SELECT agent, COALESCE(sum(EXTRACT(EPOCH FROM (next_at - GREATEST(started_at, $1)))), 0)::float AS seconds FROM (
         SELECT agent, state, started_at, lead(started_at) OVER (PARTITION BY pbx, agent ORDER BY started_at, id) AS next_at
           FROM agent_state_log WHERE started_at >= $1::timestamptz - interval '1 day') x
        WHERE state = 'paused' AND next_at IS NOT NULL AND next_at > $1
        GROUP BY agent`,
      [day],
    );
    for (const p of pauses) this.agent(p.agent).pauseSeconds += Math.round(Number(p.seconds));
    const dispositions = await db.query<{ agent: string; disposition: string }>(
      `SELECT DISTINCT ON (agent_extension) agent_extension AS agent, disposition
         FROM calls WHERE started_at >= $1 AND agent_extension IS NOT NULL AND disposition IS NOT NULL
        ORDER BY agent_extension, wrapped_at DESC NULLS LAST`,
      [day],
    );
    for (const d of dispositions) this.agent(d.agent).lastDisposition = d.disposition;
  }
}
