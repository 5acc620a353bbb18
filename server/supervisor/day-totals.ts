import type { Database } from "../platform/db/database.js";
import type { TrackedCall } from "../calls/call.types.js";
import { addCall, emptySums, type EndedQueueCall, type QueueDaySums } from "./queue-figures.js";

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

interface Ended {
  direction: string;
  queue: string | null;
  startedAt: Date;
  figures: EndedQueueCall;
  segments: { agent: string; talkSeconds: number }[];
}

/** How long a call seen to end is kept for a reload that may not find it in the journal yet. */
const keepRecentMs = 10 * 60_000;

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
  /** Calls counted today (journal rows and calls seen to end), so none counts twice. */
  private counted = new Set<string>();
  /**
   * Calls seen to end in the last minutes, kept so a reload can add those the journal does not
   * have yet (it writes in batches, on the holder).
   */
  private readonly recent = new Map<string, { at: number; call: Ended }>();

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
    const ended: Ended = {
      direction: call.direction,
      queue: call.queue,
      startedAt: call.startedAt,
      figures: { outcome: call.outcome ?? "missed", waitSeconds: call.waitSeconds, talkSeconds: call.talkSeconds, holdSeconds: call.holdSeconds },
      segments: call.segments.filter((s) => s.answeredAt && s.result !== "not-reached").map((s) => ({ agent: s.agent, talkSeconds: s.talkSeconds })),
    };
    const now = Date.now();
    this.recent.set(call.linkedid, { at: now, call: ended });
    for (const [id, r] of this.recent) {
      if (r.at > now - keepRecentMs) break;
      this.recent.delete(id);
    }
    this.apply(call.linkedid, ended, 0);
    return { queue: call.queue, agents: ended.segments.map((s) => s.agent) };
  }

  private apply(linkedid: string, c: Ended, wrapupSeconds: number): void {
    this.counted.add(linkedid);
    if (c.queue && c.direction === "inbound") {
      const s = this.queue(c.queue);
      addCall(s, c.figures, this.settings.targetOf(c.queue), this.settings.shortAbandonSeconds);
      s.wrapupSeconds += wrapupSeconds;
    }
    for (const seg of c.segments) {
      const a = this.agent(seg.agent);
      a.calls++;
      a.talkSeconds += seg.talkSeconds;
    }
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
    this.day = day;
    this.queues.clear();
    this.agents.clear();
    this.counted = new Set();
    // Today's journal rows, then the calls seen to end that the journal does not have yet.
    const rows = await db.query<{ linkedid: string; direction: string; queue: string | null; started_at: Date; outcome: string; wait_seconds: number | null; talk_seconds: number | null; hold_seconds: number; wrapup: number; segments: { agent: string; answeredAt: string | null; talkSeconds: number; result: string }[] }>(
      `SELECT linkedid, direction, queue, started_at, outcome, wait_seconds, talk_seconds, hold_seconds, segments,
              CASE WHEN outcome <> 'answered' THEN 0
                   WHEN wrapped_at IS NULL THEN $2::int
                   ELSE LEAST(GREATEST(EXTRACT(EPOCH FROM (wrapped_at - ended_at)), 0), $2::int) END AS wrapup
         FROM calls
        WHERE started_at >= $1`,
      [day, this.settings.wrapupSeconds],
    );
    for (const c of rows) {
      // Seen to end (and counted) while this read was on its way.
      if (this.counted.has(c.linkedid)) continue;
      const ended: Ended = {
        direction: c.direction,
        queue: c.queue,
        startedAt: c.started_at,
        figures: { outcome: c.outcome, waitSeconds: c.wait_seconds, talkSeconds: c.talk_seconds, holdSeconds: c.hold_seconds },
        segments: (c.segments ?? []).filter((x) => x.answeredAt && x.result !== "not-reached").map((x) => ({ agent: x.agent, talkSeconds: x.talkSeconds ?? 0 })),
      };
      this.apply(c.linkedid, ended, Math.round(Number(c.wrapup)));
    }
    for (const [id, r] of this.recent) if (!this.counted.has(id) && r.call.startedAt >= day) this.apply(id, r.call, 0);
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
