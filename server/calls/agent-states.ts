import { EventEmitter } from "node:events";
import type { PbxEvent } from "../pbx/pbx-events.js";
import { agentOf, type CallEvent } from "./call-tracker.js";

/** `unknown`: the PBX cannot be reached, so nobody knows (and nobody is offered calls by us). */
export const agentStateNames = ["available", "ringing", "on-call", "paused", "wrap-up", "unavailable", "logged-out", "unknown"] as const;
export type AgentStateName = (typeof agentStateNames)[number];

export interface AgentState {
  agent: string;
  state: AgentStateName;
  /** The pause reason (lunch, after-call-work ...) when paused. */
  reason: string | null;
  since: Date;
  queues: string[];
}

/**
 * Asterisk device states as QueueMemberStatus numbers them. 3 (BUSY) is ambiguous: an endpoint
 * with `device_state_busy_at = 1` reports BUSY from its first call on, ringing or answered alike
 * (without that option it reports 6 while ringing and 2 once answered). For 3 the calls we follow
 * on that phone decide (busyAs).
 */
const busy = 3;
const deviceStatus: Record<number, AgentStateName> = {
  0: "unavailable", // unknown
  1: "available", // not in use
  2: "on-call", // in use
  3: "on-call", // busy (see above)
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
 * unavailable, logged out (paused with reason logged-out, or member of no queue), unknown while
 * the PBX cannot be reached. Emits "state" (AgentState) on every change, "member" (agent) when the
 * PBX reports on one of the agent's members, "snapshot" (afterConnect) after each full read and
 * "reachability" when the PBX is lost or found again.
 */
export class AgentStates extends EventEmitter {
  private readonly members = new Map<string, Map<string, Member>>();
  private readonly states = new Map<string, AgentState>();
  /** The phone's last device status (one device, whichever queue reported it). */
  private readonly device = new Map<string, number>();
  /** Calls (Linkedids) ringing each agent's phone, and calls each agent talks on, from the tracker. */
  private readonly ringingOn = new Map<string, Set<string>>();
  private readonly talkingOn = new Map<string, Set<string>>();
  /** False while the PBX link is down: every agent is `unknown` until the PBX's state is read again. */
  private reachable = true;
  private downSince: Date | null = null;

  private at = Date.now();

  constructor(
    private readonly maxAgents = 10_000,
    opts: { reachable?: boolean } = {},
  ) {
    super();
    this.reachable = opts.reachable ?? true;
  }

  all(): AgentState[] {
    return [...this.states.values()];
  }

  get(agent: string): AgentState | undefined {
    return this.states.get(agent);
  }

  /** Whether the PBX's link is up (as the lease holder last saw it), and since when it is down. */
  get pbx(): { reachable: boolean; since: Date | null } {
    return { reachable: this.reachable, since: this.downSince };
  }

  /** The pause the PBX holds for an agent's member(s), whatever their phone is doing. */
  pauseOf(agent: string): { paused: boolean; reason: string } | null {
    const list = [...(this.members.get(agent)?.values() ?? [])];
    if (!list.length) return null;
    const m = list.find((x) => x.paused);
    return { paused: !!m, reason: m?.reason ?? "" };
  }

  /**
   * The PBX link went down: what the PBX believes can no longer be known, and agents must not show
   * as available. Every agent becomes `unknown` until the next snapshot (resetFromSnapshot).
   */
  linkDown(at = Date.now()): void {
    this.at = at;
    if (!this.reachable) return;
    this.reachable = false;
    this.downSince = new Date(at);
    for (const agent of this.states.keys()) this.recompute(agent);
    this.emit("reachability", this.pbx);
  }

  /**
   * The tracker's view of each phone: which calls ring it and which it talks on. Only consulted
   * for device status BUSY (3), which does not say which of the two it is.
   */
  onCall(e: CallEvent, at = Date.now()): void {
    this.at = at;
    const id = e.call.linkedid;
    const touched = new Set<string>();
    const mark = (map: Map<string, Set<string>>, agent: string | null, on: boolean) => {
      if (!agent || !this.admits(agent)) return;
      let set = map.get(agent);
      if (on) {
        if (!set) map.set(agent, (set = new Set()));
        set.add(id);
      } else if (set) {
        set.delete(id);
        if (!set.size) map.delete(agent);
      }
      touched.add(agent);
    };
    switch (e.type) {
      case "call.ringing":
        mark(this.ringingOn, e.agent, true);
        break;
      case "call.ring-ended":
        // Rung again in a later round, or on a second leg: still ringing while any leg rings.
        mark(this.ringingOn, e.agent, [...e.call.ringing.values()].includes(e.agent));
        if (e.reason === "answered") mark(this.talkingOn, e.agent, true);
        break;
      case "call.answered":
        mark(this.talkingOn, e.agent, true);
        break;
      case "call.transferred":
        mark(this.talkingOn, e.from, false);
        if (e.kind === "attended") mark(this.talkingOn, e.call.agent, true);
        break;
      case "call.ended":
        for (const s of e.call.segments) {
          mark(this.ringingOn, s.agent, false);
          mark(this.talkingOn, s.agent, false);
        }
        break;
      default:
        return;
    }
    for (const agent of touched) if (this.members.has(agent)) this.recompute(agent);
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
        this.recompute(agent);
        this.emit("member", agent);
        return;
      }
      case "member.pause": {
        const agent = agentOf(e.iface);
        if (!this.admits(agent)) return;
        const m = this.member(agent, e.queue);
        m.paused = e.paused;
        m.reason = e.paused ? e.reason : "";
        this.recompute(agent);
        this.emit("member", agent);
        return;
      }
      case "member.removed": {
        const agent = agentOf(e.iface);
        if (!this.admits(agent)) return;
        this.members.get(agent)?.delete(e.queue);
        this.recompute(agent);
        this.emit("member", agent);
        return;
      }
      default:
        return;
    }
  }

  /** Replaces what we know with QueueStatus's member list (after a reconnect). */
  /** `afterConnect`: the first read after the link (re)connected, when lost pauses are re-applied. */
  resetFromSnapshot(entries: { queue: string; iface: string; status: number; paused: boolean; reason: string }[], at = Date.now(), afterConnect = false): void {
    this.at = at;
    const wasDown = !this.reachable;
    this.reachable = true;
    this.downSince = null;
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
    if (wasDown) this.emit("reachability", this.pbx);
    this.emit("snapshot", afterConnect);
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

  /**
   * BUSY (3) told apart: talking on a followed call → on a call; only ringing → ringing. A ring
   * that just ended unanswered (cancelled, or answered by a colleague) leaves the phone BUSY until
   * its next status (1): it stays "ringing" until then rather than flash "on a call".
   */
  private busyAs(agent: string): AgentStateName {
    if (this.talkingOn.has(agent)) return "on-call";
    if (this.ringingOn.has(agent) || this.states.get(agent)?.state === "ringing") return "ringing";
    return "on-call";
  }

  private recompute(agent: string): void {
    const queues = this.members.get(agent) ?? new Map<string, Member>();
    const list = [...queues.values()];
    let state: AgentStateName;
    let reason: string | null = null;
    const status = this.device.get(agent) ?? 1;
    const device = status === busy ? this.busyAs(agent) : deviceStatus[status];
    if (!this.reachable) state = "unknown";
    else if (list.length === 0) state = "logged-out";
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
