import type { Redis } from "ioredis";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { createQueue, type Queue } from "../platform/queue.js";
import { AppError } from "../platform/errors.js";
import type { Telephony } from "../calls/telephony.js";
import type { TrackedCall } from "../calls/call.types.js";
import { toHttp } from "../agents/agent-status.service.js";
import { PbxError } from "../pbx/pbx.errors.js";
import { nextAllowed, zonesOf } from "./callback-hours.js";
import { toCallback, type Callback, type CallbackOutcome, type CallbackRow } from "./callback.types.js";
import type { CallbacksService } from "./callbacks.service.js";

/** The shortest time between two dispatch passes while due times keep coming. */
const passGapMs = 100;
/** How often a holder looks for steps a dead node left half done. */
const recoverEveryMs = 5000;

export interface DispatcherDeps {
  db: Database;
  service: CallbacksService;
  pbx: Telephony;
  /** Whether this node dispatches for the PBX (it holds the PBX's lease): one dispatcher, not one per node. */
  active: () => boolean;
  userOf: (extension: string) => number | undefined;
  /** Tells the agent's console: an offer (with the caller's card), dialling, gone. */
  push: (userId: number, event: "callback:offer" | "callback:gone", payload: unknown) => void;
  /** The caller's card for the offer (the screen pop's, for a number). */
  cardFor: (cb: Callback) => Promise<unknown>;
  autodialSeconds: number;
  redis: Redis;
  redisPrefix: string;
  nodeId: string;
  log: Logger;
}

/** Retries after no answer, busy or failure: 15 min, 30 min, 60 min ... */
const retryMinutes = (attempt: number) => 15 * 2 ** Math.max(0, attempt - 1);

/**
 * Dispatches due callbacks on one PBX. A due callback is offered only when an agent of its queue
 * is available and no caller who joined that queue before the callback's original time is still
 * waiting; among callbacks the earliest original queue time goes first, and the longest-idle agent
 * gets it. The agent accepts, or it dials by itself after CALLBACK_AUTODIAL_SECONDS; the PBX rings
 * the agent, then dials the customer (Originate into the `callback` context with CRM_CALLBACK_ID).
 * The call's end decides the outcome: reached, or another attempt later, up to the maximum.
 *
 * Every step is one conditional UPDATE in the database (pending → offered → dialing → done), so
 * two nodes, a restart or a flushed Redis never dial a callback twice; bull delayed jobs only wake
 * the dispatcher at due times, and a tick every few seconds rebuilds everything from the database.
 */
export class CallbackDispatcher {
  private readonly wake: Queue<{ at: number }>;
  private readonly offers = new Map<number, NodeJS.Timeout>();
  private ticking: Promise<void> = Promise.resolve();
  private again = false;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private nextTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private recoveredAt = 0;

  constructor(private readonly d: DispatcherDeps) {
    this.wake = createQueue<{ at: number }>(`callback-wake-${d.pbx.name}`, d.redis, d.redisPrefix);
    this.wake.on("error", (err) => d.log.warn({ err: err.message }, "callback wake queue error"));
    d.service.on("changed", (cb: Callback) => {
      if (cb.status === "pending") void this.wakeAt(cb.dueAt);
    });
    // An agent becoming available, or a caller leaving a queue, may free a callback.
    d.pbx.agents.on("state", (s: { state: string }) => {
      if (s.state === "available") this.kick();
    });
    d.pbx.tracker.on("call", (e: { type: string; call: TrackedCall }) => {
      if (e.type === "call.answered" || e.type === "call.ended") this.kick();
      if (e.type === "call.ended") void this.onCallEnded(e.call).catch((err: Error) => d.log.warn({ err: err.message }, "callback outcome not recorded"));
    });
  }

  async start(tickMs = 2000): Promise<void> {
    void this.wake.process(1, async () => this.kick());
    this.timer = setInterval(() => this.kick(), tickMs);
    this.timer.unref();
    this.kick();
  }

  private async wakeAt(at: Date): Promise<void> {
    const delay = at.getTime() - Date.now();
    if (delay <= 0) return this.kick();
    await this.wake.add({ at: at.getTime() }, { delay, jobId: `wake-${at.getTime()}`, removeOnComplete: true, removeOnFail: true }).catch(() => {});
  }

