import crypto from "node:crypto";
import { EventEmitter } from "node:events";
import path from "node:path";
import { SimRecorder } from "./sim-recorder.js";
import {
  between,
  bridgeBlock,
  channelBlock,
  cdr,
  destOnly,
  event,
  hangupCauses,
  memberBlock,
  onChannel,
  type Pairs,
  type SimBridge,
  type SimChannel,
  type SimMember,
} from "./sim-events.js";

export interface SimAgentConfig {
  ext: string;
  name: string;
  /** Answers by itself after ringSeconds (demo); false waits for answer() from a person. */
  autoAnswer?: boolean;
}

export interface SimQueueConfig {
  name: string;
  strategy: "ringall" | "rrmemory";
  /** Member ring timeout before AgentRingNoAnswer, seconds (queues.conf `timeout`). */
  timeoutSeconds: number;
  /** Pause between ring rounds, seconds (queues.conf `retry`). */
  retrySeconds: number;
  members: string[];
  /** queues.conf `wrapuptime`: a member is not offered a call for this long after their last one. */
  wrapupSeconds?: number;
}

export interface SimConfig {
  agents: SimAgentConfig[];
  queues: SimQueueConfig[];
  /** Inbound DID → queue name. */
  dids: Record<string, string>;
  ringSeconds: number;
  talkSeconds: number;
  /** Multiplies every delay: 1 is real time, 0.01 runs a hundred times faster. */
  speed: number;
  monitorDir: string;
  companyNumber: string;
  companyName: string;
  /** Asterisk's `systemname`: prefixes every Uniqueid ("east-1795598250.0"), so PBXs' ids differ. */
  systemName?: string;
  /**
   * pjsip.conf `device_state_busy_at` of the agent endpoints: at 1 a phone with a call, ringing
   * or answered, reports BUSY (QueueMemberStatus 3) instead of RINGING (6) / INUSE (2).
   */
  deviceStateBusyAt?: number;
  /**
   * Write the recordings' audio into `monitorDir` as MixMonitor would (SimRecorder): the demo's
   * newcomer gets playable calls without a PBX. Off for the load-test mode (SIM_AGENTS).
   */
  recordAudio?: boolean;
  /**
   * Whether the dialplan records calls at all (MixMonitor, and its MIXMONITOR_FILENAME). The
   * load-test PBX (SIM_AGENTS) does not: thousands of calls with no audio behind them would only
   * load the server with recordings that never come.
   */
  mixMonitor?: boolean;
  /** queues.conf `persistentmembers`: dynamic members (and their pauses) survive a restart; static ones never keep a pause. */
  persistentMembers?: boolean;
}

export const defaultSimConfig: SimConfig = {
  agents: [
    { ext: "1001", name: "Agent One", autoAnswer: true },
    { ext: "1002", name: "Agent Two", autoAnswer: true },
    { ext: "1003", name: "Agent Three", autoAnswer: true },
    // The demo supervisor's phone: in no queue; it answers the listen / whisper / barge originates.
    { ext: "1010", name: "Sam Supervisor", autoAnswer: true },
  ],
  queues: [
    { name: "support", strategy: "ringall", timeoutSeconds: 15, retrySeconds: 2, members: ["1001", "1002"] },
    { name: "sales", strategy: "rrmemory", timeoutSeconds: 15, retrySeconds: 2, members: ["1001", "1002", "1003"] },
  ],
  dids: { "8005551000": "support", "8005552000": "sales" },
  ringSeconds: 1.5,
  talkSeconds: 20,
  speed: 1,
  monitorDir: "/var/spool/asterisk/monitor",
  companyNumber: "8005551000",
  companyName: "ACME Support",
};

type DeviceState = "NOT_INUSE" | "RINGING" | "INUSE" | "ONHOLD" | "UNAVAILABLE";

interface Agent extends SimAgentConfig {
  device: DeviceState;
  /** Agent legs currently ringing or up, by channel name. */
  legs: Set<string>;
}

/** A call in the model: one Linkedid, its channels, and where it stands. */
interface Call {
  linkedid: string;
  caller: SimChannel;
  queue: string | null;
  joinedAt: number;
  /** Ringing agent legs: ext → channel. */
  ringing: Map<string, SimChannel>;
  agentLeg: SimChannel | null;
  agentExt: string | null;
  bridge: SimBridge | null;
  answeredAt: number | null;
  startedAt: Date;
  timers: NodeJS.Timeout[];
  ended: boolean;
  kind: "queue" | "originate" | "spy";
  /** Click-to-call: the customer's trunk leg while it rings (the agent's leg is `caller` until then). */
  dialing?: SimChannel;
}

/**
 * A small PBX: a trunk, queues and agent phones, emitting AMI events with the names, fields and
 * order of the Asterisk 22 transcripts (../shared/ami-traces): inbound queue calls (answered,
 * abandoned, ring-no-answer with retry), originates (click-to-call, callback, ChanSpy), hold,
 * blind transfer, hangups and queue member changes. Emits "event" (Pairs) for the AMI server.
 */
export class SimPbx extends EventEmitter {
  readonly config: SimConfig;
  private readonly agents = new Map<string, Agent>();
  readonly members = new Map<string, SimMember[]>();
  private readonly calls = new Map<string, Call>();
  private readonly channels = new Map<string, SimChannel>();
  private seq = 0;
  /** rrmemory: index of the member each queue offered its last call to. */
  private readonly rrLast = new Map<string, number>();
  private chanSeq = 0;
  private bootTime = Math.floor(Date.now() / 1000);
  /** Writes the recordings' WAV files when `recordAudio` is on. */
  readonly recorder: SimRecorder | null;

  constructor(config: Partial<SimConfig> = {}) {
    super();
    this.config = { ...defaultSimConfig, ...config };
    this.recorder = this.config.recordAudio ? new SimRecorder(this.config.monitorDir) : null;
    for (const a of this.config.agents) this.agents.set(a.ext, { autoAnswer: true, ...a, device: "NOT_INUSE", legs: new Set() });
    for (const q of this.config.queues)
      this.members.set(
        q.name,
        q.members.map((ext) => this.newMember(q.name, ext, "static")),
      );
  }

  get uptimeSeconds(): number {
    return Math.floor(Date.now() / 1000) - this.bootTime;
  }

  liveChannels(): SimChannel[] {
    return [...this.channels.values()];
  }

