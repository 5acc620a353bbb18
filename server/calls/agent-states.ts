import { EventEmitter } from "node:events";
import type { PbxEvent } from "../pbx/pbx-events.js";
import { agentOf } from "./call-tracker.js";

export type AgentStateName = "available" | "ringing" | "on-call" | "paused" | "wrap-up" | "unavailable" | "logged-out";

export interface AgentState {
  agent: string;
  state: AgentStateName;
  /** The pause reason (lunch, after-call-work ...) when paused. */
  reason: string | null;
  since: Date;
  queues: string[];
}

/** Asterisk device states as QueueMemberStatus numbers them. */
const deviceStatus: Record<number, AgentStateName> = {
  0: "unavailable", // unknown
  1: "available", // not in use
  2: "on-call", // in use
  3: "on-call", // busy
  4: "unavailable", // invalid
  5: "unavailable", // unavailable
  6: "ringing",
  7: "on-call", // ringing while in use
  8: "on-call", // on hold
};

interface Member {
  status: number;
  paused: boolean;
  reason: string;
}

/** Pause reasons with a meaning of their own: the CRM pauses agents with these. */
export const wrapupReason = "after-call-work";
export const loggedOutReason = "logged-out";

/**
 * Each agent's state as the PBX believes it, from queue member events (one per queue the agent is
 * in): available, ringing, on call, paused (reason), wrap-up (paused with reason after-call-work),
 * unavailable, logged out (paused with reason logged-out, or member of no queue). Emits "state"
 * (AgentState) on every change.
 */
export class AgentStates extends EventEmitter {
  private readonly members = new Map<string, Map<string, Member>>();
  private readonly states = new Map<string, AgentState>();
  /** The phone's last device status (one device, whichever queue reported it). */
  private readonly device = new Map<string, number>();

  private at = Date.now();

  constructor(private readonly maxAgents = 10_000) {
    super();
  }

  all(): AgentState[] {
    return [...this.states.values()];
  }

  get(agent: string): AgentState | undefined {
    return this.states.get(agent);
  }

  /** `at`: when the event's frame arrived (every node replaying the feed gets the same times). */
  handle(e: PbxEvent, at = Date.now()): void {
    this.at = at;
    switch (e.type) {
      case "member.status":
      case "member.added": {
        const agent = agentOf(e.iface);
        if (!this.admits(agent)) return;
        const m = this.member(agent, e.queue);
        if (e.type === "member.status") {
          m.status = e.status;
          this.device.set(agent, e.status);
          m.paused = e.paused;
          m.reason = e.pausedReason;
        } else m.paused = e.paused;
        return this.recompute(agent);
      }
      case "member.pause": {
        const agent = agentOf(e.iface);
        if (!this.admits(agent)) return;
        const m = this.member(agent, e.queue);
        m.paused = e.paused;
        m.reason = e.paused ? e.reason : "";
        return this.recompute(agent);
      }
      case "member.removed": {
        const agent = agentOf(e.iface);
        if (!this.admits(agent)) return;
        this.members.get(agent)?.delete(e.queue);
        return this.recompute(agent);
      }
      default:
        return;
    }
  }

  /** Replaces what we know with QueueStatus's member list (after a reconnect). */
  resetFromSnapshot(entries: { queue: string; iface: string; status: number; paused: boolean; reason: string }[], at = Date.now()): void {
    this.at = at;
    const seen = new Set<string>();
    for (const [agent] of this.members) this.members.set(agent, new Map());
    for (const x of entries) {
      const agent = agentOf(x.iface);
      if (!this.admits(agent)) continue;
      seen.add(agent);
      Object.assign(this.member(agent, x.queue), { status: x.status, paused: x.paused, reason: x.reason });
      this.device.set(agent, x.status);
    }
    for (const agent of new Set([...this.members.keys(), ...seen])) this.recompute(agent);
  }

  /** Past maxAgents phones, a new interface is ignored: a peer naming random ones cannot fill memory. */
  private admits(agent: string | null): agent is string {
    return agent !== null && (this.members.has(agent) || this.members.size < this.maxAgents);
  }

  private member(agent: string, queue: string): Member {
    let queues = this.members.get(agent);
    if (!queues) this.members.set(agent, (queues = new Map()));
    let m = queues.get(queue);
    if (!m) queues.set(queue, (m = { status: 1, paused: false, reason: "" }));
    return m;
  }

  private recompute(agent: string): void {
    const queues = this.members.get(agent) ?? new Map<string, Member>();
    const list = [...queues.values()];
    let state: AgentStateName;
    let reason: string | null = null;
    const device = deviceStatus[this.device.get(agent) ?? 1];
    if (list.length === 0) state = "logged-out";
    else if (device === "ringing" || device === "on-call") state = device;
    else if (list.some((m) => m.paused)) {
      reason = list.find((m) => m.paused)?.reason || null;
      state = reason === wrapupReason ? "wrap-up" : reason === loggedOutReason ? "logged-out" : "paused";
    } else state = device ?? "unavailable";
    const prev = this.states.get(agent);
    if (prev && prev.state === state && prev.reason === reason) {
      prev.queues = [...queues.keys()];
      return;
    }
    const next: AgentState = { agent, state, reason, since: new Date(this.at), queues: [...queues.keys()] };
    this.states.set(agent, next);
    this.emit("state", next);
  }
}
