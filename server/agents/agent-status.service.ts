import type { Logger } from "../platform/logger.js";
import { AppError } from "../platform/errors.js";
import type { PbxCommands } from "../pbx/pbx-commands.js";
import { PbxError } from "../pbx/pbx.errors.js";
import { loggedOutReason, wrapupReason, type AgentState, type AgentStates } from "../calls/agent-states.js";
import type { CallEvent, CallTracker } from "../calls/call-tracker.js";
import type { AgentPresenceStore, Presence } from "./agent-presence.store.js";

export type RequestedStatus = "available" | "paused" | "logged-out";

/** One agent's wrap-up: the pause may still be on its way to the PBX when the agent is done. */
interface Wrapup {
  done: boolean;
  applied: boolean;
  timer: NodeJS.Timeout | null;
}

/** The queue member pause an agent's choice means on the PBX. */
interface Pause {
  paused: boolean;
  reason: string;
}

export interface AgentStatusDeps {
  commands: PbxCommands;
  states: AgentStates;
  tracker: CallTracker;
  /** Each agent's choice, kept in the database: re-applied after every reconnect. */
  presence: AgentPresenceStore;
  wrapupSeconds: number;
  pauseCodes: string[];
  log: Logger;
  /** Whether this node starts wrap-ups and re-applies choices (it holds the PBX's lease): once, not once per node. */
  active?: () => boolean;
}

/**
 * Agent status as the console sets it, carried out on the PBX (queue member pause with a reason),
 * and wrap-up after each answered call: the agent's member is paused with reason after-call-work
 * for the configured time, so the queue offers no call until the agent is done or the time is up.
 * The console always shows what the PBX then reports (AgentStates), never what it asked for.
 *
 * Each choice is also kept (agent_presence). Asterisk forgets the pauses of static queue members
 * when it restarts, and reports nothing: after every (re)connect the lease holder compares what
 * the PBX holds with what each agent chose and re-applies the difference (dialplan/README.md).
 */
export class AgentStatusService {
  private readonly wrapups = new Map<string, Wrapup>();
  private readonly commands: PbxCommands;
  private readonly states: AgentStates;
  private readonly presence: AgentPresenceStore;
  private readonly wrapupSeconds: number;
  private readonly pauseCodes: string[];
  private readonly log: Logger;
  private readonly active: () => boolean;
  private readonly sweeper: NodeJS.Timeout;
  private stopped = false;
  /** The re-apply in progress (tests and shutdown wait on it). */
  reapplying: Promise<void> = Promise.resolve();

