// One grep follows one call: every line the call log writes carries callId, linkedid and agent,
// and only the node that holds the PBX's lease writes them.
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { followCallLog } from "../../server/calls/call-log.js";
import type { CallTracker } from "../../server/calls/call-tracker.js";
import { callFields, callLogger } from "../../server/platform/logger.js";

function capture(): { log: pino.Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { log: pino({ level: "debug" }, sink), lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const call = { linkedid: "1700000000.42", agent: null as string | null, queue: "support", direction: "inbound", callerNumber: "+14155550123", calledNumber: "8005551000", outcome: null as string | null, talkSeconds: null, waitSeconds: null, ringing: new Map() };

describe("call log", () => {
  it("writes each step of a call with callId, linkedid and the agent", () => {
    const tracker = new EventEmitter();
    const { log, lines } = capture();
    followCallLog(tracker as unknown as CallTracker, () => true, log);
    tracker.emit("call", { type: "call.started", call });
    tracker.emit("call", { type: "call.ringing", call, agent: "1001", uniqueid: "u1" });
    tracker.emit("call", { type: "call.answered", call: { ...call, agent: "1001" }, agent: "1001", at: new Date() });
    tracker.emit("call", { type: "call.transferred", call: { ...call, agent: "1001" }, from: "1001", to: "1002", kind: "blind" });
    tracker.emit("call", { type: "call.ended", call: { ...call, agent: "1002", outcome: "answered" } });
    const got = lines();
    expect(got.map((l) => l.msg)).toEqual(["call started", "agent ringing", "call answered", "call transferred", "call ended"]);
    for (const l of got) expect(l).toMatchObject({ callId: call.linkedid, linkedid: call.linkedid });
    expect(got.slice(1).map((l) => l.agent)).toEqual(["1001", "1001", "1001", "1002"]);
    expect(got[4]).toMatchObject({ outcome: "answered" });
  });

  it("a standby node (not holding the PBX's lease) writes nothing", () => {
    const tracker = new EventEmitter();
    const { log, lines } = capture();
    followCallLog(tracker as unknown as CallTracker, () => false, log);
    tracker.emit("call", { type: "call.answered", call, agent: "1001", at: new Date() });
    expect(lines()).toEqual([]);
  });

  it("callFields and callLogger: the agent given, else the call's, else none", () => {
    expect(callFields({ linkedid: "L" })).toEqual({ callId: "L", linkedid: "L" });
    expect(callFields({ linkedid: "L", agent: "1001" })).toEqual({ callId: "L", linkedid: "L", agent: "1001" });
    expect(callFields({ linkedid: "L", agent: "1001" }, "1002")).toEqual({ callId: "L", linkedid: "L", agent: "1002" });
    const { log, lines } = capture();
    callLogger(log, { linkedid: "L", agent: "1003" }).warn("recording late");
    expect(lines()[0]).toMatchObject({ callId: "L", linkedid: "L", agent: "1003", msg: "recording late" });
  });
});
