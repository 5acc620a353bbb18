import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AmiParser } from "../../server/pbx/ami-codec.js";
import { toPbxEvent } from "../../server/pbx/pbx-events.js";
import { CallTracker, type CallEvent } from "../../server/calls/call-tracker.js";
import { AgentStates, type AgentState } from "../../server/calls/agent-states.js";
import type { TrackedCall } from "../../server/calls/call.types.js";
import { readTrace, tracesDir } from "../support/traces.js";

/**
 * Replays a real transcript through the parser, the event mapping and the tracker, on a clock
 * driven by the capture's own receive times (events.tsv), and returns the calls it journals.
 */
function replay(scenario: string) {
  const bytes = readTrace(`asterisk-22.10.1-${scenario}.ami.log`);
  const times = fs
    .readFileSync(path.join(tracesDir, `asterisk-22.10.1-${scenario}.events.tsv`), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => Number(line.split("\t")[0]));
  const messages = new AmiParser({ expectGreeting: true }).push(bytes).flatMap((x) => (x.kind === "message" ? [x.message] : []));
  expect(messages).toHaveLength(times.length);
  const base = Date.parse("2026-11-25T09:00:00Z");
  let now = new Date(base);
  const tracker = new CallTracker(() => now);
  const agents = new AgentStates();
  const ended: TrackedCall[] = [];
  const events: CallEvent[] = [];
  const states: AgentState[] = [];
  tracker.on("call", (e: CallEvent) => {
    events.push(e);
    if (e.type === "call.ended") ended.push(e.call);
  });
  agents.on("state", (s: AgentState) => states.push({ ...s }));
  messages.forEach((m, i) => {
    now = new Date(base + times[i]! * 1000);
    const e = toPbxEvent(m);
    if (e) {
      tracker.handle(e);
      agents.handle(e);
    }
  });
  expect(tracker.calls.size, "no call left open at the end of the capture").toBe(0);
  return { ended, events, states, agents };
}

const segs = (c: TrackedCall) => c.segments.map((s) => `${s.agent}:${s.result}`);