  constructor(d: AgentStatusDeps) {
    this.commands = d.commands;
    this.states = d.states;
    this.presence = d.presence;
    this.wrapupSeconds = d.wrapupSeconds;
    this.pauseCodes = d.pauseCodes;
    this.log = d.log;
    this.active = d.active ?? (() => true);
    d.tracker.on("call", (e: CallEvent) => {
      if (e.type === "call.ended" && e.call.agent && e.call.answeredAt && this.wrapupSeconds > 0 && this.active()) void this.startWrapup(e.call.agent);
    });
    this.states.on("snapshot", (afterConnect: boolean) => {
      if (afterConnect && this.active()) this.reapplying = this.reapplying.then(() => this.reapply());
    });
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  /**
   * Wrap-ups this node did not start (its holder died, or the server restarted) are ended here
   * once their time is up, from the pause the PBX reports and since when: no agent is left paused
   * in after-call-work because the node that timed it is gone.
   */
  private sweep(): void {
    if (!this.active()) return;
    const limit = Date.now() - this.wrapupSeconds * 1000;
    for (const s of this.states.all())
      if (s.state === "wrap-up" && !this.wrapups.has(s.agent) && s.since.getTime() <= limit) {
        this.log.info({ ext: s.agent }, "ending a wrap-up started before this node held the PBX");
        void this.endWrapup(s.agent);
      }
  }

  status(ext: string): AgentState {
    const known = this.states.get(ext);
    if (!this.states.pbx.reachable) return { agent: ext, state: "unknown", reason: null, since: this.states.pbx.since ?? new Date(), queues: known?.queues ?? [] };
    // A phone in no queue (a supervisor's, or an agent not yet added to one) takes no queue calls: logged out.
    return known ?? { agent: ext, state: "logged-out", reason: null, since: new Date(), queues: [] };
  }

  /**
   * The agent's choice: kept first (so it is re-applied after a PBX restart, or when an
   * unreachable PBX comes back), then sent. Answers with what the PBX reports: at once when it
   * already holds that pause, else its next word on the member (2 s at most).
   */
  async set(ext: string, requested: RequestedStatus, reason?: string): Promise<AgentState> {
    if (requested === "paused" && (!reason || !this.pauseCodes.includes(reason)))
      throw new AppError("VALIDATION", `reason: one of ${this.pauseCodes.join(", ")}`, "reason");
    this.cancelWrapup(ext);
    const want: Pause = requested === "available" ? { paused: false, reason: "" } : { paused: true, reason: requested === "paused" ? reason! : loggedOutReason };
    await this.presence
      .save({ extension: ext, status: requested, reason: requested === "paused" ? reason! : null, until: null })
      .catch((err: Error) => this.log.warn({ err: err.message, ext }, "could not keep the agent's choice; it is sent to the PBX all the same"));
    const confirmed = this.confirmation(ext, want);
    try {
      await this.commands.pauseMember({ extension: ext, paused: want.paused, ...(want.paused ? { reason: want.reason } : {}) });
    } catch (err) {
      confirmed.cancel();
      if (err instanceof PbxError && (err.code === "NOT_CONNECTED" || err.code === "TIMEOUT"))
        throw new AppError("PBX_DOWN", "the phone system is not reachable; your choice is kept and applied when it is back");
      throw toHttp(err);
    }
    await confirmed.done;
    return this.status(ext);
  }

  /** The wrap-up form was saved: the agent is ready for the next call (unless they paused meanwhile). */
  async endWrapup(ext: string): Promise<void> {
    const w = this.wrapups.get(ext);
    await this.presence.endWrapup(ext).catch((err: Error) => this.log.warn({ err: err.message, ext }, "could not record the end of a wrap-up"));
    if (w) {
      // Saved while the wrap-up pause was still on its way to the PBX: startWrapup lifts it once applied.
      w.done = true;
      if (w.timer) clearTimeout(w.timer);
      this.wrapups.delete(ext);
      if (!w.applied) return;
    } else if (this.states.pauseOf(ext)?.reason !== wrapupReason) return;
    await this.commands.pauseMember({ extension: ext, paused: false }).catch((err: Error) => this.log.warn({ err: err.message, ext }, "could not end wrap-up"));
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const w of this.wrapups.values()) if (w.timer) clearTimeout(w.timer);
  }

  private async startWrapup(ext: string): Promise<void> {
    const before = this.states.pauseOf(ext);
    // An agent who paused or logged out during the call stays that way.
    if (before?.paused && before.reason !== wrapupReason) return;
    this.cancelWrapup(ext);
    const w: Wrapup = { done: false, applied: false, timer: null };
    this.wrapups.set(ext, w);
    const until = new Date(Date.now() + this.wrapupSeconds * 1000);
    void this.presence.save({ extension: ext, status: "wrap-up", reason: wrapupReason, until }).catch((err: Error) => this.log.warn({ err: err.message, ext }, "could not keep the wrap-up"));
    try {
      await this.commands.pauseMember({ extension: ext, paused: true, reason: wrapupReason });
    } catch (err) {
      this.log.warn({ err: (err as Error).message, ext }, "could not start wrap-up");
      if (this.wrapups.get(ext) === w) this.wrapups.delete(ext);
      return;
    }
    this.armWrapup(ext, w, this.wrapupSeconds * 1000);
  }

  /** The wrap-up pause is in place: end it when its time is up (unless the agent was quicker). */
  private armWrapup(ext: string, w: Wrapup, ms: number): void {
    w.applied = true;
    if (w.done || this.wrapups.get(ext) !== w) {
      // The agent finished (or changed status) before the pause took effect.
      if (w.done) void this.commands.pauseMember({ extension: ext, paused: false }).catch(() => {});
      return;
    }
    w.timer = setTimeout(() => void this.endWrapup(ext), Math.max(0, ms));
    w.timer.unref();
  }

  private cancelWrapup(ext: string): void {
    const w = this.wrapups.get(ext);
    if (w?.timer) clearTimeout(w.timer);
    this.wrapups.delete(ext);
  }

