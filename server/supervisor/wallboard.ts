import { EventEmitter } from "node:events";
import type { AgentState, AgentStateName } from "../calls/agent-states.js";
import { talkingAgent, type CallEvent } from "../calls/call-tracker.js";
import type { TrackedCall } from "../calls/call.types.js";
import type { PbxSet } from "../calls/pbx-set.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { DayTotals, startOfDay } from "./day-totals.js";
import { figuresOf } from "./queue-figures.js";
import type { QueueTargets } from "./queue-targets.js";
import type { AgentCall, Breach, QueueAgentCounts, Wallboard, WallboardAgent, WallboardQueue, WaitingCaller } from "./supervisor.schemas.js";

export interface WallboardDeps {
  db: Database;
  pbxes: PbxSet;
  targets: QueueTargets;
  /** The client owning a number, when known now (null: unknown or not loaded yet; `loaded` is called once it is). */
  clientOf(number: string, loaded: () => void): { id: number; name: string } | null;
  /** The user whose phone is this extension. */
  userOf(extension: string): { id: number; name: string } | null;
  /** The supervisor listening in on an agent's call, if any. */
  spyOn(agent: string): { mode: string; supervisor: string } | null;
  shortAbandonSeconds: number;
  wrapupSeconds: number;
  log: Logger;
}

const bucket: Record<AgentStateName, keyof QueueAgentCounts> = {
  available: "available",
  ringing: "ringing",
  "on-call": "onCall",
  paused: "paused",
  "wrap-up": "wrapUp",
  "logged-out": "loggedOut",
  unavailable: "unavailable",
  unknown: "unavailable",
};

/**
 * The live wallboard of every PBX, on every node: callers waiting and agents from the call tracker
 * and the agent states (rebuilt from the PBX after any reconnect: QueueStatus, CoreShowChannels),
 * today's figures from the calls as they end (DayTotals, rebuilt from the journal after a start).
 * Emits "dirty" with the queues and agents a change touched; the publisher coalesces them.
 */
export class WallboardModel extends EventEmitter {
  readonly totals: DayTotals;
  /** The queue whose call each agent handled last: their wrap-up counts toward it. */
  private readonly lastQueue = new Map<string, string>();
  private callbacksPending = new Map<string, number>();
  private ready: Promise<void> = Promise.resolve();

  constructor(private readonly d: WallboardDeps) {
    super();
    this.totals = new DayTotals({ targetOf: (q) => d.targets.of(q).targetSeconds, shortAbandonSeconds: d.shortAbandonSeconds, wrapupSeconds: d.wrapupSeconds });
    for (const t of d.pbxes.all) {
      t.tracker.on("call", (e: CallEvent) => this.onCall(e));
      t.agents.on("state", (s: AgentState) => this.onState(s));
      // After a reconnect the PBX's lists replace what we knew: every entry may have changed.
      t.agents.on("snapshot", () => this.dirtyAll());
      t.agents.on("reachability", () => this.dirtyAll());
    }
  }

  /** Reads today's figures from the journal and the state log (start, and each midnight). */
  load(now = new Date()): Promise<void> {
    this.ready = this.totals.load(this.d.db, now).then(() => this.dirtyAll());
    return this.ready;
  }

  whenLoaded(): Promise<void> {
    return this.ready;
  }

  /** A new day: figures start from zero (and from the journal, should calls of today exist). */
  rollOver(now = new Date()): boolean {
    if (startOfDay(now).getTime() === this.totals.day.getTime()) return false;
    void this.load(now).catch((err: Error) => this.d.log.error({ err }, "wallboard: loading the new day failed"));
    return true;
  }

  setCallbacksPending(counts: Map<string, number>): void {
    const changed = [...new Set([...counts.keys(), ...this.callbacksPending.keys()])].filter((q) => counts.get(q) !== this.callbacksPending.get(q));
    this.callbacksPending = counts;
    if (changed.length) this.emit("dirty", { queues: changed, agents: [] });
  }