  /** Runs a tick now, or right after the one in progress. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.ticking = (async () => {
      do {
        this.again = false;
        const began = Date.now();
        await this.tick().catch((err: Error) => this.d.log.warn({ err: err.message }, "callback dispatch failed"));
        // Kicked again meanwhile (a due time every few ms under load): one pass picks up everything
        // due since, so passes are spaced by passGapMs rather than run back to back, each paying
        // its queries for one or two callbacks.
        const rest = passGapMs - (Date.now() - began);
        if (this.again && rest > 0 && !this.stopped) await new Promise((r) => setTimeout(r, rest));
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = false));
  }

  /** Waits for the dispatch in progress (tests, shutdown). */
  settled(): Promise<void> {
    return this.ticking;
  }

  private async tick(): Promise<void> {
    if (!this.d.active() || !this.d.pbx.agents.pbx.reachable) {
      this.recoveredAt = 0;
      return;
    }
    // What a dead node left half done is looked for on taking over, then every few seconds (not on
    // every pass: under load passes come every 100 ms).
    if (Date.now() - this.recoveredAt >= recoverEveryMs) {
      await this.recover();
      this.recoveredAt = Date.now();
    }
    const busy = new Set((await this.d.db.query<{ offered_to: string }>(`SELECT offered_to FROM callbacks WHERE status IN ('offered', 'dialing') AND offered_to IS NOT NULL`)).map((r) => r.offered_to));
    // Only the queues with a free agent now: callbacks of a queue nobody can take (or that no
    // agent of this PBX serves) must not fill the batch and starve the other queues.
    const open = [...new Set(this.d.pbx.agents.all().filter((s) => this.isFree(s, busy)).flatMap((s) => s.queues))];
    if (open.length) await this.dispatchDue(open, busy);
    await this.armNext();
  }

  private async dispatchDue(queues: string[], busy: Set<string>): Promise<void> {
    const due = (
      await this.d.db.query<CallbackRow>(`SELECT * FROM callbacks WHERE status = 'pending' AND due_at <= now() AND queue = ANY($1::text[]) ORDER BY priority DESC, original_queued_at, id LIMIT 500`, [queues])
    ).map(toCallback);
    if (!due.length) return;
    const full = new Set<string>();
    const claims: { id: number; agent: string }[] = [];
    const settings = new Map<string, Awaited<ReturnType<CallbacksService["settings"]>>>();
    for (const cb of due) {
      if (full.has(cb.queue) || !this.knows(cb.queue)) continue;
      if (cb.windowEnd && cb.windowEnd < new Date()) {
        await this.d.service.close(cb.id, "expired", "expired", ["pending"]);
        continue;
      }
      let s = settings.get(cb.queue);
      if (!s) settings.set(cb.queue, (s = await this.d.service.settings(cb.queue)));
      const next = nextAllowed(new Date(), { timezone: s.timezone, hours: s.hours, holidays: s.holidays, callWindow: s.callWindow }, zonesOf(cb.number, s.timezone));
      if (!next || next.getTime() > Date.now() + 1000) {
        await this.reschedule(cb, next);
        continue;
      }
      // Fairness: a caller still waiting who joined before this customer first did goes first.
      if (this.earlierCallerWaiting(cb)) {
        full.add(cb.queue);
        continue;
      }
      const assignee = cb.assigneeId ? this.extensionOf(cb.assigneeId) : undefined;
      const agent = this.freeAgent(cb.queue, busy, assignee);
      if (!agent) {
        // Nobody free in this queue: later callbacks of the queue must not jump ahead.
        if (!cb.assigneeId) full.add(cb.queue);
        continue;
      }
      busy.add(agent);
      claims.push({ id: cb.id, agent });
    }
    if (!claims.length) return;
    // One conditional UPDATE claims the whole pass (a callback another node or an agent moved
    // meanwhile is simply not returned). Dialling at once (CALLBACK_AUTODIAL_SECONDS=0), the claim
    // goes straight to dialing: offered and dialled in the same step.
    const now = this.d.autodialSeconds <= 0;
    const rows = await this.d.db.query<CallbackRow>(
      `UPDATE callbacks c SET status = $4, offered_to = v.agent, offered_at = now(), claimed_by = $3, updated_at = now(),
              dialing_at = CASE WHEN $4 = 'dialing' THEN now() ELSE c.dialing_at END,
              attempts = c.attempts + CASE WHEN $4 = 'dialing' THEN 1 ELSE 0 END
         FROM (SELECT unnest($1::int[]) AS id, unnest($2::text[]) AS agent) v
        WHERE c.id = v.id AND c.status = 'pending' RETURNING c.*`,
      [claims.map((c) => c.id), claims.map((c) => c.agent), this.d.nodeId, now ? "dialing" : "offered"],
    );
    for (const r of rows) {
      const cb = toCallback(r);
      if (!now) {
        await this.offer(cb, cb.offeredTo!);
        continue;
      }
      this.d.log.info({ callback: cb.id, ext: cb.offeredTo, agent: cb.offeredTo }, "callback offered and dialled at once");
      this.d.service.emit("changed", cb);
      // Not awaited: the pass goes on while this Originate is on its way; a failure puts it back.
      void this.place(cb, cb.offeredTo!, "auto").catch((err: Error) => this.d.log.warn({ callback: cb.id, err: err.message }, "callback dial failed"));
    }
  }

