import { EventEmitter } from "node:events";
import type { PbxEvent } from "../pbx/pbx-events.js";
import type { PbxSnapshot } from "../pbx/pbx-link.js";
import type { AgentSegment, CallLeg, EndReason, TrackedCall } from "./call.types.js";
import { RecordingClock } from "./recording-clock.js";

/** What the tracker tells the rest of the server. */
export type CallEvent =
  | { type: "call.started"; call: TrackedCall }
  | { type: "call.queued"; call: TrackedCall; queue: string }
  | { type: "call.ringing"; call: TrackedCall; agent: string; uniqueid: string }
  | { type: "call.ring-ended"; call: TrackedCall; agent: string; reason: "answered" | "answered-elsewhere" | "no-answer" | "caller-left" }
  /** `at`: when this agent answered (a transferred call's next agent answers later than the call). */
  | { type: "call.answered"; call: TrackedCall; agent: string | null; at: Date }
  | { type: "call.held"; call: TrackedCall; agent: string | null }
  | { type: "call.resumed"; call: TrackedCall; agent: string | null }
  | { type: "call.transferred"; call: TrackedCall; from: string | null; to: string; kind: "blind" | "attended" }
  | { type: "call.ended"; call: TrackedCall };

/** A live channel as the PBX lists it after a (re)connect (CoreShowChannels). */
export type LiveChannel = PbxSnapshot["channels"][number];

/** Bounds that keep a PBX (or a hostile peer) that never hangs up from filling memory. */
export interface TrackerLimits {
  /** Live calls at once; past it the call silent for longest is closed as one whose end was not seen. */
  maxCalls: number;
  /** Legs a call may gather (a ring-all queue of 30 phones over 10 rounds makes 300). */
  maxLegs: number;
  /** CRM_* variables a call may carry. */
  maxVars: number;
}

const defaultLimits: TrackerLimits = { maxCalls: 20_000, maxLegs: 2_000, maxVars: 64 };

/** How long a hung-up channel is remembered, so a resync's list that still names it adopts nothing. */
const recentlyEndedMs = 10 * 60_000;
const recentlyEndedMax = 100_000;

/**
 * Milliseconds since the epoch with sub-millisecond precision: a resync asked for in the same
 * millisecond as the last event before it must still see that event as older.
 */
const preciseNow = (): number => performance.timeOrigin + performance.now();

/** Causes that mean the call could not be set up (Q.850): no route, out of order, congestion ... */
const failureCauses = new Set([1, 2, 3, 20, 21, 27, 28, 34, 38, 41, 42, 44, 58, 88, 102]);

/** How long after a click-to-call ended unanswered its late OriginateResponse still belongs to it. */
const originateResponseMs = 60_000;

/**
 * OriginateResponse `Reason` (Asterisk's last control frame from the dialled phone): 0 no channel
 * or failure, 1 hung up (declined), 3 still ringing at the Originate's Timeout, 5 busy, 8 congestion.
 */
function originateFailure(reason: number): EndReason {
  if (reason === 1 || reason === 3) return "agent-no-answer";
  if (reason === 5) return "agent-busy";
  return "failed";
}

/** PJSIP/1001-00000002 → "1001" when the endpoint is an agent phone (an all-digit extension). */
/**
 * The agent talking on a call now: its last agent, answered, with that agent's segment still
 * talking (not during a transfer's hand-over, and not once the call ended). Null otherwise.
 */
export function talkingAgent(c: TrackedCall): string | null {
  if (c.endedAt || !c.answeredAt || !c.agent) return null;
  return c.segments.some((s) => s.agent === c.agent && s.result === "talking") ? c.agent : null;
}

export function agentOf(channelOrIface: string): string | null {
  const m = /^(?:PJSIP|SIP)\/(\d{2,8})(?:-[0-9a-f]+)?$/.exec(channelOrIface);
  return m ? m[1]! : null;
}