  noteDisposition(agent: string, disposition: string): void {
    this.totals.agent(agent).lastDisposition = disposition;
    this.emit("dirty", { queues: [], agents: [agent] });
  }

  dirtyAll(): void {
    this.emit("dirty", { queues: this.queueNames(), agents: this.agentStates().map((s) => s.agent), all: true });
  }

  private onCall(e: CallEvent): void {
    const agents = new Set<string>();
    if ("agent" in e && e.agent) agents.add(e.agent);
    if (e.call.agent) agents.add(e.call.agent);
    for (const ext of e.call.ringing.values()) agents.add(ext);
    if (e.type === "call.transferred" && e.from) agents.add(e.from);
    const queues = new Set<string>();
    if (e.call.queue) queues.add(e.call.queue);
    if (e.type === "call.ended") {
      const t = this.totals.addEnded(e.call);
      for (const a of t.agents) agents.add(a);
      for (const s of e.call.segments) {
        agents.add(s.agent);
        const q = s.queue ?? e.call.queue;
        if (q && s.answeredAt) this.lastQueue.set(s.agent, q);
      }
    }
    if (e.type === "call.ringing" || e.type === "call.ring-ended" || e.type === "call.answered")
      for (const s of e.call.segments) if (s.queue) queues.add(s.queue);
    this.emit("dirty", { queues: [...queues], agents: [...agents] });
  }

  private readonly lastState = new Map<string, AgentState>();

  private onState(s: AgentState): void {
    const prev = this.lastState.get(s.agent);
    this.lastState.set(s.agent, { ...s });
    if (prev) {
      const from = Math.max(prev.since.getTime(), this.totals.day.getTime());
      const seconds = Math.max(0, Math.round((s.since.getTime() - from) / 1000));
      if (prev.state === "paused") this.totals.agent(s.agent).pauseSeconds += seconds;
      if (prev.state === "wrap-up") {
        const q = this.lastQueue.get(s.agent);
        if (q) this.totals.addWrapup(q, seconds);
      }
    }
    this.emit("dirty", { queues: [...new Set([...s.queues, ...(prev?.queues ?? [])])], agents: [s.agent] });
  }

  private agentStates(): (AgentState & { pbx: string })[] {
    return this.d.pbxes.agentStates();
  }

  queueNames(): string[] {
    const names = new Set<string>(this.d.targets.queues());
    for (const s of this.agentStates()) for (const q of s.queues) names.add(q);
    for (const q of this.totals.queues.keys()) names.add(q);
    for (const { call } of this.d.pbxes.liveCalls()) if (call.queue) names.add(call.queue);
    return [...names].sort();
  }

  /** The whole board, or only the named queues and agents (a push's changed entries). */
  build(only?: { queues?: Iterable<string>; agents?: Iterable<string> }, now = new Date()): Omit<Wallboard, "version" | "source"> {
    const wantQueues = only?.queues ? new Set(only.queues) : null;
    const wantAgents = only?.agents ? new Set(only.agents) : null;
    const live = this.d.pbxes.liveCalls().map((x) => x.call);
    const states = this.agentStates();
    const queues = (wantQueues ? [...wantQueues].sort() : this.queueNames()).map((q) => this.queueEntry(q, live, states, now));
    const agentCall = wantAgents === null || wantAgents.size ? this.callsByAgent(live) : new Map<string, TrackedCall>();
    const agents = states
      .filter((s) => !wantAgents || wantAgents.has(s.agent))
      .sort((a, b) => a.agent.localeCompare(b.agent))
      .map((s) => this.agentEntry(s, agentCall.get(s.agent) ?? null, now));
    return { at: now, queues, agents };
  }

  /** Agents the board knows now (a push names the ones that went away). */
  hasAgent(agent: string): boolean {
    return this.d.pbxes.all.some((t) => t.agents.get(agent) !== undefined);
  }

