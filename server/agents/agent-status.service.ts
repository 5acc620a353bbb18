import type { Logger } from "../platform/logger.js";
import { AppError } from "../platform/errors.js";
import type { PbxCommands } from "../pbx/pbx-commands.js";
import { PbxError } from "../pbx/pbx.errors.js";
import { loggedOutReason, wrapupReason, type AgentState, type AgentStates } from "../calls/agent-states.js";
import type { CallEvent, CallTracker } from "../calls/call-tracker.js";

export type RequestedStatus = "available" | "paused" | "logged-out";

/** One agent's wrap-up: the pause may still be on its way to the PBX when the agent is done. */
interface Wrapup {
  done: boolean;
  applied: boolean;
  timer: NodeJS.Timeout | null;
}

/**
 * Agent status as the console sets it, carried out on the PBX (queue member pause with a reason),
 * and wrap-up after each answered call: the agent's member is paused with reason after-call-work
 * for the configured time, so the queue offers no call until the agent is done or the time is up.
 * The console always shows what the PBX then reports (AgentStates), never what it asked for.
 */
export class AgentStatusService {
  private readonly wrapups = new Map<string, Wrapup>();

  constructor(
    private readonly commands: PbxCommands,
    private readonly states: AgentStates,
    tracker: CallTracker,
    private readonly wrapupSeconds: number,
    private readonly pauseCodes: string[],
    private readonly log: Logger,
    /** Whether this node starts wrap-ups (it holds the PBX's lease): one pause per call, not one per node. */
    private readonly active: () => boolean = () => true,
  ) {
    tracker.on("call", (e: CallEvent) => {
      if (e.type === "call.ended" && e.call.agent && e.call.answeredAt && this.wrapupSeconds > 0 && this.active()) void this.startWrapup(e.call.agent);
    });
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  private readonly sweeper: NodeJS.Timeout;

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
    return this.states.get(ext) ?? { agent: ext, state: "unavailable", reason: null, since: new Date(), queues: [] };
  }

  async set(ext: string, requested: RequestedStatus, reason?: string): Promise<AgentState> {
    if (requested === "paused" && (!reason || !this.pauseCodes.includes(reason)))
      throw new AppError("VALIDATION", `reason: one of ${this.pauseCodes.join(", ")}`, "reason");
    this.cancelWrapup(ext);
    const changed = this.nextState(ext);
    try {
      if (requested === "available") await this.commands.pauseMember({ extension: ext, paused: false });
      else await this.commands.pauseMember({ extension: ext, paused: true, reason: requested === "paused" ? reason! : loggedOutReason });
    } catch (err) {
      throw toHttp(err);
    }
    // The answer is what the PBX reports next (QueueMemberPause), or what it believes already.
    return (await changed) ?? this.status(ext);
  }

  /** The wrap-up form was saved: the agent is ready for the next call (unless they paused meanwhile). */
  async endWrapup(ext: string): Promise<void> {
    const w = this.wrapups.get(ext);
    if (w) {
      // Saved while the wrap-up pause was still on its way to the PBX: startWrapup lifts it once applied.
      w.done = true;
      if (w.timer) clearTimeout(w.timer);
      this.wrapups.delete(ext);
      if (!w.applied) return;
    } else if (this.status(ext).reason !== wrapupReason) return;
    await this.commands.pauseMember({ extension: ext, paused: false }).catch((err: Error) => this.log.warn({ err: err.message, ext }, "could not end wrap-up"));
  }

  stop(): void {
    clearInterval(this.sweeper);
    for (const w of this.wrapups.values()) if (w.timer) clearTimeout(w.timer);
  }

  private async startWrapup(ext: string): Promise<void> {
    const before = this.status(ext);
    // An agent who paused or logged out during the call stays that way.
    if (before.state === "paused" || before.state === "logged-out") return;
    this.cancelWrapup(ext);
    const w: Wrapup = { done: false, applied: false, timer: null };
    this.wrapups.set(ext, w);
    try {
      await this.commands.pauseMember({ extension: ext, paused: true, reason: wrapupReason });
    } catch (err) {
      this.log.warn({ err: (err as Error).message, ext }, "could not start wrap-up");
      if (this.wrapups.get(ext) === w) this.wrapups.delete(ext);
      return;
    }
    w.applied = true;
    if (w.done || this.wrapups.get(ext) !== w) {
      // The agent finished (or changed status) before the pause took effect.
      if (w.done) await this.commands.pauseMember({ extension: ext, paused: false }).catch(() => {});
      return;
    }
    w.timer = setTimeout(() => void this.endWrapup(ext), this.wrapupSeconds * 1000);
    w.timer.unref();
  }

  private cancelWrapup(ext: string): void {
    const w = this.wrapups.get(ext);
    if (w?.timer) clearTimeout(w.timer);
    this.wrapups.delete(ext);
  }

  private nextState(ext: string, timeoutMs = 2000): Promise<AgentState | null> {
    return new Promise((resolve) => {
      const onState = (s: AgentState) => {
        if (s.agent !== ext) return;
        clearTimeout(timer);
        this.states.off("state", onState);
        resolve(s);
      };
      const timer = setTimeout(() => {
        this.states.off("state", onState);
        resolve(null);
      }, timeoutMs);
      this.states.on("state", onState);
    });
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