  /** The bridge a channel is in (CoreShowChannel's BridgeId), or "". */
  bridgeOf(channel: string): string {
    for (const c of this.calls.values())
      if (c.bridge && (c.caller.name === channel || c.agentLeg?.name === channel)) return c.bridge.id;
    return "";
  }

  /** What a channel is running, as CoreShowChannel reports it (Application, ApplicationData). */
  applicationOf(channel: string): [string, string] {
    for (const c of this.calls.values()) {
      if (c.caller.name === channel) return c.queue ? ["Queue", `${c.queue},,,,60`] : ["Dial", ""];
      if (c.agentLeg?.name === channel || [...c.ringing.values()].some((l) => l.name === channel)) return ["AppQueue", "(Outgoing Line)"];
    }
    return ["AppDial", "(Outgoing Line)"];
  }

  /** Waiting callers of a queue, in order, with their wait in seconds. */
  waiting(queue: string): { channel: SimChannel; waitSeconds: number }[] {
    return [...this.calls.values()]
      .filter((c) => c.queue === queue && !c.agentLeg && !c.ended)
      .map((c) => ({ channel: c.caller, waitSeconds: Math.floor((Date.now() - c.joinedAt) / 1000) }));
  }

  agent(ext: string): Agent | undefined {
    return this.agents.get(ext);
  }

  /** Ends every call at once and forgets them (the "PBX restart" fault). */
  reset(): void {
    for (const c of this.calls.values()) for (const t of c.timers) clearTimeout(t);
    this.calls.clear();
    this.channels.clear();
    for (const a of this.agents.values()) {
      a.legs.clear();
      a.device = "NOT_INUSE";
    }
    for (const list of this.members.values()) for (const m of list) Object.assign(m, { status: 1, inCall: false });
  }

  /**
   * The PBX process restarts (`core restart now`): every call is gone, counters start again, and
   * static queue members come back as queues.conf lists them, unpaused, with no event saying so
   * (transcript pbx-restart-paused). Dynamic members stay, with their pause, only with persistentmembers.
   */
  reboot(): void {
    this.reset();
    this.bootTime = Math.floor(Date.now() / 1000);
    const keep = this.config.persistentMembers ?? true;
    for (const [queue, list] of this.members) {
      const kept = list.filter((m) => m.membership === "dynamic" && keep);
      for (const m of kept) Object.assign(m, { callsTaken: 0, lastCall: 0, lastCallMs: 0, loginTime: this.bootTime });
      const statics = (this.config.queues.find((q) => q.name === queue)?.members ?? []).map((ext) => this.newMember(queue, ext, "static"));
      this.members.set(queue, [...statics, ...kept.filter((m) => !statics.some((x) => x.iface === m.iface))]);
    }
  }

  // ---- inbound calls -------------------------------------------------------------------------

  /**
   * A customer calls a DID. The dialplan answers, starts MixMonitor and queues the call; members
   * ring; auto-answer agents pick up after ringSeconds. The caller leaves after `patienceSeconds`
   * if nobody answered, and hangs up `talkSeconds` after answer unless the agent does first.
   */
  inboundCall(o: { from: string; name?: string; did?: string; patienceSeconds?: number; talkSeconds?: number }): string {
    const did = o.did ?? Object.keys(this.config.dids)[0]!;
    const queue = this.config.dids[did] ?? null;
    const uid = this.uniqueid();
    const caller: SimChannel = {
      name: this.channelName("trunk"), state: 4, callerNum: o.from, callerName: o.name ?? "<unknown>",
      connectedNum: "<unknown>", connectedName: "<unknown>", context: "from-trunk", exten: did, priority: 1, uniqueid: uid, linkedid: uid,
    };
    const call: Call = { linkedid: uid, caller, queue, joinedAt: Date.now(), ringing: new Map(), agentLeg: null, agentExt: null, bridge: null, answeredAt: null, startedAt: new Date(), timers: [], ended: false, kind: "queue" };
    this.calls.set(uid, call);
    this.channels.set(caller.name, caller);
    this.send(onChannel("Newchannel", caller));
    this.send(this.varSet(caller, "SIPDOMAIN", "127.0.0.1"));
    this.send(this.newexten(caller, "NoOp", ""));
    caller.priority = 2;
    this.send(this.newexten(caller, "Answer", ""));
    caller.state = 6;
    this.send(onChannel("Newstate", caller));
    this.deviceState("PJSIP/trunk", "INUSE");
    caller.priority = 4;
    // AppData as Asterisk reports it: already expanded (transcript two-sided-recording).
    if (this.config.mixMonitor !== false) {
      this.send(this.newexten(caller, "MixMonitor", `${uid}.wav,br(${uid}-in.wav)t(${uid}-out.wav)`));
      this.send(this.varSet(caller, "MIXMONITOR_FILENAME", path.posix.join(this.config.monitorDir, `${uid}.wav`)));
      this.send(onChannel("MixMonitorStart", caller));
    }
    if (!queue) {
      this.later(call, 1, () => this.endCall(call, "caller", 16));
      return uid;
    }
    caller.priority = 5;
    this.send(this.newexten(caller, "Queue", `${queue},,,,60`));
    const position = this.waiting(queue).length;
    this.send(onChannel("QueueCallerJoin", caller, [["Queue", queue], ["Position", String(position)], ["Count", String(position)]]));
    this.send(onChannel("MusicOnHoldStart", caller, [["Class", "default"]]));
    this.ringRound(call);
    if (o.patienceSeconds !== undefined)
      this.later(call, o.patienceSeconds, () => {
        if (!call.agentLeg) this.endCall(call, "caller", 0);
      });
    (call as Call & { talkSeconds?: number }).talkSeconds = o.talkSeconds;
    return uid;
  }