  /**
   * An in-process timer for the next due time, read from the database after every pass: the
   * bull wake job may be taken by another node's worker (which does not dispatch), and a
   * callback created on another node reaches this one only through the database.
   */
  private async armNext(): Promise<void> {
    const [r] = await this.d.db.query<{ at: Date | null }>(`SELECT min(due_at) AS at FROM callbacks WHERE status = 'pending' AND due_at > now()`);
    if (this.nextTimer) clearTimeout(this.nextTimer);
    this.nextTimer = null;
    if (!r?.at || this.stopped) return;
    const delay = new Date(r.at).getTime() - Date.now();
    if (delay < 60_000) this.nextTimer = setTimeout(() => this.kick(), Math.max(0, delay) + 5).unref();
  }

  private knows(queue: string): boolean {
    return this.d.pbx.agents.all().some((s) => s.queues.includes(queue));
  }

  private extensionOf(userId: number): string | undefined {
    return this.d.pbx.agents.all().find((s) => this.d.userOf(s.agent) === userId)?.agent;
  }

  private earlierCallerWaiting(cb: Callback): boolean {
    for (const c of this.d.pbx.tracker.calls.values())
      if (c.queue === cb.queue && c.direction === "inbound" && !c.answeredAt && c.queuedAt && c.queuedAt < cb.originalQueuedAt) return true;
    return false;
  }

  /** The queue's available agent idle longest (a CRM user, not offered anything now). */
  private isFree(s: { agent: string; state: string }, busy: Set<string>): boolean {
    return s.state === "available" && !busy.has(s.agent) && this.d.userOf(s.agent) !== undefined;
  }

  private freeAgent(queue: string, busy: Set<string>, only?: string): string | null {
    const free = this.d.pbx.agents
      .all()
      .filter((s) => this.isFree(s, busy) && s.queues.includes(queue) && (!only || s.agent === only))
      .sort((a, b) => a.since.getTime() - b.since.getTime());
    return free[0]?.agent ?? null;
  }

  private async reschedule(cb: Callback, next: Date | null): Promise<void> {
    if (!next) {
      await this.d.service.close(cb.id, "expired", "expired", ["pending"]);
      return;
    }
    await this.d.db.query(`UPDATE callbacks SET due_at = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`, [cb.id, next]);
    await this.wakeAt(next);
  }

  private async offer(cb: Callback, ext: string): Promise<void> {
    const userId = this.d.userOf(ext);
    const autodialAt = new Date(Date.now() + this.d.autodialSeconds * 1000);
    this.d.log.info({ callback: cb.id, ext, agent: ext, autodialSeconds: this.d.autodialSeconds }, "callback offered");
    const card = await this.d.cardFor(cb).catch(() => null);
    if (userId !== undefined) this.d.push(userId, "callback:offer", { callback: cb, card, autodialAt });
    this.offers.set(cb.id, setTimeout(() => void this.dial(cb.id, ext, "auto").catch(() => {}), this.d.autodialSeconds * 1000).unref());
  }