function legKind(channel: string): CallLeg["kind"] {
  if (channel.startsWith("Local/")) return "local";
  if (agentOf(channel)) return "agent";
  if (/^(PJSIP|SIP|IAX2|DAHDI)\//.test(channel)) return "trunk";
  return "other";
}

/**
 * Follows every call from the PBX's events: one TrackedCall per Linkedid, with its legs (by
 * Uniqueid; Local halves fold in because they share the Linkedid), queue, ringing agents, the agent
 * who answered, holds, transfers and the end. Emits CallEvents; never sees AMI.
 */
export class CallTracker extends EventEmitter {
  readonly calls = new Map<string, TrackedCall>();
  /** Uniqueid → Linkedid of the call that owns the leg (an attended transfer moves legs). */
  private readonly legOwner = new Map<string, string>();
  /**
   * Uniqueids hung up lately, with when. CoreShowChannels is a snapshot: a channel that hangs up
   * while the list is on its way is still in it, and its Hangup may be handled before the list is.
   */
  private readonly recentlyEnded = new Map<string, number>();
  /** Calls closed because the cap was reached (the PBX never said they ended). */
  evicted = 0;
  /**
   * Click-to-calls (an Originate rings the agent's phone first: its DialBegin has no calling
   * channel, or comes from a Local half), and the segments whose talk the queue reported itself
   * (AgentComplete TalkTime): those are not recomputed from our clock.
   */
  private readonly originates = new WeakSet<TrackedCall>();
  private readonly talkReported = new WeakSet<AgentSegment>();
  /** Each call's recording file clock (bridged time of the recorded channel) and its mutes. */
  private readonly clocks = new WeakMap<TrackedCall, RecordingClock>();
  /** Agent extension → when a click-to-call of theirs ended unanswered (its OriginateResponse may follow). */
  private readonly originateEnded = new Map<string, number>();
  /** When the AMI frame behind the event being handled arrived (listeners read it while handling). */
  frameAt = 0;
  private readonly limits: TrackerLimits;

  private readonly now: () => Date;

  /**
   * Times come from the frames (`receivedAt`, the time the holder's link read them), not from the
   * clock of the node applying them: every node replaying the same feed computes the same calls.
   */
  constructor(now?: () => Date, limits: Partial<TrackerLimits> = {}) {
    super();
    this.now = now ?? (() => new Date(this.frameAt));
    this.limits = { ...defaultLimits, ...limits };
  }

  handle(e: PbxEvent, receivedAt = preciseNow()): void {
    this.frameAt = receivedAt;
    switch (e.type) {
      case "channel.created":
        return this.onChannel(e);
      case "channel.up": {
        const call = this.callOf(e.uniqueid, e.linkedid);
        const leg = call?.legs.get(e.uniqueid);
        if (leg) leg.up = true;
        return;
      }
      case "channel.callerid": {
        // An originate's agent leg carries the customer's number as its caller ID before the
        // customer is dialled (Originate CallerID "<name>" <+1415...>): the card can say who.
        const call = this.callOf(e.uniqueid, e.linkedid);
        if (call && call.direction === "outbound" && !call.customerNumber && e.uniqueid === call.linkedid && /^\+?\d{7,}$/.test(e.callerNum))
          call.customerNumber = e.callerNum;
        return;
      }
      case "dial.begin":
        return this.onDialBegin(e);
      case "dial.end":
        return this.onDialEnd(e);
      case "queue.join": {
        const call = this.callOf(e.uniqueid, e.linkedid);
        if (!call) return;
        // A call keeps the queue it came in on; a blind transfer to another queue joins it again,
        // and the segments of the agents it rings there say so.
        call.queue ??= e.queue;
        call.queuedAt ??= this.now();
        this.out({ type: "call.queued", call, queue: e.queue });
        return;
      }
      case "queue.abandon": {
        const call = this.callOf(e.uniqueid, e.linkedid);
        if (!call) return;
        call.abandoned = true;
        call.waitSeconds = e.holdSeconds;
        return;
      }
      case "agent.called":
        return this.ringing(this.callOf(e.uniqueid, e.linkedid), agentOf(e.iface), e.destUniqueid, e.queue);
      case "agent.connect": {
        const call = this.callOf(e.uniqueid, e.linkedid);
        if (!call) return;
        // HoldTime counts from joining this queue: the call's wait is the first one (before any transfer).
        if (call.transfers === 0) {
          call.waitSeconds = e.holdSeconds;
          call.estimated.delete("waitSeconds");
        }
        const agent = agentOf(e.iface);
        this.answered(call, agent);
        const seg = agent ? this.talkingSegment(call, agent) : undefined;
        if (seg) {
          seg.queue = e.queue;
          seg.waitSeconds = e.holdSeconds;
        }
        return;
      }
      case "agent.complete":
        return this.onAgentComplete(e);
      case "agent.ringnoanswer":
        return this.ringEnded(this.callOf(e.uniqueid, e.linkedid), e.destUniqueid, "no-answer");
      case "hold":
      case "unhold":
        return this.onHold(e.type === "hold", e.uniqueid, e.linkedid);
      case "transfer.blind":
        return this.onBlindTransfer(e);
      case "transfer.attended":
        return this.onAttendedTransfer(e);
      case "spy.start": {
        // A supervisor's listen/whisper/barge session: a call of its own between two phones.
        const call = this.calls.get(e.spyerLinkedid);
        if (!call) return;
        call.direction = "internal";
        call.calledNumber = agentOf(e.spyeeChannel) ?? e.spyeeChannel;
        call.answeredAt ??= this.now();
        return;
      }
      case "call.var": {
        const call = this.callOf(e.uniqueid, e.linkedid);
        if (call && (e.name in call.vars || Object.keys(call.vars).length < this.limits.maxVars)) call.vars[e.name] = e.value;
        return;
      }
      case "recording.file": {
        const call = this.callOf(e.uniqueid, e.linkedid);
        if (!call || call.recordingFile) return;
        call.recordingFile = e.file;
        // The file is named after, and runs on, the channel that set it.
        this.clockOf(call).setRecorded(e.uniqueid);
        return;
      }
      case "recording.mute": {
        const call = this.callOf(e.uniqueid, e.linkedid);
        if (call) this.clockOf(call).mute(e.uniqueid, e.direction, e.muted, this.now().getTime());
        return;
      }
      case "bridge.enter":
      case "bridge.leave": {
        const call = this.callOf(e.uniqueid, e.linkedid);
        if (!call) return;
        const clock = this.clockOf(call);
        if (e.type === "bridge.enter") clock.bridgeEnter(e.uniqueid, this.now().getTime());
        else clock.bridgeLeave(e.uniqueid, this.now().getTime());
        return;
      }
      case "channel.hangup":
        return this.onHangup(e);
      case "originate.response":
        return this.onOriginateResponse(e);
      default:
        return;
    }
  }

  /**
   * After a (re)connect: the PBX's live channels. Calls we track that it no longer has ended while
   * we were blind and are closed now (once); calls it has that we do not know are adopted.
   * `since`: events newer than this were seen after the snapshot was asked for and are kept.
   */
  reconcile(live: LiveChannel[], since: number): void {
    this.frameAt = Math.max(this.frameAt, since);
    const liveLinked = new Set(live.map((c) => c.linkedid));
    for (const call of [...this.calls.values()]) {
      // Listed by the PBX: alive when the list was asked for, whatever it last reported.
      if (liveLinked.has(call.linkedid)) call.lastEventAt = Math.max(call.lastEventAt, since);
      else if (call.lastEventAt < since) this.closeUnseen(call);
    }
    this.forgetEndedBefore(since - recentlyEndedMs);
    // The first channel of each call (Uniqueid = Linkedid) first, then trunks: they say the direction.
    const ordered = [...live].sort((a, b) => rankForAdoption(a) - rankForAdoption(b));
    for (const ch of ordered) {
      if (this.legOwner.has(ch.uniqueid) || this.recentlyEnded.has(ch.uniqueid)) continue;
      let call = this.calls.get(ch.linkedid);
      // When the channel came up, by the PBX's own count: an adopted call keeps its real times.
      const born = ch.ageSeconds === null ? null : new Date(since - ch.ageSeconds * 1000);
      if (!call) {
        call = this.newCall({ type: "channel.created", uniqueid: ch.uniqueid, linkedid: ch.linkedid, channel: ch.channel, callerNum: ch.callerNum, callerName: ch.callerName, context: "", exten: ch.exten });
        call.adopted = true;
        // Without Duration (nor a Uniqueid with its creation time) the start is when we saw it.
        if (!born) call.estimated.add("startedAt");
      } else if (!call.legs.has(ch.uniqueid)) this.addLeg(call, ch.uniqueid, ch.channel);
      if (call.adopted && born && born < call.startedAt) {
        call.startedAt = born;
        if (ch.uniqueid === ch.linkedid) call.estimated.delete("startedAt");
      }
      const leg = call.legs.get(ch.uniqueid);
      if (!leg) continue;
      leg.up = ch.state === 6;
      if (ch.application === "Queue" && !call.queue) {
        call.queue = ch.applicationData.split(",")[0] || null;
        // The dialplan answers and queues within milliseconds of the channel's creation.
        if (call.adopted) call.estimated.add("queuedAt");
        call.queuedAt ??= call.adopted ? call.startedAt : this.now();
      }
      // AppQueue: an agent leg the queue rang (ApplicationData "(Outgoing Line)"): credit its queue.
      const viaQueue = ch.application === "AppQueue" ? call.queue : null;
      if (leg.kind === "agent" && leg.up && ch.bridgeId && !call.answeredAt) {
        this.answered(call, leg.ext);
        const seg = leg.ext ? this.talkingSegment(call, leg.ext) : undefined;
        if (seg) seg.queue ??= viaQueue;
        // The agent's channel was created when it was rung: its age gives the ring's start, and is
        // the nearest the PBX's list comes to the moment of answer (AgentComplete's TalkTime and
        // HoldTime correct answer, wait and talk at the end).
        if (call.adopted) {
          // The recorded channel (the first one) has been bridged about as long as the agent's leg is up.
          if (ch.bridgeId) this.clockOf(call).assumeBridged(call.linkedid, (born ?? this.now()).getTime());
          if (born) call.answeredAt = call.ringingAt = born;
          if (seg && born) seg.answeredAt = seg.ringingAt = born;
          for (const f of ["answeredAt", "waitSeconds", "talkSeconds"] as const) call.estimated.add(f);
          if (!born) call.estimated.add("ringingAt");
        }
      }
    }
  }

  /**
   * Closes a call whose end the PBX never reported (we were blind, or it is a phantom). Its end is
   * the last moment it was known alive (its last event, or the last resync that listed it): the
   * real end lies between that and now, and the blind gap is not counted as talk. Its hang-up
   * cause is unknown unless the caller's own Hangup was seen (another leg's, such as a cancelled
   * ring-all leg's 26 "Answered elsewhere", says nothing about how the call ended).
   */
  private closeUnseen(call: TrackedCall): void {
    call.endedWhileDisconnected = true;
    if (!call.legs.get(call.linkedid)?.ended) {
      call.hangupCause = null;
      call.hangupCauseText = null;
    }
    for (const leg of call.legs.values()) leg.ended = true;
    // Waiting in a queue when it vanished: most likely the caller gave up (a timeout is rarer).
    if (call.queue && !call.answeredAt) call.abandoned = true;
    call.estimated.add("endedAt");
    this.finish(call, new Date(call.lastEventAt));
  }

  private forgetEndedBefore(t: number): void {
    for (const [uid, at] of this.recentlyEnded) {
      if (at >= t) break;
      this.recentlyEnded.delete(uid);
    }
  }

  // ---- handlers ------------------------------------------------------------------------------

  private onChannel(e: Extract<PbxEvent, { type: "channel.created" }>): void {
    const call = this.calls.get(e.linkedid);
    if (call) this.addLeg(call, e.uniqueid, e.channel);
    else this.newCall(e);
  }

  private newCall(e: Extract<PbxEvent, { type: "channel.created" }>): TrackedCall {
    // At the cap, the oldest call goes first (Map order is creation order): a call the PBX never
    // hung up must not push out the ones it is still reporting.
    while (this.calls.size >= this.limits.maxCalls) {
      const oldest = this.calls.values().next().value!;
      this.evicted++;
      this.closeUnseen(oldest);
    }
    const kind = legKind(e.channel);
    const inbound = kind === "trunk";
    const call: TrackedCall = {
        linkedid: e.linkedid,
        direction: inbound ? "inbound" : kind === "agent" || kind === "local" ? "outbound" : "internal",
        callerNumber: inbound ? e.callerNum : (agentOf(e.channel) ?? e.callerNum),
        callerName: e.callerName,
        calledNumber: inbound ? e.exten : "",
        customerNumber: inbound ? e.callerNum : null,
        queue: null, startedAt: this.now(), queuedAt: null, ringingAt: null, answeredAt: null, endedAt: null,
        agent: null, segments: [], ringing: new Map(), legs: new Map(), holdStartedAt: null, holdSeconds: 0,
        waitSeconds: null, talkSeconds: null, transfers: 0, abandoned: false, busy: false, failed: false,
        outcome: null, hangupCause: null, hangupCauseText: null, recordingFile: null, recordingMuted: [], vars: {},
        endedWhileDisconnected: false, adopted: false, estimated: new Set(), endReason: null, lastEventAt: this.frameAt,
      };
    this.calls.set(e.linkedid, call);
    this.addLeg(call, e.uniqueid, e.channel);
    this.out({ type: "call.started", call });
    return call;
  }

  private onDialBegin(e: Extract<PbxEvent, { type: "dial.begin" }>): void {
    const call = this.callOf(e.destUniqueid, e.linkedid);
    if (!call) return;
    const dest = agentOf(e.destChannel);
    if (dest) {
      // An agent phone dialling another one, with no trunk in the call: an internal call.
      if (call.direction === "outbound" && e.uniqueid && call.legs.get(e.uniqueid)?.kind === "agent") call.direction = "internal";
      // An Originate's first leg has no calling channel (or is dialled by a Local half): click-to-call.
      if ((e.uniqueid === null || call.legs.get(e.uniqueid)?.kind === "local") && call.direction === "outbound") this.originates.add(call);
      // Queue calls announce the ring with AgentCalled first; direct and originate calls only dial.
      if (!call.ringing.has(e.destUniqueid)) this.ringing(call, dest, e.destUniqueid, null);
      return;
    }
    if (legKind(e.destChannel) === "trunk" && call.direction !== "inbound") {
      // An outbound dial through the trunk: "+14155550123@trunk" or "PJSIP/+14155550123@trunk".
      const number = e.dialString.replace(/^[A-Z0-9]+\//i, "").split("@")[0] ?? "";
      call.direction = "outbound";
      call.calledNumber = number;
      call.customerNumber = number;
    }
  }

  private onDialEnd(e: Extract<PbxEvent, { type: "dial.end" }>): void {
    const call = this.callOf(e.destUniqueid, e.linkedid);
    if (!call) return;
    const dest = agentOf(e.destChannel);
    if (dest) {
      if (e.status === "ANSWER") {
        // Originate (no calling channel) or its Local half: the agent's own phone answered first.
        if (e.uniqueid === null || call.legs.get(e.uniqueid)?.kind === "local") {
          // The agent picked up their own phone for an originate: the customer is dialled next.
          // The agent is off-hook (their console says so) but the call is not answered until the
          // customer is; the segment's talk starts then too.
          const seg = this.ringingSegment(call, dest);
          this.ringEnded(call, e.destUniqueid, "answered");
          call.agent = dest;
          const at = this.now();
          if (seg) {
            seg.answeredAt = at;
            seg.result = "talking";
          }
          this.out({ type: "call.answered", call, agent: dest, at });
        } else this.answered(call, dest);
      } else if ((e.uniqueid === null || call.legs.get(e.uniqueid)?.kind === "local") && this.originates.has(call)) {
        // The agent's own phone did not take their click-to-call.
        call.endReason ??= e.status === "BUSY" ? "agent-busy" : e.status === "CONGESTION" || e.status === "CHANUNAVAIL" ? "failed" : "agent-no-answer";
        this.ringEnded(call, e.destUniqueid, "no-answer");
      } else this.ringEnded(call, e.destUniqueid, e.status === "NOANSWER" ? "no-answer" : call.answeredAt ? "answered-elsewhere" : "caller-left");
      return;
    }
    if (legKind(e.destChannel) !== "trunk") return;
    if (e.status === "ANSWER") this.answered(call, call.agent ?? [...call.legs.values()].find((l) => l.kind === "agent")?.ext ?? null);
    else if (e.status === "BUSY") {
      call.busy = true;
      if (this.originates.has(call)) call.endReason ??= "busy";
    } else if (e.status === "CONGESTION" || e.status === "CHANUNAVAIL") {
      call.failed = true;
      if (this.originates.has(call)) call.endReason ??= "failed";
    } else if (this.originates.has(call) && !call.answeredAt) call.endReason ??= "customer-no-answer";
  }

  private onHold(on: boolean, uniqueid: string, linkedid: string): void {
    const call = this.callOf(uniqueid, linkedid);
    if (!call) return;
    const now = this.now();
    const seg = call.agent ? this.openSegment(call, call.agent) : null;
    if (on && !call.holdStartedAt) {
      call.holdStartedAt = now;
      this.out({ type: "call.held", call, agent: call.agent });
    } else if (!on && call.holdStartedAt) {
      const s = (now.getTime() - call.holdStartedAt.getTime()) / 1000;
      call.holdSeconds += s;
      if (seg) seg.holdSeconds += s;
      call.holdStartedAt = null;
      this.out({ type: "call.resumed", call, agent: call.agent });
    }
  }

  private onBlindTransfer(e: Extract<PbxEvent, { type: "transfer.blind" }>): void {
    const call = this.callOf(e.transfereeUniqueid, e.linkedid);
    if (!call || !e.ok) return;
    const from = call.legs.get(e.transfererUniqueid)?.ext ?? call.agent;
    this.closeTalk(call, from, "transferred");
    call.transfers++;
    call.agent = null;
    this.out({ type: "call.transferred", call, from, to: e.exten, kind: "blind" });
  }

  /**
   * Attended transfer: the agent talked to a colleague on a second call, then joined the customer to
   * them. The customer's call goes on with the colleague: their leg moves into it, and the
   * consultation call ends on its own.
   */
  private onAttendedTransfer(e: Extract<PbxEvent, { type: "transfer.attended" }>): void {
    if (!e.ok) return;
    const main = this.callOf(e.transfereeUniqueid, e.origLinkedid) ?? this.calls.get(e.origLinkedid);
    const consult = this.calls.get(e.secondLinkedid);
    if (!main || !consult || main === consult) return;
    const from = main.legs.get(e.origTransfererUniqueid)?.ext ?? main.agent;
    this.closeTalk(main, from, "transferred");
    const target = [...consult.legs.values()].find((l) => l.kind === "agent" && !l.ended && l.uniqueid !== e.secondTransfererUniqueid);
    main.transfers++;
    if (target) {
      consult.legs.delete(target.uniqueid);
      main.legs.set(target.uniqueid, target);
      this.legOwner.set(target.uniqueid, main.linkedid);
      const at = this.now();
      main.segments.push({ agent: target.ext!, queue: null, waitSeconds: null, ringingAt: consult.ringingAt ?? at, answeredAt: at, endedAt: null, talkSeconds: 0, holdSeconds: 0, result: "talking" });
      main.agent = target.ext;
    }
    this.out({ type: "call.transferred", call: main, from, to: target?.ext ?? "", kind: "attended" });
    if ([...consult.legs.values()].every((l) => l.ended)) this.finish(consult);
  }

  /**
   * The queue's own account of an agent's part (Reason caller, agent or transfer): TalkTime is the
   * segment's talk. An adopted call learns from it what it could not see: when the agent answered
   * (TalkTime before now) and, before any transfer, the caller's wait (HoldTime).
   */
  private onAgentComplete(e: Extract<PbxEvent, { type: "agent.complete" }>): void {
    const call = this.callOf(e.uniqueid, e.linkedid);
    const agent = agentOf(e.iface);
    const seg = call && agent ? call.segments.findLast((x) => x.agent === agent && x.answeredAt !== null && x.result !== "not-reached") : undefined;
    if (!call || !seg) return;
    seg.talkSeconds = e.talkSeconds;
    this.talkReported.add(seg);
    if (call.estimated.has("answeredAt")) {
      const answered = new Date(this.now().getTime() - e.talkSeconds * 1000);
      seg.answeredAt = answered;
      if (seg.ringingAt > answered) seg.ringingAt = answered;
      if (call.transfers === 0) {
        call.answeredAt = answered;
        // Both counts are whole seconds (the start from CoreShowChannel's Duration, the answer from
        // TalkTime): a call answered within a second of its start can come out answered "before" it
        // started. Within that second the start is the one moved, so the order stays true.
        if (answered < call.startedAt) call.startedAt = answered;
        if (call.queuedAt && answered < call.queuedAt) call.queuedAt = answered;
        if (call.ringingAt && answered < call.ringingAt) call.ringingAt = answered;
        call.waitSeconds = e.holdSeconds;
        for (const f of ["answeredAt", "waitSeconds", "talkSeconds"] as const) call.estimated.delete(f);
      }
    }
  }

  /**
   * OriginateResponse: the outcome of our Originate, with the ActionID we sent. On failure it
   * comes after the agent's channel hung up (Asterisk reports once the dial gave up), names the
   * requested channel (PJSIP/1001) and, when a channel existed, its Uniqueid; it has no Linkedid.
   * A click-to-call still tracked takes its reason; one already ended has it from its Hangup; one
   * that never got a channel (Reason 0: the phone is not registered) is journaled from it alone.
   */
  private onOriginateResponse(e: Extract<PbxEvent, { type: "originate.response" }>): void {
    if (e.success) return;
    const ext = agentOf(e.channel.replace(/^Local\/(\d+)@[^;]*(;\d)?$/, "PJSIP/$1"));
    const byId = e.uniqueid ? this.callOf(e.uniqueid, e.uniqueid) : undefined;
    const live = byId ?? [...this.calls.values()].findLast((c) => this.originates.has(c) && !c.answeredAt && c.segments[0]?.agent === ext);
    if (live) {
      live.endReason ??= originateFailure(e.reason);
      if (!live.calledNumber && e.exten) live.calledNumber = e.exten;
      return;
    }
    if (!ext || (e.uniqueid && this.recentlyEnded.has(e.uniqueid))) return;
    const endedAt = this.originateEnded.get(ext);
    if (endedAt !== undefined && this.frameAt - endedAt < originateResponseMs) {
      this.originateEnded.delete(ext);
      return;
    }
    const linkedid = e.uniqueid ?? `originate-${e.actionId}-${Math.round(this.frameAt)}`;
    const call = this.newCall({ type: "channel.created", uniqueid: linkedid, linkedid, channel: `PJSIP/${ext}`, callerNum: ext, callerName: "", context: e.context, exten: "" });
    this.originates.add(call);
    const number = e.exten || null;
    Object.assign(call, { calledNumber: number ?? "", customerNumber: number, agent: ext, failed: e.reason === 0 || e.reason === 8, endReason: originateFailure(e.reason) });
    call.segments.push({ agent: ext, queue: null, waitSeconds: null, ringingAt: this.now(), answeredAt: null, endedAt: this.now(), talkSeconds: 0, holdSeconds: 0, result: "no-answer" });
    this.finish(call);
  }

  private onHangup(e: Extract<PbxEvent, { type: "channel.hangup" }>): void {
    const call = this.callOf(e.uniqueid, e.linkedid);
    if (!call) return;
    const leg = call.legs.get(e.uniqueid);
    if (leg) leg.ended = true;
    if (this.originates.has(call) && call.ringing.has(e.uniqueid) && !call.answeredAt) {
      // A click-to-call's own agent phone stopped ringing unanswered (the Originate's Timeout, a
      // decline, busy): the OriginateResponse Failure that follows says the same.
      call.endReason ??= e.cause === 17 ? "agent-busy" : failureCauses.has(e.cause) && e.cause !== 21 ? "failed" : "agent-no-answer";
      this.ringEnded(call, e.uniqueid, "no-answer");
    }
    if (call.ringing.has(e.uniqueid)) this.ringEnded(call, e.uniqueid, e.cause === 26 ? "answered-elsewhere" : call.answeredAt ? "answered-elsewhere" : "caller-left");
    if (leg?.kind === "agent" && leg.ext && leg.ext === call.agent && call.answeredAt) this.closeTalk(call, leg.ext, "completed");
    // The first leg's cause says how the call ended (16 normal, 17 busy, 0 when the caller left the
    // queue); another leg's (a cancelled ring-all leg's 26) only when the first is not in the call.
    if (e.uniqueid === call.linkedid || (!call.legs.has(call.linkedid) && call.hangupCause === null)) {
      call.hangupCause = e.cause;
      call.hangupCauseText = e.causeText;
    }
    if (e.cause === 17 && !call.answeredAt) call.busy = true;
    if (failureCauses.has(e.cause) && !call.answeredAt) call.failed = true;
    this.legOwner.delete(e.uniqueid);
    this.recentlyEnded.set(e.uniqueid, this.frameAt);
    if (this.recentlyEnded.size > recentlyEndedMax) this.recentlyEnded.delete(this.recentlyEnded.keys().next().value!);
    if ([...call.legs.values()].every((l) => l.ended)) this.finish(call);
  }

  // ---- shared steps --------------------------------------------------------------------------

  private ringing(call: TrackedCall | undefined, agent: string | null, uniqueid: string, queue: string | null): void {
    if (!call || !agent || call.ringing.has(uniqueid)) return;
    const at = this.now();
    call.ringing.set(uniqueid, agent);
    call.ringingAt ??= at;
    call.segments.push({ agent, queue, waitSeconds: null, ringingAt: at, answeredAt: null, endedAt: null, talkSeconds: 0, holdSeconds: 0, result: "ringing" });
    this.out({ type: "call.ringing", call, agent, uniqueid });
  }

  private ringEnded(call: TrackedCall | undefined, uniqueid: string, reason: "answered" | "answered-elsewhere" | "no-answer" | "caller-left"): void {
    const agent = call?.ringing.get(uniqueid);
    if (!call || !agent) return;
    call.ringing.delete(uniqueid);
    const seg = this.ringingSegment(call, agent);
    if (seg && reason !== "answered") {
      seg.result = reason;
      seg.endedAt = this.now();
    }
    this.out({ type: "call.ring-ended", call, agent, reason });
  }

  private answered(call: TrackedCall, agent: string | null): void {
    // Answer is reported twice for queue calls (DialEnd ANSWER, then AgentConnect): once is enough.
    if (call.answeredAt && agent && call.agent === agent && call.segments.some((s) => s.agent === agent && s.result === "talking")) return;
    const at = this.now();
    call.answeredAt ??= at;
    call.agent = agent ?? call.agent;
    if (agent) {
      for (const [uid, a] of call.ringing) if (a === agent) this.ringEnded(call, uid, "answered");
      const seg = this.ringingSegment(call, agent) ?? this.openSegment(call, agent);
      if (seg) {
        seg.answeredAt = at;
        seg.result = "talking";
      } else call.segments.push({ agent, queue: null, waitSeconds: null, ringingAt: at, answeredAt: at, endedAt: null, talkSeconds: 0, holdSeconds: 0, result: "talking" });
    }
    this.out({ type: "call.answered", call, agent, at });
  }

  private closeTalk(call: TrackedCall, agent: string | null, result: "completed" | "transferred"): void {
    const seg = agent ? call.segments.findLast((s) => s.agent === agent && s.result === "talking") : undefined;
    if (!seg) return;
    const at = this.now();
    if (call.holdStartedAt) this.onHold(false, call.linkedid, call.linkedid);
    seg.endedAt = at;
    seg.result = result;
    if (!this.talkReported.has(seg) && seg.answeredAt) seg.talkSeconds = Math.round((at.getTime() - seg.answeredAt.getTime()) / 1000);
  }

  /** `endAt`: when the call ended, if not now (a call whose end was not seen: when it was last alive). */
  private finish(call: TrackedCall, endAt?: Date): void {
    if (!this.calls.has(call.linkedid)) return;
    // Never before it started (an adopted call's start comes from the PBX's count, not our clock).
    const end = new Date(Math.max((endAt ?? this.now()).getTime(), call.startedAt.getTime(), call.answeredAt?.getTime() ?? 0));
    call.endedAt = end;
    if (call.holdStartedAt) {
      call.holdSeconds += Math.max(0, end.getTime() - call.holdStartedAt.getTime()) / 1000;
      call.holdStartedAt = null;
    }
    for (const [uid] of call.ringing) this.ringEnded(call, uid, call.answeredAt ? "answered-elsewhere" : "caller-left");
    const originate = this.originates.has(call);
    for (const seg of call.segments) {
      if (seg.result !== "talking") continue;
      seg.endedAt = end;
      if (originate && !call.answeredAt) {
        // Click-to-call: the agent was off-hook, but no customer ever answered: no talk.
        seg.result = "not-reached";
        seg.talkSeconds = 0;
        continue;
      }
      seg.result = "completed";
      if (!this.talkReported.has(seg) && seg.answeredAt) {
        seg.talkSeconds = Math.max(0, Math.round((end.getTime() - seg.answeredAt.getTime()) / 1000));
        if (call.endedWhileDisconnected) call.estimated.add("talkSeconds");
      }
    }
    call.holdSeconds = Math.round(call.holdSeconds);
    const from = call.queuedAt ?? call.startedAt;
    call.waitSeconds ??= call.direction === "inbound" ? Math.max(0, Math.round(((call.answeredAt ?? end).getTime() - from.getTime()) / 1000)) : null;
    if (call.waitSeconds !== null && !call.answeredAt && call.estimated.has("endedAt")) call.estimated.add("waitSeconds");
    // The call's talk is the sum of its agents' (a transferred call has several); each is the
    // queue's own TalkTime where it reported one.
    const talked = call.segments.filter((x) => x.answeredAt && (x.result === "completed" || x.result === "transferred"));
    if (call.answeredAt)
      call.talkSeconds = talked.length ? talked.reduce((sum, x) => sum + x.talkSeconds, 0) : Math.round((end.getTime() - call.answeredAt.getTime()) / 1000);
    if (originate) {
      call.agent ??= call.segments[0]?.agent ?? null;
      // The customer's number: from the trunk's dial string, or else the Originate's caller ID.
      call.calledNumber ||= call.customerNumber ?? "";
      if (!call.answeredAt) call.endReason ??= call.segments.some((x) => x.result === "not-reached") ? "customer-no-answer" : "agent-no-answer";
      if (call.endReason) this.originateEnded.set(call.agent ?? "", this.frameAt);
    }
    call.outcome = outcomeOf(call);
    const clock = this.clocks.get(call);
    if (clock) call.recordingMuted = [...clock.end(end.getTime())];
    this.calls.delete(call.linkedid);
    for (const uid of call.legs.keys()) this.legOwner.delete(uid);
    this.out({ type: "call.ended", call });
  }

  private addLeg(call: TrackedCall, uniqueid: string, channel: string): void {
    if (call.legs.size >= this.limits.maxLegs) return;
    const kind = legKind(channel);
    call.legs.set(uniqueid, { uniqueid, channel, kind, ext: kind === "agent" ? agentOf(channel) : null, up: false, ended: false });
    this.legOwner.set(uniqueid, call.linkedid);
  }

  private callOf(uniqueid: string | null, linkedid: string): TrackedCall | undefined {
    const owner = uniqueid ? this.legOwner.get(uniqueid) : undefined;
    const call = (owner ? this.calls.get(owner) : undefined) ?? this.calls.get(linkedid);
    if (call) call.lastEventAt = this.frameAt;
    return call;
  }

  /** Until a MIXMONITOR_FILENAME says otherwise, the recording runs on the call's first channel. */
  private clockOf(call: TrackedCall): RecordingClock {
    let clock = this.clocks.get(call);
    if (!clock) this.clocks.set(call, (clock = new RecordingClock(call.linkedid)));
    return clock;
  }

  private ringingSegment(call: TrackedCall, agent: string): AgentSegment | undefined {
    return call.segments.findLast((s) => s.agent === agent && s.result === "ringing");
  }

  private talkingSegment(call: TrackedCall, agent: string): AgentSegment | undefined {
    return call.segments.findLast((s) => s.agent === agent && s.result === "talking");
  }

  private openSegment(call: TrackedCall, agent: string | null): AgentSegment | undefined {
    return agent ? call.segments.findLast((s) => s.agent === agent && (s.result === "talking" || s.result === "ringing" || s.result === "completed")) : undefined;
  }

  private out(e: CallEvent): void {
    this.emit("call", e);
  }
}

function rankForAdoption(c: LiveChannel): number {
  if (c.uniqueid === c.linkedid) return 0;
  return legKind(c.channel) === "trunk" ? 1 : 2;
}

function outcomeOf(call: TrackedCall): TrackedCall["outcome"] {
  if (call.direction === "outbound") {
    if (call.answeredAt && call.legs.size > 1 && [...call.legs.values()].some((l) => l.kind === "trunk")) return "reached";
    if (call.busy) return "busy";
    if (call.failed) return "failed";
    return call.answeredAt ? "reached" : "not-reached";
  }
  if (call.answeredAt) return "answered";
  if (call.abandoned) return "abandoned";
  if (call.busy) return "busy";
  if (call.failed) return "failed";
  return "missed";
}
