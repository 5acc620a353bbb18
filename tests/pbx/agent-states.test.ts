import { describe, expect, it } from "vitest";
import { AmiParser, type AmiMessage } from "../../server/pbx/ami-codec.js";
import { toPbxEvent } from "../../server/pbx/pbx-events.js";
import { CallTracker, type CallEvent } from "../../server/calls/call-tracker.js";
import { AgentStates, type AgentState } from "../../server/calls/agent-states.js";
import { readTrace } from "../support/traces.js";

/**
 * Replays a real transcript through the tracker and the agent states, wired as the server wires
 * them (the tracker's call events tell the agent states which phones ring and which talk).
 * `busyAt1` rewrites it as a PBX whose endpoints have `device_state_busy_at = 1` reports it:
 * every ringing (6) or in-use (2) member status becomes BUSY (3), and the device states BUSY.
 */
function replay(scenario: string, busyAt1: boolean) {
  const messages = new AmiParser({ expectGreeting: true })
    .push(readTrace(`asterisk-22.10.1-${scenario}.ami.log`))
    .flatMap((x) => (x.kind === "message" ? [x.message] : []));
  const tracker = new CallTracker(() => new Date(0));
  const agents = new AgentStates();
  tracker.on("call", (e: CallEvent) => agents.onCall(e));
  const seen: string[] = [];
  agents.on("state", (s: AgentState) => seen.push(`${s.agent}:${s.state}`));
  for (const original of messages) {
    const m: AmiMessage = { ...original };
    if (busyAt1 && m.event === "QueueMemberStatus" && (m.status === "6" || m.status === "2")) m.status = "3";
    if (busyAt1 && m.event === "DeviceStateChange" && /^PJSIP\/\d+$/.test(m.device ?? "") && (m.state === "RINGING" || m.state === "INUSE")) m.state = "BUSY";
    const e = toPbxEvent(m);
    if (!e) continue;
    tracker.handle(e);
    agents.handle(e);
  }
  return seen;
}

describe("agent states from QueueMemberStatus, whichever way the endpoints report a ringing phone", () => {
  for (const scenario of ["inbound-answered", "ring-no-answer", "hold"]) {
    it(`${scenario}: device_state_busy_at = 1 (BUSY while ringing and while talking) gives the same states as the default`, () => {
      const plain = replay(scenario, false);
      expect(plain.some((s) => s.endsWith(":ringing"))).toBe(true);
      expect(replay(scenario, true)).toEqual(plain);
    });
  }

  it("inbound-answered with BUSY: the answering agent rings, then talks, then is available; the other rings and is available again", () => {
    expect(replay("inbound-answered", true)).toEqual(["1001:ringing", "1002:ringing", "1001:on-call", "1002:available", "1001:available"]);
  });

  it("BUSY with no call followed on the phone (a call the CRM cannot see) counts as on a call", () => {
    const agents = new AgentStates();
    agents.handle({ type: "member.status", queue: "support", iface: "PJSIP/1001", memberName: "A", status: 3, paused: false, pausedReason: "", inCall: false });
    expect(agents.get("1001")?.state).toBe("on-call");
  });
});

describe("agent states while the PBX cannot be reached", () => {
  const member = (ext: string, paused = false, reason = "") => ({ queue: "support", iface: `PJSIP/${ext}`, status: 1, paused, reason });

  it("everyone is unknown from the link's loss until the PBX's state is read again", () => {
    const agents = new AgentStates();
    const seen: AgentState[] = [];
    const reach: boolean[] = [];
    agents.on("state", (s: AgentState) => seen.push({ ...s }));
    agents.on("reachability", (p: { reachable: boolean }) => reach.push(p.reachable));
    agents.resetFromSnapshot([member("1001"), member("1002", true, "lunch")], 1000);
    expect(agents.all().map((s) => s.state)).toEqual(["available", "paused"]);

    agents.linkDown(2000);
    expect(agents.all().map((s) => [s.state, s.reason])).toEqual([["unknown", null], ["unknown", null]]);
    expect(agents.pbx).toEqual({ reachable: false, since: new Date(2000) });
    expect(seen.slice(-2).map((s) => [s.agent, s.state, s.since.getTime()])).toEqual([["1001", "unknown", 2000], ["1002", "unknown", 2000]]);

    // The PBX restarted meanwhile and lost 1002's pause: the states say what it holds now.
    agents.resetFromSnapshot([member("1001"), member("1002")], 3000, true);
    expect(agents.all().map((s) => s.state)).toEqual(["available", "available"]);
    expect(agents.pbx.reachable).toBe(true);
    expect(reach).toEqual([false, true]);
  });

  it("a server that has not read the PBX yet knows nothing either", () => {
    const agents = new AgentStates(10_000, { reachable: false });
    agents.handle({ type: "member.pause", queue: "support", iface: "PJSIP/1001", memberName: "A", paused: true, reason: "lunch" });
    expect(agents.get("1001")?.state).toBe("unknown");
    expect(agents.pauseOf("1001")).toEqual({ paused: true, reason: "lunch" });
  });
});