  /** One ring round: every free member (ringall) or the next one (rrmemory) is called. */
  private ringRound(call: Call): void {
    if (call.ended || call.agentLeg || !call.queue) return;
    const q = this.config.queues.find((x) => x.name === call.queue)!;
    const free = (this.members.get(q.name) ?? []).filter((m) => {
      const a = this.agents.get(extOf(m.iface));
      // wrapuptime: app_queue skips a member whose last call ended less than that long ago.
      const wrapping = Date.now() - m.lastCallMs < (q.wrapupSeconds ?? 0) * 1000 * this.config.speed;
      return a && !m.paused && a.device === "NOT_INUSE" && !wrapping;
    });
    let targets = free;
    if (q.strategy === "rrmemory" && free.length) {
      // Round robin with memory: start after the member that was offered the last call.
      const members = this.members.get(q.name) ?? [];
      const last = this.rrLast.get(q.name) ?? -1;
      const next = free.map((m) => members.indexOf(m)).sort((a, b) => a - b).find((i) => i > last) ?? members.indexOf(free[0]!);
      this.rrLast.set(q.name, next);
      targets = [members[next]!];
    }
    if (!targets.length) {
      this.later(call, q.retrySeconds, () => this.ringRound(call));
      return;
    }
    for (const m of targets) {
      const a = this.agents.get(extOf(m.iface))!;
      const leg: SimChannel = {
        name: this.channelName(a.ext), state: 0, callerNum: a.ext, callerName: a.name, connectedNum: "<unknown>",
        connectedName: "<unknown>", context: "agents", exten: "s", priority: 1, uniqueid: this.uniqueid(), linkedid: call.linkedid,
      };
      this.channels.set(leg.name, leg);
      call.ringing.set(a.ext, leg);
      a.legs.add(leg.name);
      this.send(onChannel("Newchannel", leg));
      this.send(this.varSet(leg, "DIALEDPEERNUMBER", a.ext));
      const calledView = { ...leg, connectedNum: call.caller.callerNum, connectedName: call.caller.callerName, exten: call.caller.exten };
      this.send(between("AgentCalled", call.caller, calledView, [["Queue", q.name], ["Interface", m.iface], ["MemberName", m.name]]));
      this.send(between("DialBegin", call.caller, leg, [["DialString", m.iface]]));
    }
    for (const m of targets) {
      const a = this.agents.get(extOf(m.iface))!;
      const leg = call.ringing.get(a.ext)!;
      Object.assign(leg, { state: 5, connectedNum: call.caller.callerNum, connectedName: call.caller.callerName, exten: call.caller.exten });
      this.send(onChannel("Newstate", leg));
      this.send(onChannel("NewConnectedLine", leg));
    }
    for (const m of targets) this.send(between("DialState", call.caller, call.ringing.get(extOf(m.iface))!, [["DialStatus", "RINGING"]]));
    for (const m of targets) this.setDevice(extOf(m.iface), "RINGING");
    for (const m of targets) {
      const a = this.agents.get(extOf(m.iface))!;
      if (a.autoAnswer) this.later(call, this.config.ringSeconds, () => this.answer(a.ext));
    }
    const round = new Set(targets.map((m) => extOf(m.iface)));
    this.later(call, q.timeoutSeconds, () => this.ringNoAnswer(call, round));
  }

  private ringNoAnswer(call: Call, round: Set<string>): void {
    if (call.ended || call.agentLeg) return;
    const q = this.config.queues.find((x) => x.name === call.queue)!;
    const legs = [...call.ringing.entries()].filter(([ext]) => round.has(ext));
    for (const [ext, leg] of legs) {
      const m = this.memberOf(q.name, ext)!;
      this.send(between("AgentRingNoAnswer", call.caller, leg, [["Queue", q.name], ["Interface", m.iface], ["MemberName", m.name], ["RingTime", String(q.timeoutSeconds * 1000)]]));
    }
    for (const [, leg] of legs) this.send(between("DialEnd", call.caller, leg, [["DialStatus", "NOANSWER"]]));
    for (const [, leg] of legs) this.send(between("DialEnd", call.caller, leg, [["DialStatus", "CANCEL"]]));
    for (const [ext, leg] of legs) this.dropLeg(call, ext, leg, 0);
    this.later(call, q.retrySeconds, () => this.ringRound(call));
  }

  /** Dial(PJSIP/<ext>,20) from the dialplan: one agent phone rings, no queue. */
  private ringDirect(call: Call, ext: string): void {
    const a = this.agents.get(ext)!;
    const leg: SimChannel = {
      name: this.channelName(ext), state: 0, callerNum: ext, callerName: a.name, connectedNum: "<unknown>", connectedName: "<unknown>",
      context: "agents", exten: "s", priority: 1, uniqueid: this.uniqueid(), linkedid: call.linkedid,
    };
    this.channels.set(leg.name, leg);
    call.ringing.set(ext, leg);
    this.send(onChannel("Newchannel", leg));
    this.send(between("DialBegin", call.caller, leg, [["DialString", ext]]));
    Object.assign(leg, { state: 5, connectedNum: call.caller.callerNum, connectedName: call.caller.callerName });
    this.send(onChannel("Newstate", leg));
    this.send(onChannel("NewConnectedLine", leg));
    this.send(between("DialState", call.caller, leg, [["DialStatus", "RINGING"]]));
    this.setDevice(ext, "RINGING");
    if (a.autoAnswer) this.later(call, this.config.ringSeconds, () => this.answer(ext));
    // Dial(...,20): unanswered, the dialplan hangs up on the caller.
    this.later(call, 20, () => {
      if (call.agentLeg || call.ended) return;
      this.send(between("DialEnd", call.caller, leg, [["DialStatus", "NOANSWER"]]));
      this.dropLeg(call, ext, leg, 0);
      this.endCall(call, "caller", 16);
    });
  }

  /** A direct call (no queue) answered: bridged at once, no queue events. */
  private answerDirect(call: Call, ext: string, leg: SimChannel): void {
    leg.state = 6;
    this.send(onChannel("Newstate", leg));
    this.send(between("DialEnd", call.caller, leg, [["DialStatus", "ANSWER"]]));
    Object.assign(call.caller, { connectedNum: ext, connectedName: leg.callerName });
    this.send(onChannel("NewConnectedLine", call.caller));
    call.ringing.delete(ext);
    Object.assign(call, { agentLeg: leg, agentExt: ext, answeredAt: Date.now(), bridge: { id: crypto.randomUUID(), members: 0 } });
    this.send(event("BridgeCreate", bridgeBlock(call.bridge!)));
    this.setDevice(ext, "INUSE");
    call.bridge!.members = 1;
    this.send(onChannel("BridgeEnter", leg, bridgeBlock(call.bridge!)));
    call.bridge!.members = 2;
    this.send(onChannel("BridgeEnter", call.caller, bridgeBlock(call.bridge!)));
    this.later(call, this.config.talkSeconds, () => this.endCall(call, "caller", 16));
  }

