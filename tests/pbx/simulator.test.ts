import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { AmiClient } from "../../server/pbx/ami-client.js";
import { AmiParser, type AmiMessage } from "../../server/pbx/ami-codec.js";
import { toPbxEvent } from "../../server/pbx/pbx-events.js";
import { PbxCommands } from "../../server/pbx/pbx-commands.js";
import { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { CallTracker, type CallEvent } from "../../server/calls/call-tracker.js";
import type { TrackedCall } from "../../server/calls/call.types.js";
import { expectEventually } from "../support/eventually.js";
import { readTrace } from "../support/traces.js";

/** Events a capture is full of that say nothing about the call's course. */
const noise = /^(VarSet|Newexten|DeviceStateChange|QueueMemberStatus|RTCPSent|FullyBooted|SuccessfulAuth|Cdr)$/;

function transcriptNames(scenario: string): string[] {
  return new AmiParser({ expectGreeting: true })
    .push(readTrace(`asterisk-22.10.1-${scenario}.ami.log`))
    .flatMap((x) => (x.kind === "message" && x.message.event && !noise.test(x.message.event) ? [x.message.event] : []));
}

describe("AMI simulator: scenarios shaped like the transcripts, followed by the tracker over TCP", () => {
  let sim: AmiSimulator;
  let client: AmiClient;
  let commands: PbxCommands;
  const tracker = new CallTracker();
  const names: string[] = [];
  const ended: TrackedCall[] = [];
  const callEvents: CallEvent[] = [];

  beforeAll(async () => {
    sim = new AmiSimulator({
      badLoginDelayMs: 10,
      pbx: {
        speed: 0.02,
        agents: [
          { ext: "1001", name: "Agent One", autoAnswer: false },
          { ext: "1002", name: "Agent Two", autoAnswer: false },
          { ext: "1003", name: "Agent Three", autoAnswer: false },
        ],
      },
    });
    await sim.listen(0);
    client = new AmiClient({ host: "127.0.0.1", port: sim.port, username: "crm", secret: "crmsecret", log: pino({ level: "silent" }) });
    client.on("event", (m: AmiMessage) => {
      if (m.event && !noise.test(m.event)) names.push(m.event);
      const e = toPbxEvent(m);
      if (e) tracker.handle(e);
    });
    tracker.on("call", (e: CallEvent) => {
      callEvents.push(e);
      if (e.type === "call.ended") ended.push(e.call);
    });
    commands = new PbxCommands(client);
    client.start();
    await new Promise((r) => client.once("connected", r));
  });
  afterAll(async () => {
    await client?.stop();
    await sim?.close();
  });
  beforeEach(() => {
    names.length = 0;
    ended.length = 0;
    callEvents.length = 0;
  });

  const endedOne = async () => {
    await expectEventually(() => expect(ended).toHaveLength(1), 5000);
    return ended[0]!;
  };

  it("an answered queue call has the event sequence of the inbound-answered capture", async () => {
    sim.pbx.inboundCall({ from: "+14155550123", name: "Customer", talkSeconds: 5 });
    await expectEventually(() => expect(tracker.calls.size).toBe(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.pbx.answer("1001")).toBe(true);
    const call = await endedOne();
    expect(names).toEqual(transcriptNames("inbound-answered"));
    expect(call).toMatchObject({ outcome: "answered", agent: "1001", queue: "support", callerNumber: "+14155550123" });
  });

  it("an abandoned queue call ends like the inbound-abandoned capture", async () => {
    const linkedid = sim.pbx.inboundCall({ from: "+14155550123", name: "Customer", patienceSeconds: 5 });
    const call = await endedOne();
    const tail = (list: string[]) => list.slice(list.indexOf("HangupRequest"));
    expect(tail(names)).toEqual(tail(transcriptNames("inbound-abandoned")));
    expect(call).toMatchObject({ linkedid, outcome: "abandoned", agent: null });
  });

  it("nobody answering rings again after the retry pause, with AgentRingNoAnswer per member", async () => {
    sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 1 });
    // timeout 15 s + retry 2 s at speed 0.02 = 0.34 s for a round.
    await expectEventually(() => expect(names.filter((n) => n === "AgentRingNoAnswer")).toHaveLength(2), 3000);
    await expectEventually(() => expect(names.filter((n) => n === "AgentCalled")).toHaveLength(4), 3000);
    await expectEventually(() => expect(sim.pbx.answer("1002")).toBe(true));
    const call = await endedOne();
    expect(call.segments.map((s) => `${s.agent}:${s.result}`)).toEqual(["1001:no-answer", "1002:no-answer", "1001:answered-elsewhere", "1002:completed"]);
  });

  it("click-to-call: Originate rings the agent, then reaches the customer; events like the callback-originate capture", async () => {
    await commands.originateToCustomer({ extension: "1001", number: "+14155550123", callerName: "Callback +14155550123", variables: { CRM_TASK_ID: "task-1" } });
    await expectEventually(() => expect(callEvents.some((e) => e.type === "call.ringing" && e.agent === "1001")).toBe(true));
    expect(sim.pbx.originateAnswered("1001")).toBe(true);
    await expectEventually(() => expect(callEvents.some((e) => e.type === "call.answered")).toBe(true), 3000);
    sim.pbx.agentHangup("1001");
    const call = await endedOne();
    expect(call).toMatchObject({ direction: "outbound", callerNumber: "1001", calledNumber: "+14155550123", agent: "1001", outcome: "reached" });
    // The agent hung up here (the capture's customer did), so only the order up to the bridge is compared.
    const upToBridge = (list: string[]) => list.slice(0, list.lastIndexOf("BridgeEnter") + 1);
    expect(upToBridge(names)).toEqual(upToBridge(transcriptNames("callback-originate")));
  });

  it("a blind transfer keeps one conversation and credits each agent's segment", async () => {
    sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 100 });
    await expectEventually(() => expect(tracker.calls.size).toBe(1));
    await new Promise((r) => setTimeout(r, 50));
    await expectEventually(() => expect(sim.pbx.answer("1001")).toBe(true));
    await expectEventually(() => expect([...tracker.calls.values()][0]?.agent).toBe("1001"));
    const agentLeg = [...tracker.calls.values()][0]!;
    const channel = [...agentLeg.legs.values()].find((l) => l.ext === "1001" && !l.ended)!.channel;
    await commands.blindTransfer({ channel, exten: "sales", context: "transfer" });
    await expectEventually(() => expect(callEvents.some((e) => e.type === "call.ringing" && e.agent !== "1001")).toBe(true), 3000);
    const ringing = callEvents.filter((e) => e.type === "call.ringing").map((e) => (e as { agent: string }).agent);
    const target = ringing[ringing.length - 1]!;
    await expectEventually(() => expect(sim.pbx.answer(target)).toBe(true));
    await expectEventually(() => expect([...tracker.calls.values()][0]?.agent).toBe(target));
    sim.pbx.agentHangup(target);
    const call = await endedOne();
    expect(call).toMatchObject({ outcome: "answered", agent: target, transfers: 1 });
    expect(call.segments.filter((s) => s.result === "transferred").map((s) => s.agent)).toEqual(["1001"]);
    expect(call.segments.filter((s) => s.result === "completed").map((s) => s.agent)).toEqual([target]);
    expect(callEvents.find((e) => e.type === "call.transferred")).toMatchObject({ from: "1001", to: "sales", kind: "blind" });
  });

  it("a blind transfer straight to a colleague's extension rings that phone and credits both agents", async () => {
    sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 100 });
    await expectEventually(() => expect(tracker.calls.size).toBe(1));
    await new Promise((r) => setTimeout(r, 50));
    await expectEventually(() => expect(sim.pbx.answer("1001")).toBe(true));
    await expectEventually(() => expect([...tracker.calls.values()][0]?.agent).toBe("1001"));
    const call = [...tracker.calls.values()][0]!;
    const channel = [...call.legs.values()].find((l) => l.ext === "1001" && !l.ended)!.channel;
    await commands.blindTransfer({ channel, exten: "1003", context: "transfer" });
    await expectEventually(() => expect(callEvents.some((e) => e.type === "call.ringing" && e.agent === "1003")).toBe(true), 3000);
    expect(sim.pbx.answer("1003")).toBe(true);
    await expectEventually(() => expect([...tracker.calls.values()][0]?.agent).toBe("1003"));
    sim.pbx.agentHangup("1003");
    const done = await endedOne();
    expect(done).toMatchObject({ outcome: "answered", agent: "1003", transfers: 1 });
    // Ring-all rang 1002 too at first; 1003 was rung directly by the transfer.
    expect(done.segments.map((x) => `${x.agent}:${x.result}`)).toEqual(["1001:transferred", "1002:answered-elsewhere", "1003:completed"]);
  });

  it("hold and resume on the agent's phone are seen as such", async () => {
    sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 100 });
    await expectEventually(() => expect(tracker.calls.size).toBe(1));
    await new Promise((r) => setTimeout(r, 50));
    await expectEventually(() => expect(sim.pbx.answer("1002")).toBe(true));
    await expectEventually(() => expect(callEvents.some((e) => e.type === "call.answered")).toBe(true));
    sim.pbx.hold("1002", true);
    await new Promise((r) => setTimeout(r, 1100));
    sim.pbx.hold("1002", false);
    sim.pbx.agentHangup("1002");
    const call = await endedOne();
    expect(callEvents.filter((e) => e.type === "call.held" || e.type === "call.resumed").map((e) => e.type)).toEqual(["call.held", "call.resumed"]);
    expect(call.holdSeconds).toBeGreaterThanOrEqual(1);
  });

  it("a supervisor's spy session is its own call, linked to the agent it listened to", async () => {
    sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 100 });
    await expectEventually(() => expect(tracker.calls.size).toBe(1));
    await new Promise((r) => setTimeout(r, 50));
    await expectEventually(() => expect(sim.pbx.answer("1001")).toBe(true));
    await expectEventually(() => expect(callEvents.some((e) => e.type === "call.answered")).toBe(true));
    await commands.spy({ supervisorExtension: "1003", agentExtension: "1001", mode: "whisper" });
    await expectEventually(() => expect(callEvents.some((e) => e.type === "call.ringing" && e.agent === "1003")).toBe(true));
    sim.pbx.originateAnswered("1003");
    // As in the spy capture: OriginateResponse once the supervisor answered, then ChanSpyStart.
    await expectEventually(() => expect(names).toContain("ChanSpyStart"), 3000);
    expect(names.indexOf("OriginateResponse")).toBeLessThan(names.indexOf("ChanSpyStart"));
    const spyCall = [...tracker.calls.values()].find((c) => c.direction === "internal")!;
    await commands.hangup([...spyCall.legs.values()][0]!.channel);
    await expectEventually(() => expect(names).toContain("ChanSpyStop"));
    sim.pbx.agentHangup("1001");
    await expectEventually(() => expect(ended).toHaveLength(2), 5000);
    expect(ended.find((c) => c.direction === "internal")).toMatchObject({ calledNumber: "1001", agent: "1003", outcome: "answered" });
  });
});