  /**
   * After a (re)connect: what the PBX holds against what each agent chose. A pause, a logout or a
   * wrap-up still running is put back; a pause of ours (after-call-work, logged-out) the agent no
   * longer wants is lifted. A pause made at the phone or on the PBX itself, for an agent who chose
   * available, is left alone: the PBX is the authority on what it was told directly.
   */
  private async reapply(): Promise<void> {
    let chosen: Presence[];
    try {
      chosen = await this.presence.all();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "could not read the agents' choices to re-apply them");
      return;
    }
    for (const p of chosen) {
      const has = this.states.pauseOf(p.extension);
      // Not a member of any queue on this PBX: nothing to put back.
      if (!has || this.stopped || !this.active()) continue;
      const want = this.wanted(p, has);
      if (!want || (has.paused === want.paused && (!want.paused || has.reason === want.reason))) continue;
      this.log.info({ ext: p.extension, chosen: p.status, reason: p.reason, pbx: has }, "the PBX lost an agent's choice; re-applying it");
      await this.sendUntilDone(p.extension, want);
    }
  }

  private wanted(p: Presence, has: Pause): Pause | null {
    switch (p.status) {
      case "paused":
        return { paused: true, reason: p.reason ?? "" };
      case "logged-out":
        return { paused: true, reason: loggedOutReason };
      case "wrap-up": {
        const left = (p.until?.getTime() ?? 0) - Date.now();
        if (left > 0) {
          this.cancelWrapup(p.extension);
          const w: Wrapup = { done: false, applied: false, timer: null };
          this.wrapups.set(p.extension, w);
          this.armWrapup(p.extension, w, left);
          return { paused: true, reason: wrapupReason };
        }
        void this.presence.endWrapup(p.extension).catch(() => {});
        return has.reason === wrapupReason ? { paused: false, reason: "" } : null;
      }
      case "available":
        return has.paused && (has.reason === wrapupReason || has.reason === loggedOutReason) ? { paused: false, reason: "" } : null;
    }
  }

  /** The actions link may still be reconnecting after a PBX restart: retried with backoff while this node holds the PBX. */
  private async sendUntilDone(ext: string, want: Pause): Promise<void> {
    for (let attempt = 1; attempt <= 12 && !this.stopped && this.active(); attempt++) {
      try {
        await this.commands.pauseMember({ extension: ext, paused: want.paused, ...(want.paused ? { reason: want.reason } : {}) });
        return;
      } catch (err) {
        if (err instanceof PbxError && err.code === "INTERFACE_NOT_FOUND") return;
        this.log.warn({ err: (err as Error).message, ext, attempt }, "re-applying an agent's choice failed; retrying");
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** (attempt - 1))).unref());
      }
    }
  }

  /**
   * Resolves when the PBX holds `want` for the agent: at once if it already does (the agent asked
   * for what they have), else at its next member event saying so, or after 2 s.
   */
  private confirmation(ext: string, want: Pause): { done: Promise<void>; cancel: () => void } {
    const holds = () => {
      const has = this.states.pauseOf(ext);
      return !!has && has.paused === want.paused && (!want.paused || has.reason === want.reason);
    };
    let cancel = () => {};
    const done = new Promise<void>((resolve) => {
      if (holds()) return resolve();
      const check = (agent: string) => {
        if (agent === ext && holds()) finish();
      };
      const timer = setTimeout(finish, 2000);
      function finish() {
        clearTimeout(timer);
        off();
        resolve();
      }
      const off = () => this.states.off("member", check);
      this.states.on("member", check);
      cancel = finish;
    });
    return { done, cancel };
  }
}

export function toHttp(err: unknown): unknown {
  if (!(err instanceof PbxError)) return err;
  if (err.code === "NOT_CONNECTED" || err.code === "TIMEOUT") return new AppError("PBX_DOWN", `the phone system is not reachable (${err.message})`);
  if (err.code === "INVALID_ARGUMENT") return new AppError("VALIDATION", err.message, err.field);
  if (err.code === "INTERFACE_NOT_FOUND") return new AppError("NOT_FOUND", "your phone is not a member of any queue on the PBX");
  if (err.code === "CHANNEL_NOT_FOUND") return new AppError("NOT_FOUND", "that call is no longer up");
  return new AppError("PBX_ERROR", err.message);
}