  /** The agent's phone answers whatever rings on it. Returns false when nothing rings there. */
  answer(ext: string): boolean {
    const call = [...this.calls.values()].find((c) => c.ringing.has(ext) && !c.agentLeg && !c.ended);
    if (!call) return false;
    const leg = call.ringing.get(ext)!;
    if (!call.queue) {
      this.answerDirect(call, ext, leg);
      return true;
    }
    const q = call.queue!;
    const m = this.memberOf(q, ext)!;
    leg.state = 6;
    this.send(onChannel("Newstate", leg));
    this.send(between("DialEnd", call.caller, leg, [["DialStatus", "ANSWER"]]));
    const others = [...call.ringing.entries()].filter(([e]) => e !== ext);
    for (const [, o] of others) this.send(between("DialEnd", call.caller, o, [["DialStatus", "CANCEL"]]));
    call.caller.connectedNum = ext;
    call.caller.connectedName = m.name;
    this.send(onChannel("NewConnectedLine", call.caller));
    for (const [, o] of others) this.send(between("DialEnd", call.caller, o, [["DialStatus", "CANCEL"]]));
    this.send(onChannel("MusicOnHoldStop", call.caller));
    this.send(onChannel("QueueCallerLeave", call.caller, [["Queue", q], ["Position", "1"], ["Count", String(Math.max(0, this.waiting(q).length - 1))]]));
    const hold = Math.round((Date.now() - call.joinedAt) / 1000);
    this.send(between("AgentConnect", call.caller, leg, [["Queue", q], ["Interface", m.iface], ["MemberName", m.name], ["HoldTime", String(hold)], ["RingTime", String(Math.max(1, Math.round(this.config.ringSeconds)))]]));
    call.ringing.delete(ext);
    call.agentLeg = leg;
    call.agentExt = ext;
    call.answeredAt = Date.now();
    call.bridge = { id: crypto.randomUUID(), members: 0 };
    this.send(event("BridgeCreate", bridgeBlock(call.bridge)));
    this.setDevice(ext, "INUSE", call.queue);
    call.bridge.members = 1;
    this.send(onChannel("BridgeEnter", leg, bridgeBlock(call.bridge)));
    for (const [oe, o] of others) this.dropLeg(call, oe, o, 26);
    call.bridge.members = 2;
    this.send(onChannel("BridgeEnter", call.caller, bridgeBlock(call.bridge)));
    const talk = (call as Call & { talkSeconds?: number }).talkSeconds ?? this.config.talkSeconds;
    this.later(call, talk, () => this.endCall(call, "caller", 16));
    return true;
  }

  /** Hangs up the call an agent is on (their phone sends BYE), or rejects a ringing call. */
  agentHangup(ext: string): boolean {
    const call = [...this.calls.values()].find((c) => c.agentExt === ext && !c.ended);
    if (call) {
      this.endCall(call, "agent", 16);
      return true;
    }
    return false;
  }

  /** The agent's phone puts the customer on hold (re-INVITE sendonly) or resumes. */
  hold(ext: string, on: boolean): boolean {
    const call = [...this.calls.values()].find((c) => c.agentExt === ext && !c.ended);
    if (!call?.agentLeg || !call.bridge) return false;
    if (on) {
      this.send(onChannel("Hold", call.agentLeg, [["MusicClass", "default"]]));
      this.send(onChannel("MusicOnHoldStart", call.caller, [["Class", "default"]]));
      this.deviceState("PJSIP/trunk", "ONHOLD");
    } else {
      this.send(onChannel("Unhold", call.agentLeg));
      this.send(onChannel("MusicOnHoldStop", call.caller));
      this.deviceState("PJSIP/trunk", "INUSE");
    }
    return true;
  }

  /** Ends a call as the real PBX does for a hang-up on either side, or by the AMI Hangup action. */
  endCall(call: Call, by: "caller" | "agent" | "ami", cause: number): void {
    if (call.ended) return;
    call.ended = true;
    for (const t of call.timers) clearTimeout(t);
    const end = new Date();
    const q = call.queue;
    if (call.agentLeg && call.bridge) {
      const leg = call.agentLeg;
      const m = q ? this.memberOf(q, call.agentExt!) : undefined;
      const first = by === "agent" ? leg : call.caller;
      this.send(onChannel("HangupRequest", first, [["Cause", String(cause)]]));
      if (q && m) {
        const hold = Math.round(((call.answeredAt ?? end.getTime()) - call.joinedAt) / 1000);
        const talk = Math.round((end.getTime() - (call.answeredAt ?? end.getTime())) / 1000);
        this.send(between("AgentComplete", call.caller, leg, [["Queue", q], ["Interface", m.iface], ["MemberName", m.name], ["HoldTime", String(hold)], ["TalkTime", String(talk)], ["Reason", by === "agent" ? "agent" : "caller"]]));
      }
      call.bridge.members = 1;
      this.send(onChannel("BridgeLeave", call.caller, bridgeBlock(call.bridge)));
      call.bridge.members = 0;
      this.send(onChannel("BridgeLeave", leg, bridgeBlock(call.bridge)));
      // Queue calls: the caller's channel gets the soft hangup (Queue() ends); bridged originates: the peer of who hung up.
      const soft = call.kind === "queue" || by === "agent" ? call.caller : leg;
      this.send(onChannel("SoftHangupRequest", soft, [["Cause", String(cause)]]));
      const record = cdr(call.caller, leg, { start: call.startedAt, answer: call.startedAt, end, disposition: "ANSWERED", lastApp: q ? "Queue" : "Dial", lastData: q ? `${q},,,,60` : leg.name });
      if (call.kind === "originate") {
        // Originated calls (callback-originate transcript): the customer's Hangup comes before BridgeDestroy.
        this.hangupChannel(call.caller, cause);
        this.send(event("BridgeDestroy", bridgeBlock(call.bridge)));
        this.send(record);
      } else {
        this.send(event("BridgeDestroy", bridgeBlock(call.bridge)));
        this.send(record);
        this.hangupChannel(call.caller, cause);
      }
      this.hangupChannel(leg, cause);
      this.setDevice(call.agentExt!, "NOT_INUSE", q, true);
    } else {
      // The caller left while members rang: the cancels come twice per member, then the abandon.
      this.send(onChannel("HangupRequest", call.caller, [["Cause", String(cause)]]));
      if (call.dialing) {
        // Click-to-call: the agent hung up while the customer's phone rang; Dial cancels it.
        this.send(between("DialEnd", call.caller, call.dialing, [["DialStatus", "CANCEL"]]));
        this.hangupChannel(call.dialing, 0);
        call.dialing = undefined;
      }
      if (q) this.send(onChannel("MusicOnHoldStop", call.caller));
      const legs = [...call.ringing.entries()];
      for (const [, leg] of legs) this.send(between("DialEnd", call.caller, leg, [["DialStatus", "CANCEL"]]));
      for (const [ext, leg] of legs) {
        this.send(between("DialEnd", call.caller, leg, [["DialStatus", "CANCEL"]]));
        this.dropLeg(call, ext, leg, 0);
      }
      if (q) {
        const hold = Math.round((end.getTime() - call.joinedAt) / 1000);
        this.send(onChannel("QueueCallerAbandon", call.caller, [["Queue", q], ["Position", "1"], ["OriginalPosition", "1"], ["HoldTime", String(hold)]]));
        this.send(onChannel("QueueCallerLeave", call.caller, [["Queue", q], ["Position", "1"], ["Count", String(Math.max(0, this.waiting(q).length))]]));
      }
      this.send(onChannel("SoftHangupRequest", call.caller, [["Cause", String(cause)]]));
      this.send(cdr(call.caller, null, { start: call.startedAt, answer: call.startedAt, end, disposition: "NO ANSWER", lastApp: q ? "Queue" : "Hangup", lastData: q ? `${q},,,,60` : "" }));
      this.hangupChannel(call.caller, cause);
    }
    this.deviceState("PJSIP/trunk", "NOT_INUSE");
    this.calls.delete(call.linkedid);
  }