describe("call tracker: attended transfer (event fields from Asterisk's AttendedTransfer documentation)", () => {
  it("moves the consulted colleague into the customer's call", () => {
    const t = new CallTracker();
    const ended: TrackedCall[] = [];
    t.on("call", (e: CallEvent) => e.type === "call.ended" && ended.push(e.call));
    const h = (e: Parameters<CallTracker["handle"]>[0]) => t.handle(e);
    // Customer A.0 → agent 1001 (A.1), answered.
    h({ type: "channel.created", uniqueid: "A.0", linkedid: "A.0", channel: "PJSIP/trunk-1", callerNum: "+14155550123", callerName: "C", context: "from-trunk", exten: "8005551000" });
    h({ type: "channel.created", uniqueid: "A.1", linkedid: "A.0", channel: "PJSIP/1001-2", callerNum: "1001", callerName: "Agent One", context: "agents", exten: "s" });
    h({ type: "dial.begin", uniqueid: "A.0", linkedid: "A.0", destUniqueid: "A.1", destChannel: "PJSIP/1001-2", dialString: "PJSIP/1001" });
    h({ type: "dial.end", uniqueid: "A.0", linkedid: "A.0", destUniqueid: "A.1", destChannel: "PJSIP/1001-2", status: "ANSWER" });
    // 1001 consults 1002 on a second call B.0 (own Linkedid).
    h({ type: "channel.created", uniqueid: "B.0", linkedid: "B.0", channel: "PJSIP/1001-3", callerNum: "1001", callerName: "Agent One", context: "agents", exten: "1002" });
    h({ type: "channel.created", uniqueid: "B.1", linkedid: "B.0", channel: "PJSIP/1002-4", callerNum: "1002", callerName: "Agent Two", context: "agents", exten: "s" });
    h({ type: "dial.begin", uniqueid: "B.0", linkedid: "B.0", destUniqueid: "B.1", destChannel: "PJSIP/1002-4", dialString: "PJSIP/1002" });
    h({ type: "dial.end", uniqueid: "B.0", linkedid: "B.0", destUniqueid: "B.1", destChannel: "PJSIP/1002-4", status: "ANSWER" });
    h({ type: "transfer.attended", origLinkedid: "A.0", secondLinkedid: "B.0", origTransfererUniqueid: "A.1", secondTransfererUniqueid: "B.0", transfereeUniqueid: "A.0", ok: true });
    // Agent 1001's two channels hang up; the customer now talks to 1002 (whose leg is B.1).
    h({ type: "channel.hangup", uniqueid: "A.1", linkedid: "A.0", channel: "PJSIP/1001-2", cause: 16, causeText: "Normal Clearing" });
    h({ type: "channel.hangup", uniqueid: "B.0", linkedid: "B.0", channel: "PJSIP/1001-3", cause: 16, causeText: "Normal Clearing" });
    expect(ended.map((c) => c.linkedid)).toEqual(["B.0"]);
    expect(ended[0]).toMatchObject({ direction: "internal" });
    h({ type: "channel.hangup", uniqueid: "B.1", linkedid: "B.0", channel: "PJSIP/1002-4", cause: 16, causeText: "Normal Clearing" });
    h({ type: "channel.hangup", uniqueid: "A.0", linkedid: "A.0", channel: "PJSIP/trunk-1", cause: 16, causeText: "Normal Clearing" });
    const main = ended.find((c) => c.linkedid === "A.0")!;
    expect(main).toMatchObject({ outcome: "answered", agent: "1002", transfers: 1 });
    expect(main.segments.map((s) => `${s.agent}:${s.result}`)).toEqual(["1001:transferred", "1002:completed"]);
  });
});