describe("call tracker on the real Asterisk 22 transcripts", () => {
  it("inbound-answered: ring-all, 1001 answers, the caller hangs up", () => {
    const { ended, events } = replay("inbound-answered");
    expect(ended).toHaveLength(1);
    const c = ended[0]!;
    expect(c).toMatchObject({
      linkedid: "1795598250.0", direction: "inbound", callerNumber: "+14155550123", calledNumber: "8005551000",
      customerNumber: "+14155550123", queue: "support", agent: "1001", outcome: "answered", waitSeconds: 2, talkSeconds: 4,
      hangupCause: 16, transfers: 0, recordingFile: "/opt/asterisk/var/spool/asterisk/monitor/1795598250.0.wav",
    });
    expect(segs(c)).toEqual(["1002:answered-elsewhere", "1001:completed"]);
    // Both phones rang before anyone answered; 1002's card goes when 1001 answers.
    const kinds = events.map((e) => (e.type === "call.ringing" || e.type === "call.ring-ended" ? `${e.type}:${e.agent}${"reason" in e ? `:${e.reason}` : ""}` : e.type));
    expect(kinds).toEqual(["call.started", "call.queued", "call.ringing:1002", "call.ringing:1001", "call.ring-ended:1001:answered", "call.answered", "call.ring-ended:1002:answered-elsewhere", "call.ended"]);
  });

  it("inbound-abandoned: nobody answers and the caller leaves the queue after 5 s", () => {
    const [c] = replay("inbound-abandoned").ended;
    expect(c).toMatchObject({ outcome: "abandoned", waitSeconds: 5, agent: null, answeredAt: null, hangupCause: 0, queue: "support" });
    expect(segs(c!)).toEqual(["1002:caller-left", "1001:caller-left"]);
  });

  it("ring-no-answer: a round times out, the retry is answered; the wait counts both rounds", () => {
    const [c] = replay("ring-no-answer").ended;
    expect(c).toMatchObject({ outcome: "answered", agent: "1001", waitSeconds: 19, talkSeconds: 9 });
    expect(segs(c!)).toEqual(["1002:no-answer", "1001:no-answer", "1002:answered-elsewhere", "1001:completed"]);
  });

  it("hold: the agent holds the customer for 4 s, credited to the agent's segment", () => {
    const { ended, events } = replay("hold");
    const c = ended[0]!;
    expect(c).toMatchObject({ outcome: "answered", agent: "1001", talkSeconds: 13, holdSeconds: 4 });
    expect(c.segments.find((s) => s.agent === "1001")!.holdSeconds).toBeCloseTo(4, 0);
    expect(events.filter((e) => e.type === "call.held" || e.type === "call.resumed").map((e) => e.type)).toEqual(["call.held", "call.resumed"]);
  });

  it("callback-originate: the agent's phone first, then the customer through the trunk", () => {
    const [c] = replay("callback-originate").ended;
    expect(c).toMatchObject({
      linkedid: "1795598279.9", direction: "outbound", callerNumber: "1001", calledNumber: "+14155550123", customerNumber: "+14155550123",
      agent: "1001", outcome: "reached", recordingFile: "/opt/asterisk/var/spool/asterisk/monitor/1795598279.9.wav", waitSeconds: null,
    });
    expect(c!.talkSeconds).toBeGreaterThanOrEqual(3);
    expect(c!.talkSeconds).toBeLessThanOrEqual(5);
  });

  it("callback-originate-local: the Local channel pair folds into one call", () => {
    const { ended } = replay("callback-originate-local");
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ direction: "outbound", agent: "1001", calledNumber: "+14155550123", outcome: "reached" });
  });

  it("spy: three supervisor sessions are their own calls; the spied call stays one", () => {
    const { ended } = replay("spy");
    expect(ended).toHaveLength(4);
    const customer = ended.find((c) => c.direction === "inbound")!;
    expect(customer).toMatchObject({ agent: "1001", outcome: "answered", talkSeconds: 23 });
    const spies = ended.filter((c) => c.direction === "internal");
    expect(spies).toHaveLength(3);
    for (const s of spies) expect(s).toMatchObject({ agent: "1003", calledNumber: "1001", outcome: "answered" });
  });

  it("mixmonitor-mute: the call's recording is the dialplan's, not the extra agent-leg file", () => {
    const [c] = replay("mixmonitor-mute").ended;
    expect(c!.recordingFile).toBe("/opt/asterisk/var/spool/asterisk/monitor/1795599341.107.wav");
    // Muted both ways at t 4.142-6.143, bridged at 2.142: 2.000-4.000 s into the file (the WAV
    // holds exactly those 16,000 zero samples). The read-only mute (8.1-10.1) removed one voice: no gap.
    // (Times here are the capture's receive times: a millisecond of AMI delivery either side.)
    expect(c!.recordingMuted).toHaveLength(1);
    expect(c!.recordingMuted[0]![0]).toBeCloseTo(2, 2);
    expect(c!.recordingMuted[0]![1]).toBeCloseTo(4, 2);
  });

  it("two-sided-recording: the mixed file's name; no pause, no markers", () => {
    const [c] = replay("two-sided-recording").ended;
    expect(c!.recordingFile).toBe("/opt/asterisk/var/spool/asterisk/monitor/1796231540.8.wav");
    expect(c!.recordingMuted).toEqual([]);
  });

  it("ivr-callback-request: a caller who only met the IVR is missed, with the DID dialled", () => {
    const [c] = replay("ivr-callback-request").ended;
    expect(c).toMatchObject({ calledNumber: "8005553000", queue: null, outcome: "missed", hangupCause: 16 });
  });

  it("queue-status: the waiting caller who gave up after 9 s is abandoned", () => {
    const [c] = replay("queue-status").ended;
    expect(c).toMatchObject({ outcome: "abandoned", waitSeconds: 9, queue: "support" });
  });

  it("agent-paused-reason: pause reasons per agent (after-call-work is wrap-up), and back to available", () => {
    const { states, agents } = replay("agent-paused-reason");
    const paused = states.filter((s) => s.state === "paused" || s.state === "wrap-up").map((s) => `${s.agent}:${s.state}:${s.reason}`);
    // "after-call-work" is the pause reason the CRM uses for wrap-up.
    expect(paused).toEqual(["1001:paused:lunch", "1002:wrap-up:after-call-work"]);
    expect(agents.get("1001")?.state).toBe("available");
    expect(agents.get("1002")?.state).toBe("available");
  });
});

/**
 * A transcript cut where the link went down: events up to (not including) the first message that
 * matches `cutAt`, on the capture's own clock, then the resync 60 s later lists no channel.
 */
function replayCut(scenario: string, cutAt: (m: Record<string, string | undefined>) => boolean) {
  const bytes = readTrace(`asterisk-22.10.1-${scenario}.ami.log`);
  const times = fs.readFileSync(path.join(tracesDir, `asterisk-22.10.1-${scenario}.events.tsv`), "utf8").trim().split("\n").slice(1).map((l) => Number(l.split("\t")[0]));
  const messages = new AmiParser({ expectGreeting: true }).push(bytes).flatMap((x) => (x.kind === "message" ? [x.message] : []));
  const base = Date.parse("2026-11-25T09:00:00Z");
  const tracker = new CallTracker();
  const ended: TrackedCall[] = [];
  tracker.on("call", (e: CallEvent) => e.type === "call.ended" && ended.push(e.call));
  const cut = messages.findIndex(cutAt);
  messages.slice(0, cut).forEach((m, i) => {
    const e = toPbxEvent(m);
    if (e) tracker.handle(e, base + times[i]! * 1000);
  });
  tracker.reconcile([], base + (times[cut]! + 60) * 1000);
  return { ended, at: (t: number) => new Date(base + t * 1000) };
}