  /**
   * A caller waiting in a queue presses 1 for a callback (dialplan/queues.conf `context =
   * queue-callback`, one-digit exit): the DTMF (SIP INFO: DTMFEnd only), the ringing members
   * cancelled, QueueCallerLeave (no abandon: Asterisk logs EXITWITHKEY), the `queue-callback`
   * dialplan with `CRM_CALLBACK_REQUESTED=1` and `UserEvent(CallbackRequest)` exactly as the
   * ivr-callback-request capture shows (`JoinedAt` = when the digit was pressed), a thank-you,
   * hang-up. False when the call is not waiting in a queue.
   */
  pressForCallback(linkedid: string): boolean {
    const call = this.calls.get(linkedid);
    if (!call || call.ended || call.kind !== "queue" || !call.queue || call.agentLeg) return false;
    const q = call.queue;
    const c = call.caller;
    call.ended = true;
    for (const t of call.timers) clearTimeout(t);
    this.send(onChannel("DTMFEnd", c, [["Digit", "1"], ["DurationMs", "160"], ["Direction", "Received"]]));
    const legs = [...call.ringing.entries()];
    for (const [ext, leg] of legs) {
      this.send(between("DialEnd", c, leg, [["DialStatus", "CANCEL"]]));
      this.dropLeg(call, ext, leg, 0);
    }
    this.send(onChannel("MusicOnHoldStop", c));
    call.queue = null;
    this.send(onChannel("QueueCallerLeave", c, [["Queue", q], ["Position", "1"], ["Count", String(this.waiting(q).length)]]));
    Object.assign(c, { context: "queue-callback", exten: "1", priority: 1 });
    this.send(this.newexten(c, "NoOp", `Callback requested in ${q}`));
    c.priority = 2;
    this.send(this.newexten(c, "Set", "CRM_CALLBACK_REQUESTED=1"));
    this.send(this.varSet(c, "CRM_CALLBACK_REQUESTED", "1"));
    c.priority = 3;
    const pressed = String(Math.floor(Date.now() / 1000));
    this.send(this.newexten(c, "UserEvent", `CallbackRequest,Number: ${c.callerNum},Queue: ${q},JoinedAt: ${pressed}`));
    this.send(onChannel("UserEvent", c, [["UserEvent", "CallbackRequest"], ["Number", c.callerNum], ["Queue", q], ["JoinedAt", pressed]]));
    c.priority = 4;
    this.send(this.newexten(c, "Playback", "custom/callback-thankyou"));
    const done = setTimeout(() => {
      c.priority = 5;
      this.send(this.varSet(c, "PLAYBACKSTATUS", "SUCCESS"));
      this.send(this.newexten(c, "Hangup", ""));
      this.send(onChannel("SoftHangupRequest", c, [["Cause", "16"]]));
      this.send(cdr(c, null, { start: call.startedAt, answer: call.startedAt, end: new Date(), disposition: "ANSWERED", lastApp: "Hangup", lastData: "" }));
      this.hangupChannel(c, 16);
      this.deviceState("PJSIP/trunk", "NOT_INUSE");
      this.calls.delete(call.linkedid);
    }, 1000 * this.config.speed);
    done.unref?.();
    return true;
  }

  /** The AMI Hangup action on a channel name; false when no such channel. */
  hangupByChannel(name: string): boolean {
    const ch = this.channels.get(name);
    if (!ch) return false;
    const call = this.calls.get(ch.linkedid);
    if (call?.kind === "spy" || !call) {
      // A spy channel hung up by AMI: ChanSpyStop, then Hangup with cause 0 and its Cdr.
      this.emit("spy-ended", ch);
      this.hangupChannel(ch, 0);
      if (call) {
        this.send(cdr(ch, null, { start: call.startedAt, answer: call.startedAt, end: new Date(), disposition: "ANSWERED", lastApp: "ChanSpy", lastData: "" }));
        for (const t of call.timers) clearTimeout(t);
        this.calls.delete(call.linkedid);
        this.pendingOriginates.delete(call.caller.callerNum);
        if (this.agents.has(extOf(ch.name.replace(/-[0-9a-f]+$/, "")))) this.setDevice(extOf(ch.name.replace(/-[0-9a-f]+$/, "")), "NOT_INUSE");
      }
      return true;
    }
    if (!call.agentLeg && call.kind === "originate") {
      // An originate hung up before it was answered.
      for (const t of call.timers) clearTimeout(t);
      this.pendingOriginates.forEach((p, ext) => p.call === call && this.pendingOriginates.delete(ext));
      this.hangupChannel(ch, 16);
      this.calls.delete(call.linkedid);
      return true;
    }
    this.endCall(call, call.agentLeg?.name === name ? "agent" : "caller", 16);
    return true;
  }

