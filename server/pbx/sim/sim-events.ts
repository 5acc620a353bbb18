/**
 * Event builders for the AMI simulator, with the header names and order of a real Asterisk 22
 * (../shared/ami-traces). Every channel event carries the standard channel block; two-channel
 * events add the same block with the "Dest" prefix.
 */
export type Pairs = [string, string][];

export interface SimChannel {
  name: string;
  /** 0 Down, 4 Ring, 5 Ringing, 6 Up. */
  state: number;
  callerNum: string;
  callerName: string;
  connectedNum: string;
  connectedName: string;
  context: string;
  exten: string;
  priority: number;
  uniqueid: string;
  linkedid: string;
}

const stateDesc: Record<number, string> = { 0: "Down", 4: "Ring", 5: "Ringing", 6: "Up" };

export function channelBlock(c: SimChannel, prefix = ""): Pairs {
  return [
    [`${prefix}Channel`, c.name],
    [`${prefix}ChannelState`, String(c.state)],
    [`${prefix}ChannelStateDesc`, stateDesc[c.state] ?? "Unknown"],
    [`${prefix}CallerIDNum`, c.callerNum],
    [`${prefix}CallerIDName`, c.callerName],
    [`${prefix}ConnectedLineNum`, c.connectedNum],
    [`${prefix}ConnectedLineName`, c.connectedName],
    [`${prefix}Language`, "en"],
    [`${prefix}AccountCode`, ""],
    [`${prefix}Context`, c.context],
    [`${prefix}Exten`, c.exten],
    [`${prefix}Priority`, String(c.priority)],
    [`${prefix}Uniqueid`, c.uniqueid],
    [`${prefix}Linkedid`, c.linkedid],
  ];
}

const privilege: Record<string, string> = {
  AgentCalled: "agent,all",
  AgentConnect: "agent,all",
  AgentComplete: "agent,all",
  AgentRingNoAnswer: "agent,all",
  QueueCallerJoin: "agent,all",
  QueueCallerLeave: "agent,all",
  QueueCallerAbandon: "agent,all",
  QueueMemberStatus: "agent,all",
  QueueMemberPause: "agent,all",
  QueueMemberAdded: "agent,all",
  QueueMemberRemoved: "agent,all",
  DeviceStateChange: "call,all",
  Cdr: "cdr,all",
  UserEvent: "user,all",
  VarSet: "dialplan,all",
  Newexten: "dialplan,all",
  FullyBooted: "system,all",
  DTMFEnd: "dtmf,all",
};

/** An unsolicited event: Event, Privilege, then the given headers in order. */
export function event(name: string, ...parts: Pairs[]): Pairs {
  return [["Event", name], ["Privilege", privilege[name] ?? "call,all"], ...parts.flat()];
}

/** An event on one channel. */
export const onChannel = (name: string, c: SimChannel, extra: Pairs = []): Pairs => event(name, channelBlock(c), extra);

/** An event between a channel and its dialled peer (AgentCalled, DialBegin, DialEnd ...). */
export const between = (name: string, c: SimChannel, dest: SimChannel, extra: Pairs = []): Pairs =>
  event(name, channelBlock(c), channelBlock(dest, "Dest"), extra);

/** DialBegin/DialEnd of an Originate's first leg: no calling channel, only the Dest* block. */
export const destOnly = (name: string, dest: SimChannel, extra: Pairs = []): Pairs => event(name, channelBlock(dest, "Dest"), extra);

export interface SimBridge {
  id: string;
  members: number;
}

export const bridgeBlock = (b: SimBridge): Pairs => [
  ["BridgeUniqueid", b.id],
  ["BridgeType", "basic"],
  ["BridgeTechnology", "simple_bridge"],
  ["BridgeCreator", "<unknown>"],
  ["BridgeName", "<unknown>"],
  ["BridgeNumChannels", String(b.members)],
  ["BridgeVideoSourceMode", "none"],
];

export interface SimMember {
  queue: string;
  name: string;
  iface: string;
  membership: "static" | "dynamic";
  penalty: number;
  callsTaken: number;
  lastCall: number;
  lastPause: number;
  loginTime: number;
  inCall: boolean;
  /** 1 not in use, 2 in use, 5 unavailable, 6 ringing. */
  status: number;
  paused: boolean;
  pausedReason: string;
  /** When the member's last call ended, ms (LastCall says seconds); for wrapuptime. */
  lastCallMs: number;
  /** queues.conf `wrapuptime`, seconds. */
  wrapuptime: number;
}

/**
 * A queue member's headers. The unsolicited events (QueueMemberStatus/Pause/Added/Removed) say
 * Interface and MemberName and end with Ringinuse; QueueStatus's list entries say Location and Name.
 */
export function memberBlock(m: SimMember, style: "event" | "list" = "event"): Pairs {
  const event = style === "event";
  return [
    ["Queue", m.queue],
    [event ? "MemberName" : "Name", m.name],
    [event ? "Interface" : "Location", m.iface],
    ["StateInterface", m.iface],
    ["Membership", m.membership],
    ["Penalty", String(m.penalty)],
    ["CallsTaken", String(m.callsTaken)],
    ["LastCall", String(m.lastCall)],
    ["LastPause", String(m.lastPause)],
    ["LoginTime", String(m.loginTime)],
    ["InCall", m.inCall ? "1" : "0"],
    ["Status", String(m.status)],
    ["Paused", m.paused ? "1" : "0"],
    ["PausedReason", m.pausedReason],
    ...(event ? ([["Ringinuse", "0"]] as Pairs) : []),
    ["Wrapuptime", String(m.wrapuptime)],
  ];
}

export const hangupCauses: Record<number, string> = {
  0: "Unknown",
  16: "Normal Clearing",
  17: "User busy",
  19: "No user responding",
  21: "Call Rejected",
  26: "Answered elsewhere",
};

export function cdr(src: SimChannel, dest: SimChannel | null, o: { start: Date; answer: Date | null; end: Date; disposition: string; lastApp: string; lastData: string }): Pairs {
  const fmt = (d: Date | null) => (d ? d.toISOString().replace("T", " ").slice(0, 19) : "");
  const duration = Math.round((o.end.getTime() - o.start.getTime()) / 1000);
  const billable = o.answer ? Math.round((o.end.getTime() - o.answer.getTime()) / 1000) : 0;
  return event("Cdr", [
    ["AccountCode", ""],
    ["Source", src.callerNum],
    ["Destination", src.exten],
    ["DestinationContext", src.context],
    ["CallerID", `"${src.callerName}" <${src.callerNum}>`],
    ["Channel", src.name],
    ["DestinationChannel", dest?.name ?? ""],
    ["LastApplication", o.lastApp],
    ["LastData", o.lastData],
    ["StartTime", fmt(o.start)],
    ["AnswerTime", fmt(o.answer)],
    ["EndTime", fmt(o.end)],
    ["Duration", String(duration)],
    ["BillableSeconds", String(billable)],
    ["Disposition", o.disposition],
    ["AMAFlags", "DOCUMENTATION"],
    ["UniqueID", src.uniqueid],
    ["UserField", ""],
  ]);
}