describe("calls whose end was not seen (the link was down)", () => {
  it("the caller's Hangup was missed after AgentComplete: cause unknown (not 1002's 26), TalkTime kept, end bounded by the last event", () => {
    const { ended, at } = replayCut("inbound-answered", (m) => m.event === "Hangup" && m.channel === "PJSIP/trunk-00000000");
    const c = ended[0]!;
    expect(c).toMatchObject({ outcome: "answered", hangupCause: null, hangupCauseText: null, talkSeconds: 4, waitSeconds: 2, endedWhileDisconnected: true });
    // 6.620 s: the last event seen for the call (SoftHangupRequest is not mapped; BridgeLeave/Destroy are).
    expect(c.endedAt!.getTime()).toBeLessThanOrEqual(at(6.62).getTime());
    expect(c.endedAt!.getTime()).toBeGreaterThanOrEqual(at(6.618).getTime());
    expect([...c.estimated]).toEqual(["endedAt"]);
    expect(c.segments.find((s) => s.agent === "1001")).toMatchObject({ result: "completed", talkSeconds: 4, queue: "support", waitSeconds: 2 });
  });

  it("the link went down mid-talk: talk runs to the last moment the call was seen, marked estimated", () => {
    const { ended } = replayCut("inbound-answered", (m) => m.event === "HangupRequest");
    const c = ended[0]!;
    expect(c).toMatchObject({ outcome: "answered", hangupCause: null, endedWhileDisconnected: true });
    // Answered at 2.14 s, last seen at 2.14 s (the BridgeEnter): no blind minute counted as talk.
    expect(c.talkSeconds).toBe(0);
    expect([...c.estimated].sort()).toEqual(["endedAt", "talkSeconds"]);
  });

  it("an adopted call answered within a second of its start never comes out answered before it started", () => {
    // The PBX counts in whole seconds: the caller's CoreShowChannel Duration says 3 s (it is 3.9 s
    // old), the agent's leg 3 s, and at the end AgentComplete's TalkTime rounds 5.94 s of talk to 6.
    const t0 = Date.parse("2026-11-25T09:00:00Z");
    const tracker = new CallTracker();
    const ended: TrackedCall[] = [];
    tracker.on("call", (e: CallEvent) => e.type === "call.ended" && ended.push(e.call));
    const ch = { callerNum: "+14155550123", callerName: "", exten: "", state: 6, bridgeId: "b-1" };
    tracker.reconcile([
      { ...ch, uniqueid: "1764061200.1", linkedid: "1764061200.1", channel: "PJSIP/trunk-00000001", application: "Queue", applicationData: "support", ageSeconds: 3 },
      { ...ch, uniqueid: "1764061200.2", linkedid: "1764061200.1", channel: "PJSIP/1001-00000002", application: "AppQueue", applicationData: "(Outgoing Line)", ageSeconds: 3 },
    ], t0);
    const agentComplete = { uniqueid: "1764061200.1", linkedid: "1764061200.1", queue: "support", iface: "PJSIP/1001", talkSeconds: 6, holdSeconds: 0, reason: "agent" };
    tracker.handle({ type: "agent.complete", ...agentComplete }, t0 + 2_000);
    for (const [uniqueid, channel] of [["1764061200.2", "PJSIP/1001-00000002"], ["1764061200.1", "PJSIP/trunk-00000001"]] as const) {
      tracker.handle({ type: "channel.hangup", uniqueid, linkedid: "1764061200.1", channel, cause: 16, causeText: "Normal Clearing" }, t0 + 2_010);
    }
    const c = ended[0]!;
    expect(c).toMatchObject({ outcome: "answered", agent: "1001", adopted: true });
    expect(c.startedAt.getTime()).toBeLessThanOrEqual(c.answeredAt!.getTime());
    expect(c.queuedAt!.getTime()).toBeLessThanOrEqual(c.answeredAt!.getTime());
    expect(c.answeredAt!.getTime()).toBe(t0 + 2_000 - 6_000);
    expect(c.segments[0]!.ringingAt.getTime()).toBeLessThanOrEqual(c.segments[0]!.answeredAt!.getTime());
  });

  it("a click-to-call that never got a channel is journaled from its OriginateResponse Failure", () => {
    const tracker = new CallTracker();
    const ended: TrackedCall[] = [];
    tracker.on("call", (e: CallEvent) => e.type === "call.ended" && ended.push(e.call));
    tracker.handle({ type: "originate.response", actionId: "crm-7", uniqueid: null, channel: "PJSIP/1003", context: "callback", exten: "+14155550123", success: false, reason: 0 }, Date.parse("2026-11-25T09:00:00Z"));
    expect(ended[0]).toMatchObject({ direction: "outbound", agent: "1003", calledNumber: "+14155550123", endReason: "failed", outcome: "failed", talkSeconds: null });
    expect(ended[0]!.segments).toMatchObject([{ agent: "1003", result: "no-answer" }]);
  });
});