  /**
   * Blind transfer of the customer talking to `channel`'s agent to another queue or straight to a
   * colleague's extension: the agent's leg leaves the bridge and hangs up, the customer runs the
   * dialplan again (context `transfer`: Queue() or Dial(PJSIP/<ext>)), and the call keeps its Linkedid.
   */
  blindTransfer(channel: string, exten: string, context: string): boolean {
    const call = [...this.calls.values()].find((c) => c.agentLeg?.name === channel && !c.ended);
    if (!call?.agentLeg || !call.bridge) return false;
    const leg = call.agentLeg;
    const target = this.config.dids[exten] ?? (this.config.queues.some((q) => q.name === exten) ? exten : null);
    const colleague = !target && this.agents.has(exten) && exten !== call.agentExt ? exten : null;
    this.send(event("BlindTransfer", [["Result", "Success"]], channelBlock(leg, "Transferer"), channelBlock(call.caller, "Transferee"), bridgeBlock(call.bridge), [["IsExternal", "No"], ["Context", context], ["Extension", exten]]));
    const oldQueue = call.queue;
    const m = oldQueue ? this.memberOf(oldQueue, call.agentExt!) : undefined;
    if (oldQueue && m) {
      const talk = Math.round((Date.now() - (call.answeredAt ?? Date.now())) / 1000);
      this.send(between("AgentComplete", call.caller, leg, [["Queue", oldQueue], ["Interface", m.iface], ["MemberName", m.name], ["HoldTime", "0"], ["TalkTime", String(talk)], ["Reason", "transfer"]]));
    }
    call.bridge.members = 1;
    this.send(onChannel("BridgeLeave", call.caller, bridgeBlock(call.bridge)));
    call.bridge.members = 0;
    this.send(onChannel("BridgeLeave", leg, bridgeBlock(call.bridge)));
    this.send(event("BridgeDestroy", bridgeBlock(call.bridge)));
    this.hangupChannel(leg, 16);
    this.setDevice(call.agentExt!, "NOT_INUSE", oldQueue, true);
    for (const t of call.timers) clearTimeout(t);
    call.timers = [];
    Object.assign(call, { agentLeg: null, agentExt: null, bridge: null, answeredAt: null, queue: target, joinedAt: Date.now() });
    Object.assign(call.caller, { context, exten, priority: 1, connectedNum: "<unknown>", connectedName: "<unknown>" });
    if (colleague) {
      this.ringDirect(call, colleague);
      return true;
    }
    if (!target) {
      this.endCall(call, "caller", 1);
      return true;
    }
    this.send(onChannel("QueueCallerJoin", call.caller, [["Queue", target], ["Position", "1"], ["Count", String(this.waiting(target).length)]]));
    this.send(onChannel("MusicOnHoldStart", call.caller, [["Class", "default"]]));
    this.ringRound(call);
    return true;
  }

  // ---- originate -----------------------------------------------------------------------------

  /**
   * Originate to an agent phone first (PJSIP/<ext>), then, once it answers, either the dialplan
   * (click-to-call / callback: dial the customer through the trunk) or an application (ChanSpy).
   * Resolves the OriginateResponse fields; `report` sends it with the caller's ActionID.
   */
  originate(o: { ext: string; context?: string; exten?: string; application?: string; data?: string; callerIdName: string; callerIdNum: string; variables: Record<string, string>; report: (pairs: Pairs) => void; customerAnswers?: boolean; timeoutMs?: number }): string {
    const a = this.agents.get(o.ext);
    const uid = this.uniqueid();
    const leg: SimChannel = {
      name: this.channelName(o.ext), state: 0, callerNum: o.ext, callerName: a?.name ?? o.ext, connectedNum: "<unknown>", connectedName: "<unknown>",
      context: "agents", exten: "s", priority: 1, uniqueid: uid, linkedid: uid,
    };
    const call: Call = { linkedid: uid, caller: leg, queue: null, joinedAt: Date.now(), ringing: new Map(), agentLeg: null, agentExt: null, bridge: null, answeredAt: null, startedAt: new Date(), timers: [], ended: false, kind: o.application ? "spy" : "originate" };
    this.calls.set(uid, call);
    this.channels.set(leg.name, leg);
    this.send(onChannel("Newchannel", leg));
    for (const [k, v] of Object.entries(o.variables)) this.send(this.varSet(leg, k, v));
    Object.assign(leg, { callerNum: o.callerIdNum, callerName: o.callerIdName });
    this.send(onChannel("NewCallerid", leg, [["CID-CallingPres", "0 (Presentation Allowed, Not Screened)"]]));
    Object.assign(leg, { connectedNum: o.callerIdNum, connectedName: o.callerIdName });
    this.send(onChannel("NewConnectedLine", leg));
    this.send(destOnly("DialBegin", leg, [["DialString", o.ext]]));
    leg.state = 5;
    this.send(onChannel("Newstate", leg));
    this.send(destOnly("DialState", leg, [["DialStatus", "RINGING"]]));
    if (a) this.setDevice(o.ext, "RINGING");
    const answerAfter = a?.autoAnswer === false ? null : this.config.ringSeconds;
    const pending = { call, o };
    this.pendingOriginates.set(o.ext, pending);
    if (answerAfter !== null) this.later(call, answerAfter, () => this.originateAnswered(o.ext));
    // The Originate's Timeout (ms): still ringing then, Asterisk gives up on the agent's phone.
    this.later(call, (o.timeoutMs ?? 30_000) / 1000, () => this.originateTimedOut(o.ext, pending));
    return uid;
  }

  private readonly pendingOriginates = new Map<string, { call: Call; o: Parameters<SimPbx["originate"]>[0] }>();

  /**
   * How a dialled customer's phone behaves (click-to-call, callbacks): answers after a second
   * (unlisted numbers), never answers (the `callback` context's Dial(...,30) gives up after 30 s), or busy.
   */
  readonly customers = new Map<string, "no-answer" | "busy">();

  /**
   * The agent's phone rang through the Originate's whole Timeout: Asterisk hangs the channel up
   * (Cause 0, as a queue's unanswered member legs), writes its Cdr, and only then reports
   * OriginateResponse with Response: Failure and Reason 3 (the phone was still ringing).
   */
  private originateTimedOut(ext: string, p: { call: Call; o: Parameters<SimPbx["originate"]>[0] }): void {
    if (this.pendingOriginates.get(ext) !== p) return;
    this.pendingOriginates.delete(ext);
    const { call, o } = p;
    const leg = call.caller;
    for (const t of call.timers) clearTimeout(t);
    call.ended = true;
    this.calls.delete(call.linkedid);
    this.hangupChannel(leg, 0);
    this.send(cdr(leg, null, { start: call.startedAt, answer: null, end: new Date(), disposition: "NO ANSWER", lastApp: "AppDial2", lastData: "(Outgoing Line)" }));
    if (this.agents.has(ext)) this.setDevice(ext, "NOT_INUSE");
    const target = o.application ? [["Application", o.application], ["Data", o.data ?? ""]] : [["Context", o.context ?? "callback"], ["Exten", o.exten ?? ""]];
    o.report([["Response", "Failure"], ["Channel", leg.name], ...(target as Pairs), ["Reason", "3"], ["Uniqueid", leg.uniqueid], ["CallerIDNum", o.callerIdNum || "<unknown>"], ["CallerIDName", o.callerIdName || "<unknown>"]]);
  }

