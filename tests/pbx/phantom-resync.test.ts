import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { AmiClient } from "../../server/pbx/ami-client.js";
import { PbxLink, type PbxSnapshot } from "../../server/pbx/pbx-link.js";
import type { PbxEvent } from "../../server/pbx/pbx-events.js";
import { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { CallTracker, type CallEvent } from "../../server/calls/call-tracker.js";
import { fuzzFrames } from "../support/ami-fuzz-frames.js";
import { expectEventually } from "../support/eventually.js";

/**
 * Channels the PBX announces and never hangs up (random frames left 18,632 such "live" calls):
 * the next resync, which reads the PBX's own channel list, closes them, and keeps the real call.
 */
describe("phantom calls are expired by the next resync, over TCP", () => {
  let sim: AmiSimulator;
  let client: AmiClient;
  let link: PbxLink;
  const tracker = new CallTracker();
  const ended: CallEvent[] = [];

  beforeAll(async () => {
    // A manual agent: the real call stays ringing until the test lets it go.
    sim = new AmiSimulator({ badLoginDelayMs: 10, pbx: { speed: 0.02, agents: [{ ext: "1001", name: "Agent One", autoAnswer: false }] } });
    await sim.listen(0);
    client = new AmiClient({ host: "127.0.0.1", port: sim.port, username: "crm", secret: "crmsecret", log: pino({ level: "silent" }) });
    link = new PbxLink(client, pino({ level: "silent" }));
    link.on("event", (e: PbxEvent) => tracker.handle(e));
    link.on("snapshot", (s: PbxSnapshot) => tracker.reconcile(s.channels, s.since));
    tracker.on("call", (e: CallEvent) => {
      if (e.type === "call.ended") ended.push(e);
    });
    const first = new Promise((r) => link.once("snapshot", r));
    client.start();
    await first;
  });
  afterAll(async () => {
    link?.stop();
    await client?.stop();
    await sim?.close();
  });

  it("closes 100,000 random frames' phantoms and nothing real", async () => {
    const real = sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 60 });
    await expectEventually(() => expect(tracker.calls.get(real)?.ringing.size).toBe(1));
    const gen = fuzzFrames(99);
    let chunk = "";
    for (let i = 0; i < 100_000; i++) {
      chunk += gen.next();
      if (chunk.length > 60_000) {
        sim.injectRaw(chunk);
        chunk = "";
      }
    }
    // The garbage may end mid-frame: close it so the Ping after it is read as a Ping.
    sim.injectRaw(`${chunk}\r\n\r\n`);
    await client.action("Ping", {});
    const phantoms = tracker.calls.size - 1;
    expect(phantoms).toBeGreaterThan(100);

    const snap = new Promise((r) => link.once("snapshot", r));
    await link.resync();
    await snap;
    expect([...tracker.calls.keys()]).toEqual([real]);
    const closed = ended.filter((e) => e.type === "call.ended" && e.call.endedWhileDisconnected);
    expect(closed.length).toBeGreaterThanOrEqual(phantoms);
    expect(client.state).toBe("connected");
  });
});

describe("a live channel's age as the PBX tells it", () => {
  it("reads CoreShowChannel's Duration, else the creation time Asterisk puts in the Uniqueid", async () => {
    const { channelAge } = await import("../../server/pbx/pbx-link.js");
    const at = Date.UTC(2026, 11, 2, 12, 0, 0);
    expect(channelAge("01:02:03", "x", at)).toBe(3723);
    expect(channelAge(undefined, `${at / 1000 - 42}.7`, at)).toBe(42);
    expect(channelAge("", `pbx-east-${at / 1000 - 5}.12`, at)).toBe(5);
    // Not plausible: in the future, or older than a day; not a Uniqueid at all.
    expect(channelAge(undefined, `${at / 1000 + 60}.1`, at)).toBeNull();
    expect(channelAge(undefined, `${at / 1000 - 90_000}.1`, at)).toBeNull();
    expect(channelAge("garbage", "garbage", at)).toBeNull();
  });
});