  /**
   * Dials an offered callback: accepted by its agent (any node), or by itself when the delay is up.
   * Only one of the two moves it from offered to dialing.
   */
  async dial(id: number, ext: string, why: "accepted" | "auto"): Promise<Callback> {
    const t = this.offers.get(id);
    if (t) clearTimeout(t);
    this.offers.delete(id);
    const [r] = await this.d.db.query<CallbackRow>(
      `UPDATE callbacks SET status = 'dialing', dialing_at = now(), attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status = 'offered' AND offered_to = $2 RETURNING *`,
      [id, ext],
    );
    if (!r) throw new AppError("CONFLICT", `callback ${id} is not offered to ${ext} (any more)`);
    const cb = toCallback(r);
    this.d.service.emit("changed", cb);
    return this.place(cb, ext, why);
  }

  /** The Originate of a callback in `dialing`: the agent's phone first, then the customer. */
  private async place(cb: Callback, ext: string, why: "accepted" | "auto"): Promise<Callback> {
    const id = cb.id;
    try {
      await this.d.pbx.commands.originateToCustomer({
        extension: ext,
        number: cb.number,
        callerName: `Callback ${cb.name ?? cb.number}`.slice(0, 60),
        variables: { CRM_CALLBACK_ID: String(cb.id), ...(cb.clientId ? { CRM_CLIENT_ID: String(cb.clientId) } : {}) },
      });
      this.d.log.info({ callback: id, ext, agent: ext, why, attempt: cb.attempts }, "callback dialling");
    } catch (err) {
      // No answer to the Originate in time: it may have been placed all the same. It stays
      // dialing; recovery settles it from the journal (or the live call) or tries again later.
      if (err instanceof PbxError && err.code === "TIMEOUT") {
        this.d.log.warn({ callback: id, ext, agent: ext }, "callback Originate unanswered: left to recovery");
        throw toHttp(err);
      }
      // The PBX refused or is out of reach: not the customer's attempt; offered again shortly.
      await this.d.db.query(`UPDATE callbacks SET status = 'pending', offered_to = NULL, attempts = attempts - 1, due_at = now() + interval '30 seconds', updated_at = now() WHERE id = $1 AND status = 'dialing'`, [id]);
      throw toHttp(err);
    }
    return cb;
  }

  /** The call made for a callback ended: its outcome, or another attempt later. */
  private async onCallEnded(call: TrackedCall): Promise<void> {
    const id = Number(call.vars.CRM_CALLBACK_ID);
    if (!this.d.active() || !Number.isInteger(id) || id <= 0) return;
    await this.d.db.query(`UPDATE callbacks SET call_ids = call_ids || $2::jsonb WHERE id = $1 AND NOT call_ids ? $3`, [id, JSON.stringify([call.linkedid]), call.linkedid]);
    await this.settle(id, resultOf(call));
  }

  private async settle(id: number, result: CallbackOutcome | "agent"): Promise<void> {
    const [row] = await this.d.db.query<CallbackRow>(`SELECT * FROM callbacks WHERE id = $1 AND status = 'dialing'`, [id]);
    if (!row) return;
    const cb = toCallback(row);
    const userId = cb.offeredTo ? this.d.userOf(cb.offeredTo) : undefined;
    if (userId !== undefined) this.d.push(userId, "callback:gone", { id, result });
    if (result === "reached") {
      await this.d.service.close(id, "done", "reached", ["dialing"]);
      return;
    }
    // The agent's phone did not take it: not the customer's attempt; offered again (to someone).
    if (result === "agent") {
      await this.d.db.query(`UPDATE callbacks SET status = 'pending', offered_to = NULL, attempts = attempts - 1, due_at = now(), updated_at = now() WHERE id = $1 AND status = 'dialing'`, [id]);
      this.kick();
      return;
    }
    if (cb.attempts >= cb.maxAttempts) {
      await this.d.service.close(id, "done", result, ["dialing"]);
      return;
    }
    const next = await this.d.service.nextAllowed(cb.queue, cb.number, new Date(Date.now() + retryMinutes(cb.attempts) * 60_000));
    if (!next) {
      await this.d.service.close(id, "done", result, ["dialing"]);
      return;
    }
    const [r] = await this.d.db.query<CallbackRow>(`UPDATE callbacks SET status = 'pending', offered_to = NULL, due_at = $2, updated_at = now() WHERE id = $1 AND status = 'dialing' RETURNING *`, [id, next]);
    if (r) this.d.service.emit("changed", toCallback(r));
  }