  /** An agent picks up an originate ringing on their phone. */
  originateAnswered(ext: string): boolean {
    const p = this.pendingOriginates.get(ext);
    if (!p) return false;
    this.pendingOriginates.delete(ext);
    const { call, o } = p;
    const leg = call.caller;
    leg.state = 6;
    this.send(onChannel("Newstate", leg));
    this.send(destOnly("DialEnd", leg, [["DialStatus", "ANSWER"]]));
    if (this.agents.has(ext)) this.setDevice(ext, "INUSE");
    const responseCommon: Pairs = [["Response", "Success"], ["Channel", leg.name]];
    if (o.application) {
      o.report([...responseCommon, ["Application", o.application], ["Data", o.data ?? ""], ["Reason", "4"], ["Uniqueid", leg.uniqueid], ["CallerIDNum", o.callerIdNum], ["CallerIDName", o.callerIdName]]);
      this.startSpy(call, o.data ?? "");
      return true;
    }
    Object.assign(leg, { callerNum: this.config.companyNumber, callerName: this.config.companyName, context: o.context ?? "callback", exten: o.exten ?? "", priority: 2 });
    this.send(onChannel("NewCallerid", leg, [["CID-CallingPres", "0 (Presentation Allowed, Not Screened)"]]));
    leg.priority = 3;
    if (this.config.mixMonitor !== false) {
      this.send(this.varSet(leg, "MIXMONITOR_FILENAME", path.posix.join(this.config.monitorDir, `${leg.uniqueid}.wav`)));
      this.send(onChannel("MixMonitorStart", leg));
    }
    o.report([...responseCommon, ["Context", leg.context], ["Exten", leg.exten], ["Reason", "4"], ["Uniqueid", leg.uniqueid], ["CallerIDNum", o.callerIdNum], ["CallerIDName", o.callerIdName]]);
    const trunk: SimChannel = {
      name: this.channelName("trunk"), state: 0, callerNum: "<unknown>", callerName: "<unknown>", connectedNum: "<unknown>", connectedName: "<unknown>",
      context: "from-trunk", exten: "s", priority: 1, uniqueid: this.uniqueid(), linkedid: call.linkedid,
    };
    this.channels.set(trunk.name, trunk);
    this.send(onChannel("Newchannel", trunk));
    Object.assign(trunk, { callerNum: o.exten ?? "", callerName: o.callerIdName, connectedNum: this.config.companyNumber, connectedName: this.config.companyName, exten: o.exten ?? "" });
    this.send(onChannel("NewCallerid", trunk, [["CID-CallingPres", "0 (Presentation Allowed, Not Screened)"]]));
    this.send(onChannel("NewConnectedLine", trunk));
    leg.priority = 4;
    this.send(between("DialBegin", leg, trunk, [["DialString", `${o.exten}@trunk`]]));
    this.send(between("DialState", leg, trunk, [["DialStatus", "RINGING"]]));
    trunk.state = 5;
    this.send(onChannel("Newstate", trunk));
    // The customer leg: the trunk "answers" after a second unless told not to.
    call.agentExt = ext;
    call.dialing = trunk;
    const customer = o.customerAnswers === false ? "no-answer" : this.customers.get(o.exten ?? "");
    this.later(call, customer === "no-answer" ? 30 : 1, () => {
      if (customer === "busy") {
        // 486 Busy Here from the far end: Dial returns BUSY, the dialplan hangs up the agent.
        this.send(between("DialEnd", leg, trunk, [["DialStatus", "BUSY"]]));
        this.hangupChannel(trunk, 17);
        this.send(onChannel("HangupRequest", leg, [["Cause", "16"]]));
        this.send(cdr(leg, trunk, { start: call.startedAt, answer: null, end: new Date(), disposition: "BUSY", lastApp: "Dial", lastData: `PJSIP/${o.exten}@trunk,30` }));
        this.hangupChannel(leg, 16);
        if (this.agents.has(ext)) this.setDevice(ext, "NOT_INUSE");
        this.calls.delete(call.linkedid);
        return;
      }
      if (customer === "no-answer") {
        this.send(between("DialEnd", leg, trunk, [["DialStatus", "NOANSWER"]]));
        this.hangupChannel(trunk, 19);
        this.send(onChannel("HangupRequest", leg, [["Cause", "16"]]));
        this.send(cdr(leg, trunk, { start: call.startedAt, answer: null, end: new Date(), disposition: "NO ANSWER", lastApp: "Dial", lastData: `PJSIP/${o.exten}@trunk,30` }));
        this.hangupChannel(leg, 16);
        if (this.agents.has(ext)) this.setDevice(ext, "NOT_INUSE");
        this.calls.delete(call.linkedid);
        return;
      }
      trunk.state = 6;
      call.dialing = undefined;
      this.send(onChannel("Newstate", trunk));
      this.send(between("DialEnd", leg, trunk, [["DialStatus", "ANSWER"]]));
      call.bridge = { id: crypto.randomUUID(), members: 1 };
      this.send(event("BridgeCreate", bridgeBlock({ ...call.bridge, members: 0 })));
      this.send(onChannel("BridgeEnter", trunk, bridgeBlock(call.bridge)));
      call.bridge.members = 2;
      this.send(onChannel("BridgeEnter", leg, bridgeBlock(call.bridge)));
      // From here the call ends like any bridged call: the customer is `caller`, the agent leg `agentLeg`.
      Object.assign(call, { caller: trunk, agentLeg: leg, answeredAt: Date.now() });
      this.later(call, this.config.talkSeconds, () => this.endCall(call, "caller", 16));
    });
    return true;
  }

