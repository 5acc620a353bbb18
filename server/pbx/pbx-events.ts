import type { AmiMessage } from "./ami-codec.js";

/**
 * What the PBX reports, as typed facts the rest of the server can use without knowing AMI.
 * Built from the Asterisk 22 event names and fields of ../shared/ami-traces; AMI times in seconds
 * or milliseconds are converted here (AgentRingNoAnswer.RingTime is in ms, the others in s).
 */
export type PbxEvent =
  | { type: "channel.created"; uniqueid: string; linkedid: string; channel: string; callerNum: string; callerName: string; context: string; exten: string }
  | { type: "channel.up"; uniqueid: string; linkedid: string; channel: string }
  | { type: "channel.callerid"; uniqueid: string; linkedid: string; callerNum: string; callerName: string; connectedNum: string }
  | { type: "channel.hangup"; uniqueid: string; linkedid: string; channel: string; cause: number; causeText: string }
  | { type: "dial.begin"; uniqueid: string | null; linkedid: string; destUniqueid: string; destChannel: string; dialString: string }
  | { type: "dial.end"; uniqueid: string | null; linkedid: string; destUniqueid: string; destChannel: string; status: string }
  | { type: "queue.join"; uniqueid: string; linkedid: string; queue: string; position: number }
  | { type: "queue.leave"; uniqueid: string; linkedid: string; queue: string }
  | { type: "queue.abandon"; uniqueid: string; linkedid: string; queue: string; holdSeconds: number }
  | { type: "agent.called"; uniqueid: string; linkedid: string; queue: string; iface: string; memberName: string; destUniqueid: string; destChannel: string }
  | { type: "agent.connect"; uniqueid: string; linkedid: string; queue: string; iface: string; destUniqueid: string; holdSeconds: number; ringSeconds: number }
  | { type: "agent.complete"; uniqueid: string; linkedid: string; queue: string; iface: string; talkSeconds: number; holdSeconds: number; reason: string }
  | { type: "agent.ringnoanswer"; uniqueid: string; linkedid: string; queue: string; iface: string; destUniqueid: string; ringMs: number }
  | { type: "bridge.enter"; uniqueid: string; linkedid: string; bridgeId: string }
  | { type: "bridge.leave"; uniqueid: string; linkedid: string; bridgeId: string }
  | { type: "hold"; uniqueid: string; linkedid: string; channel: string }
  | { type: "unhold"; uniqueid: string; linkedid: string; channel: string }
  | { type: "transfer.blind"; linkedid: string; transfererUniqueid: string; transfereeUniqueid: string; exten: string; context: string; ok: boolean }
  | { type: "transfer.attended"; origLinkedid: string; secondLinkedid: string; origTransfererUniqueid: string; secondTransfererUniqueid: string; transfereeUniqueid: string; ok: boolean }
  | { type: "local.bridge"; oneUniqueid: string; twoUniqueid: string; linkedid: string }
  | { type: "spy.start"; spyerLinkedid: string; spyerChannel: string; spyeeLinkedid: string; spyeeChannel: string }
  | { type: "recording.file"; uniqueid: string; linkedid: string; file: string }
  /**
   * MixMonitorMute on a channel (whoever asked: our API, another AMI client, the dialplan): the
   * recording on that channel writes digital zeros for the muted direction(s) until unmuted.
   */
  | { type: "recording.mute"; uniqueid: string; linkedid: string; direction: "read" | "write" | "both"; muted: boolean }
  /** Our own channel variables (CRM_*), set through Originate's Variable header. */
  | { type: "call.var"; uniqueid: string; linkedid: string; name: string; value: string }
  /**
   * The outcome of an Originate (its ActionID is ours). Reason: 4 answered; on failure 0 no channel
   * or failed, 1 hung up, 3 still ringing at the Timeout, 5 busy, 8 congestion. Uniqueid only when a
   * channel existed ("<unknown>" otherwise); Channel is the requested one (PJSIP/1001) or the channel's.
   */
  | { type: "originate.response"; actionId: string; uniqueid: string | null; channel: string; context: string; exten: string; success: boolean; reason: number }
  | { type: "member.status"; queue: string; iface: string; memberName: string; status: number; paused: boolean; pausedReason: string; inCall: boolean }
  | { type: "member.pause"; queue: string; iface: string; memberName: string; paused: boolean; reason: string }
  | { type: "member.added"; queue: string; iface: string; memberName: string; paused: boolean }
  | { type: "member.removed"; queue: string; iface: string }
  | { type: "user.event"; name: string; uniqueid: string; linkedid: string; fields: Record<string, string> };