  /**
   * Steps a dead node left half done: an offer whose node died goes back to pending; a dial with
   * no call to show for it after two minutes takes its outcome from the journal, or is tried again.
   * Open callbacks past their window expire.
   */
  private async recover(): Promise<void> {
    await this.d.db.query(
      `UPDATE callbacks SET status = 'expired', outcome = 'expired', done_at = now(), updated_at = now() WHERE status = 'pending' AND window_end IS NOT NULL AND window_end < now()`,
    );
    const stale = await this.d.db.query<{ id: number }>(
      `UPDATE callbacks SET status = 'pending', offered_to = NULL, updated_at = now()
        WHERE status = 'offered' AND offered_at < now() - make_interval(secs => $1) AND NOT (id = ANY($2::int[])) RETURNING id`,
      [this.d.autodialSeconds + 30, [...this.offers.keys()]],
    );
    if (stale.length) this.d.log.warn({ callbacks: stale.map((s) => s.id) }, "offers left by a node that stopped: offered again");
    const dialing = (await this.d.db.query<CallbackRow>(`SELECT * FROM callbacks WHERE status = 'dialing' AND dialing_at < now() - interval '2 minutes'`)).map(toCallback);
    for (const cb of dialing) {
      // Live: tagged with the callback, or (a call picked up after a failover may lack the
      // variable) the agent's outbound call to the same number.
      const live = [...this.d.pbx.tracker.calls.values()].some(
        (c) => c.vars.CRM_CALLBACK_ID === String(cb.id) || (c.direction === "outbound" && c.customerNumber === cb.number && cb.offeredTo !== null && c.agent === cb.offeredTo),
      );
      if (live) continue;
      const [row] = await this.d.db.query<{ linkedid: string; outcome: string; end_reason: string | null }>(
        `SELECT linkedid, outcome, end_reason FROM calls WHERE direction = 'outbound' AND agent_extension = $1 AND customer_number = $2 AND started_at >= $3::timestamptz - interval '5 seconds' ORDER BY started_at LIMIT 1`,
        [cb.offeredTo, cb.number, (await this.d.db.query<{ dialing_at: Date }>(`SELECT dialing_at FROM callbacks WHERE id = $1`, [cb.id]))[0]?.dialing_at ?? new Date(0)],
      );
      if (row) {
        await this.d.db.query(`UPDATE callbacks SET call_ids = call_ids || $2::jsonb WHERE id = $1 AND NOT call_ids ? $3`, [cb.id, JSON.stringify([row.linkedid]), row.linkedid]);
        await this.settle(cb.id, row.outcome === "reached" ? "reached" : row.end_reason === "agent-no-answer" || row.end_reason === "agent-busy" ? "agent" : row.end_reason === "busy" ? "busy" : row.outcome === "failed" ? "failed" : "no-answer");
      } else {
        this.d.log.warn({ callback: cb.id }, "a callback dial left no call: trying again");
        await this.d.db.query(`UPDATE callbacks SET status = 'pending', offered_to = NULL, attempts = attempts - 1, due_at = now(), updated_at = now() WHERE id = $1 AND status = 'dialing'`, [cb.id]);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.nextTimer) clearTimeout(this.nextTimer);
    for (const t of this.offers.values()) clearTimeout(t);
    await this.ticking;
    await this.wake.close().catch(() => {});
  }
}

/** What a callback's call came to. `agent`: the agent's own phone never took it. */
function resultOf(call: TrackedCall): CallbackOutcome | "agent" {
  if (call.outcome === "reached") return "reached";
  switch (call.endReason) {
    case "agent-no-answer":
    case "agent-busy":
      return "agent";
    case "busy":
      return "busy";
    case "failed":
      return "failed";
    default:
      return call.outcome === "busy" ? "busy" : call.outcome === "failed" ? "failed" : "no-answer";
  }
}