  private queueEntry(name: string, live: TrackedCall[], states: AgentState[], now: Date): WallboardQueue {
    const target = this.d.targets.of(name);
    const waiting: WaitingCaller[] = live
      .filter((c) => c.queue === name && c.queuedAt && !c.answeredAt && !c.endedAt)
      .map((c) => {
        const caller = c.customerNumber ?? c.callerNumber;
        return {
          callId: c.linkedid,
          waitSeconds: Math.max(0, Math.floor((now.getTime() - c.queuedAt!.getTime()) / 1000)),
          caller,
          client: this.d.clientOf(caller, () => this.emit("dirty", { queues: [name], agents: [] })),
        };
      })
      .sort((a, b) => b.waitSeconds - a.waitSeconds);
    const agents: QueueAgentCounts = { available: 0, ringing: 0, onCall: 0, paused: 0, wrapUp: 0, loggedOut: 0, unavailable: 0 };
    for (const s of states) if (s.queues.includes(name)) agents[bucket[s.state]]++;
    const today = figuresOf(this.totals.queues.get(name) ?? this.totals.queue(name));
    const longestWaitSeconds = waiting[0]?.waitSeconds ?? 0;
    const breaches: Breach[] = [];
    if (target.maxWaitSeconds !== null && longestWaitSeconds > target.maxWaitSeconds) breaches.push("longest-wait");
    if (target.minServiceLevel !== null && today.serviceLevel !== null && today.serviceLevel < target.minServiceLevel) breaches.push("service-level");
    if (target.maxWaiting !== null && waiting.length > target.maxWaiting) breaches.push("waiting");
    return {
      name,
      waiting,
      longestWaitSeconds,
      agents,
      today: { ...today, callbacksPending: this.callbacksPending.get(name) ?? 0 },
      targetSeconds: target.targetSeconds,
      targetPercent: target.targetPercent,
      thresholds: { maxWaitSeconds: target.maxWaitSeconds, minServiceLevel: target.minServiceLevel, maxWaiting: target.maxWaiting },
      breaches,
    };
  }

  private callsByAgent(live: TrackedCall[]): Map<string, TrackedCall> {
    const byAgent = new Map<string, TrackedCall>();
    for (const c of live) {
      if (c.endedAt) continue;
      // Talking beats ringing: a phone ringing with a second call is still on the first.
      for (const ext of c.ringing.values()) if (!byAgent.has(ext)) byAgent.set(ext, c);
      const talking = talkingAgent(c);
      if (talking) byAgent.set(talking, c);
    }
    return byAgent;
  }

  private agentEntry(s: AgentState & { pbx: string }, call: TrackedCall | null, now: Date): WallboardAgent {
    const day = this.totals.agents.get(s.agent);
    const open = s.state === "paused" ? Math.max(0, Math.round((now.getTime() - Math.max(s.since.getTime(), this.totals.day.getTime())) / 1000)) : 0;
    return {
      agent: s.agent,
      user: this.d.userOf(s.agent),
      pbx: s.pbx,
      state: s.state,
      reason: s.reason,
      since: s.since,
      queues: s.queues,
      call: call ? this.callEntry(s.agent, call) : null,
      today: { calls: day?.calls ?? 0, talkSeconds: day?.talkSeconds ?? 0, pauseSeconds: (day?.pauseSeconds ?? 0) + open },
      lastDisposition: day?.lastDisposition ?? null,
    };
  }

  private callEntry(agent: string, c: TrackedCall): AgentCall {
    const caller = c.direction === "outbound" ? (c.customerNumber ?? c.calledNumber) : (c.customerNumber ?? c.callerNumber);
    const talking = c.agent === agent && c.answeredAt !== null;
    return {
      callId: c.linkedid,
      caller,
      client: this.d.clientOf(caller, () => this.emit("dirty", { queues: [], agents: [agent] })),
      queue: c.queue,
      direction: c.direction,
      answeredAt: talking ? (c.segments.findLast((x) => x.agent === agent)?.answeredAt ?? c.answeredAt) : null,
      onHold: talking && c.holdStartedAt !== null,
      spy: this.d.spyOn(agent),
    };
  }
}