const int = (v: string | undefined) => {
  const n = Number.parseInt(v ?? "", 10);
  return Number.isFinite(n) ? n : 0;
};
const s = (v: string | undefined) => v ?? "";

/** The standard channel headers every channel event carries; UserEvent's own headers follow them. */
const standardHeaders = new Set([
  "event", "privilege", "channel", "channelstate", "channelstatedesc", "calleridnum", "calleridname",
  "connectedlinenum", "connectedlinename", "language", "accountcode", "context", "exten", "priority",
  "uniqueid", "linkedid", "userevent",
]);

/** One AMI event → zero or one PbxEvent. Events a call center does not need are dropped here. */
export function toPbxEvent(e: AmiMessage): PbxEvent | null {
  const u = s(e.uniqueid);
  const l = s(e.linkedid);
  switch (e.event) {
    case "Newchannel":
      return { type: "channel.created", uniqueid: u, linkedid: l, channel: s(e.channel), callerNum: s(e.calleridnum), callerName: s(e.calleridname), context: s(e.context), exten: s(e.exten) };
    case "Newstate":
      return e.channelstate === "6" ? { type: "channel.up", uniqueid: u, linkedid: l, channel: s(e.channel) } : null;
    case "NewCallerid":
    case "NewConnectedLine":
      return { type: "channel.callerid", uniqueid: u, linkedid: l, callerNum: s(e.calleridnum), callerName: s(e.calleridname), connectedNum: s(e.connectedlinenum) };
    case "Hangup":
      return { type: "channel.hangup", uniqueid: u, linkedid: l, channel: s(e.channel), cause: int(e.cause), causeText: s(e["cause-txt"]) };
    case "DialBegin":
      // An Originate's first leg has no calling channel: only the Dest* headers.
      return { type: "dial.begin", uniqueid: e.uniqueid ?? null, linkedid: e.linkedid ?? s(e.destlinkedid), destUniqueid: s(e.destuniqueid), destChannel: s(e.destchannel), dialString: s(e.dialstring) };
    case "DialEnd":
      return { type: "dial.end", uniqueid: e.uniqueid ?? null, linkedid: e.linkedid ?? s(e.destlinkedid), destUniqueid: s(e.destuniqueid), destChannel: s(e.destchannel), status: s(e.dialstatus) };
    case "QueueCallerJoin":
      return { type: "queue.join", uniqueid: u, linkedid: l, queue: s(e.queue), position: int(e.position) };
    case "QueueCallerLeave":
      return { type: "queue.leave", uniqueid: u, linkedid: l, queue: s(e.queue) };
    case "QueueCallerAbandon":
      return { type: "queue.abandon", uniqueid: u, linkedid: l, queue: s(e.queue), holdSeconds: int(e.holdtime) };
    case "AgentCalled":
      return { type: "agent.called", uniqueid: u, linkedid: l, queue: s(e.queue), iface: s(e.interface), memberName: s(e.membername), destUniqueid: s(e.destuniqueid), destChannel: s(e.destchannel) };
    case "AgentConnect":
      return { type: "agent.connect", uniqueid: u, linkedid: l, queue: s(e.queue), iface: s(e.interface), destUniqueid: s(e.destuniqueid), holdSeconds: int(e.holdtime), ringSeconds: int(e.ringtime) };
    case "AgentComplete":
      return { type: "agent.complete", uniqueid: u, linkedid: l, queue: s(e.queue), iface: s(e.interface), talkSeconds: int(e.talktime), holdSeconds: int(e.holdtime), reason: s(e.reason) };
    case "AgentRingNoAnswer":
      return { type: "agent.ringnoanswer", uniqueid: u, linkedid: l, queue: s(e.queue), iface: s(e.interface), destUniqueid: s(e.destuniqueid), ringMs: int(e.ringtime) };
    case "BridgeEnter":
      return { type: "bridge.enter", uniqueid: u, linkedid: l, bridgeId: s(e.bridgeuniqueid) };
    case "BridgeLeave":
      return { type: "bridge.leave", uniqueid: u, linkedid: l, bridgeId: s(e.bridgeuniqueid) };
    case "Hold":
      return { type: "hold", uniqueid: u, linkedid: l, channel: s(e.channel) };
    case "Unhold":
      return { type: "unhold", uniqueid: u, linkedid: l, channel: s(e.channel) };
    case "BlindTransfer":
      return { type: "transfer.blind", linkedid: s(e.transfereelinkedid || e.transfererlinkedid), transfererUniqueid: s(e.transfereruniqueid), transfereeUniqueid: s(e.transfereeuniqueid), exten: s(e.extension), context: s(e.context), ok: e.result === "Success" };
    case "AttendedTransfer":
      return { type: "transfer.attended", origLinkedid: s(e.origtransfererlinkedid), secondLinkedid: s(e.secondtransfererlinkedid), origTransfererUniqueid: s(e.origtransfereruniqueid), secondTransfererUniqueid: s(e.secondtransfereruniqueid), transfereeUniqueid: s(e.transfereeuniqueid), ok: e.result === "Success" };
    case "ChanSpyStart":
      // Neither event says listen, whisper or barge: that is only in the Originate's Data.
      return { type: "spy.start", spyerLinkedid: s(e.spyerlinkedid), spyerChannel: s(e.spyerchannel), spyeeLinkedid: s(e.spyeelinkedid), spyeeChannel: s(e.spyeechannel) };
    case "LocalBridge":
      return { type: "local.bridge", oneUniqueid: s(e.localoneuniqueid), twoUniqueid: s(e.localtwouniqueid), linkedid: s(e.localonelinkedid) };
    case "VarSet":
      // The recording's path is visible in AMI only as this variable (MixMonitorStart has no file name).
      if (e.variable === "MIXMONITOR_FILENAME") return { type: "recording.file", uniqueid: u, linkedid: l, file: s(e.value) };
      return e.variable?.startsWith("CRM_") ? { type: "call.var", uniqueid: u, linkedid: l, name: e.variable, value: s(e.value) } : null;
    case "MixMonitorMute": {
      // Only Direction and State besides the channel headers (no MixMonitorID): transcript mixmonitor-mute.
      const d = (e.direction ?? "both").toLowerCase();
      const direction = d === "read" || d === "write" ? d : "both";
      return { type: "recording.mute", uniqueid: u, linkedid: l, direction, muted: e.state === "1" };
    }
    case "OriginateResponse":
      return { type: "originate.response", actionId: s(e.actionid), uniqueid: /^[^<]+$/.test(u) ? u : null, channel: s(e.channel), context: s(e.context), exten: s(e.exten), success: e.response === "Success", reason: int(e.reason) };
    case "QueueMemberStatus":
      return { type: "member.status", queue: s(e.queue), iface: s(e.interface), memberName: s(e.membername), status: int(e.status), paused: e.paused === "1", pausedReason: s(e.pausedreason), inCall: e.incall === "1" };
    case "QueueMemberPause":
      return { type: "member.pause", queue: s(e.queue), iface: s(e.interface), memberName: s(e.membername), paused: e.paused === "1", reason: s(e.pausedreason) };
    case "QueueMemberAdded":
      return { type: "member.added", queue: s(e.queue), iface: s(e.interface), memberName: s(e.membername), paused: e.paused === "1" };
    case "QueueMemberRemoved":
      return { type: "member.removed", queue: s(e.queue), iface: s(e.interface) };
    case "UserEvent": {
      const fields: Record<string, string> = {};
      // Custom headers follow the standard ones; "Queue" of the IVR's CallbackRequest is custom too.
      for (const [k, v] of Object.entries(e)) if (!standardHeaders.has(k)) fields[k] = v;
      return { type: "user.event", name: s(e.userevent), uniqueid: u, linkedid: l, fields };
    }
    default:
      return null;
  }
}