  private startSpy(spy: Call, data: string): void {
    const target = data.split(",")[0] ?? "";
    const spied = [...this.calls.values()].find((c) => c.agentLeg && `PJSIP/${c.agentExt}` === target);
    if (!spied?.agentLeg) return;
    const block = (prefix: string, c: SimChannel): Pairs => channelBlock(c, prefix);
    this.send(event("ChanSpyStart", block("Spyer", spy.caller), block("Spyee", spied.agentLeg)));
    const stop = (ch: SimChannel) => {
      if (ch.name !== spy.caller.name) return;
      this.off("spy-ended", stop);
      this.send(event("ChanSpyStop", block("Spyer", spy.caller), block("Spyee", spied.agentLeg!)));
    };
    this.on("spy-ended", stop);
  }

  // ---- queue members -------------------------------------------------------------------------

  pauseMember(iface: string, queue: string | undefined, paused: boolean, reason: string): boolean {
    const queues = queue ? [queue] : [...this.members.keys()];
    const hits = queues.flatMap((q) => (this.members.get(q) ?? []).filter((m) => m.iface === iface));
    if (!hits.length) return false;
    for (const m of hits) {
      Object.assign(m, { paused, pausedReason: reason, lastPause: paused ? Math.floor(Date.now() / 1000) : m.lastPause });
      this.deviceState(`Queue:${m.queue}_pause_${iface}`, paused ? "INUSE" : "NOT_INUSE");
      this.send(event("QueueMemberPause", memberBlock(m)));
      if (!paused) m.pausedReason = "";
    }
    return true;
  }

  addMember(queue: string, iface: string, name: string, penalty: number): "ok" | "exists" | "no-queue" {
    const list = this.members.get(queue);
    if (!list) return "no-queue";
    if (list.some((m) => m.iface === iface)) return "exists";
    const m = this.newMember(queue, extOf(iface), "dynamic", name, penalty);
    list.push(m);
    this.send(event("QueueMemberAdded", memberBlock(m)));
    return "ok";
  }

  removeMember(queue: string, iface: string): boolean {
    const list = this.members.get(queue);
    const i = list?.findIndex((m) => m.iface === iface) ?? -1;
    if (!list || i < 0) return false;
    const [m] = list.splice(i, 1);
    this.send(event("QueueMemberRemoved", memberBlock(m!)));
    return true;
  }

  // ---- helpers -------------------------------------------------------------------------------

  private newMember(queue: string, ext: string, membership: "static" | "dynamic", name?: string, penalty = 0): SimMember {
    return {
      queue, name: name ?? this.agents.get(ext)?.name ?? ext, iface: `PJSIP/${ext}`, membership, penalty, callsTaken: 0, lastCall: 0,
      lastPause: 0, loginTime: this.bootTime, inCall: false, status: this.agents.has(ext) ? 1 : 5, paused: false, pausedReason: "",
      lastCallMs: 0, wrapuptime: this.config.queues.find((q) => q.name === queue)?.wrapupSeconds ?? 0,
    };
  }

  private memberOf(queue: string, ext: string): SimMember | undefined {
    return this.members.get(queue)?.find((m) => m.iface === `PJSIP/${ext}`);
  }

  /** Device and queue member state follow the phone: one QueueMemberStatus per queue it is in. */
  private setDevice(ext: string, state: DeviceState, connectedQueue?: string | null, callDone = false): void {
    const a = this.agents.get(ext);
    if (!a) return;
    a.device = state;
    // device_state_busy_at = 1: one call, ringing or up, already counts as BUSY.
    const busy = (this.config.deviceStateBusyAt ?? 0) > 0 && (state === "RINGING" || state === "INUSE");
    this.deviceState(`PJSIP/${ext}`, busy ? "BUSY" : state);
    const status = busy ? 3 : state === "RINGING" ? 6 : state === "INUSE" || state === "ONHOLD" ? 2 : state === "UNAVAILABLE" ? 5 : 1;
    const mine = [...this.members.values()].flatMap((list) => list.filter((m) => m.iface === `PJSIP/${ext}`));
    // Every member is updated before any event goes out: a listener that places a call on the
    // first event finds app_queue's view (last call, wrapuptime) already complete.
    for (const m of mine) {
      m.status = status;
      m.inCall = status === 2 && m.queue === connectedQueue;
      if (callDone && m.queue === connectedQueue) {
        m.callsTaken++;
        m.lastCallMs = Date.now();
        m.lastCall = Math.floor(m.lastCallMs / 1000);
      }
    }
    for (const m of mine) this.send(event("QueueMemberStatus", memberBlock(m)));
  }

  private dropLeg(call: Call, ext: string, leg: SimChannel, cause: number): void {
    call.ringing.delete(ext);
    this.hangupChannel(leg, cause);
    this.agents.get(ext)?.legs.delete(leg.name);
    this.setDevice(ext, "NOT_INUSE");
  }

  private hangupChannel(ch: SimChannel, cause: number): void {
    this.channels.delete(ch.name);
    this.send(onChannel("Hangup", ch, [["Cause", String(cause)], ["Cause-txt", hangupCauses[cause] ?? "Unknown"]]));
  }

  private deviceState(device: string, state: string): void {
    this.send(event("DeviceStateChange", [["Device", device], ["State", state]]));
  }

  private varSet(c: SimChannel, name: string, value: string): Pairs {
    return onChannel("VarSet", c, [["Variable", name], ["Value", value]]);
  }

  private newexten(c: SimChannel, app: string, data: string): Pairs {
    return onChannel("Newexten", c, [["Extension", c.exten], ["Application", app], ["AppData", data]]);
  }

  private uniqueid(): string {
    const id = `${Math.floor(Date.now() / 1000)}.${this.seq++}`;
    return this.config.systemName ? `${this.config.systemName}-${id}` : id;
  }

  private channelName(endpoint: string): string {
    return `PJSIP/${endpoint}-${(this.chanSeq++).toString(16).padStart(8, "0")}`;
  }

  private later(call: Call, seconds: number, fn: () => void): void {
    call.timers.push(setTimeout(fn, seconds * 1000 * this.config.speed));
  }

  /** An event caused by an action (sim-actions.ts), sent on like the PBX's own. */
  publish(pairs: Pairs): void {
    this.send(pairs);
  }

  private send(pairs: Pairs): void {
    // The recorder first: a recording's files are complete before its channel's Hangup goes out.
    this.recorder?.handle(pairs);
    this.emit("event", pairs);
  }
}

const extOf = (iface: string) => iface.replace(/^PJSIP\//, "");
