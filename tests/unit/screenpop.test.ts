import { describe, expect, it } from "vitest";
import { pino } from "pino";
import { CallTracker } from "../../server/calls/call-tracker.js";
import { ScreenPop } from "../../server/screenpop/screenpop.service.js";
import type { Card, CardBuilder } from "../../server/screenpop/card-builder.js";
import type { ExtensionDirectory } from "../../server/auth/extension-directory.js";
import type { Realtime } from "../../server/platform/realtime/realtime.js";
import type { PbxEvent } from "../../server/pbx/pbx-events.js";

/** ScreenPop with the tracker, and fakes for the card (slow on purpose), the users and the sockets. */
function setup(cardDelayMs = 20, cardAtHand = false) {
  const tracker = new CallTracker();
  const sent: { userId: number; event: string; payload: any }[] = [];
  const builder = {
    build: async (call: { linkedid: string }) => {
      await new Promise((r) => setTimeout(r, cardDelayMs));
      return { callId: call.linkedid, client: { name: "Grace" } } as unknown as Card;
    },
    prefetch: () => {},
    buildNow: (call: { linkedid: string }) => (cardAtHand ? ({ callId: call.linkedid, client: { name: "Grace" } } as unknown as Card) : undefined),
    fresh: () => true,
  } as unknown as CardBuilder;
  const directory = { userOf: (ext: string) => ({ "1001": 1, "1002": 2 })[ext] } as unknown as ExtensionDirectory;
  const realtime = { toUser: (userId: number, event: string, payload: unknown) => sent.push({ userId, event, payload }) } as unknown as Realtime;
  new ScreenPop([{ tracker, active: () => true }], builder, directory, realtime, pino({ level: "silent" }), 30);
  const h = (e: PbxEvent) => tracker.handle(e);
  return { tracker, sent, h };
}

const created = (uniqueid: string, channel: string): PbxEvent => ({ type: "channel.created", uniqueid, linkedid: "L.0", channel, callerNum: "+14155550123", callerName: "C", context: "from-trunk", exten: "8005551000" });
const dial = (type: "dial.begin" | "dial.end", dest: string, channel: string, status = ""): PbxEvent =>
  type === "dial.begin"
    ? { type, uniqueid: "L.0", linkedid: "L.0", destUniqueid: dest, destChannel: channel, dialString: "PJSIP/1001" }
    : { type, uniqueid: "L.0", linkedid: "L.0", destUniqueid: dest, destChannel: channel, status };

describe("screen pop", () => {
  it("shows one card per agent when one extension rings on two devices, and keeps events in order behind a slow card", async () => {
    const { sent, h } = setup();
    h(created("L.0", "PJSIP/trunk-1"));
    // PJSIP/1001 with two registered phones: two channels, one extension.
    h(created("L.1", "PJSIP/1001-a"));
    h(created("L.2", "PJSIP/1001-b"));
    h(created("L.3", "PJSIP/1002-c"));
    h(dial("dial.begin", "L.1", "PJSIP/1001-a"));
    h(dial("dial.begin", "L.2", "PJSIP/1001-b"));
    h(dial("dial.begin", "L.3", "PJSIP/1002-c"));
    // The desk phone answers; the softphone and 1002 are cancelled, before the card is even built.
    h(dial("dial.end", "L.1", "PJSIP/1001-a", "ANSWER"));
    h(dial("dial.end", "L.2", "PJSIP/1001-b", "CANCEL"));
    h(dial("dial.end", "L.3", "PJSIP/1002-c", "CANCEL"));
    await new Promise((r) => setTimeout(r, 60));
    expect(sent.filter((x) => x.userId === 1).map((x) => x.event)).toEqual(["call:offer", "call:answered"]);
    expect(sent.filter((x) => x.userId === 2).map((x) => `${x.event}:${x.payload.reason ?? ""}`)).toEqual(["call:offer:", "call:withdrawn:answered-elsewhere"]);
  });

  it("withdraws a ringing card only when the last device of that extension stopped ringing", async () => {
    const { sent, h } = setup(0);
    h(created("L.0", "PJSIP/trunk-1"));
    h(created("L.1", "PJSIP/1001-a"));
    h(created("L.2", "PJSIP/1001-b"));
    h(dial("dial.begin", "L.1", "PJSIP/1001-a"));
    h(dial("dial.begin", "L.2", "PJSIP/1001-b"));
    h(dial("dial.end", "L.1", "PJSIP/1001-a", "NOANSWER"));
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.map((x) => x.event)).toEqual(["call:offer"]);
    h(dial("dial.end", "L.2", "PJSIP/1001-b", "NOANSWER"));
    await new Promise((r) => setTimeout(r, 10));
    expect(sent.map((x) => `${x.event}:${x.payload.reason ?? ""}`)).toEqual(["call:offer:", "call:withdrawn:no-answer"]);
  });

  it("sends the offer in the same tick when the card is at hand (read while the caller waited), in order with what follows", () => {
    const { sent, h } = setup(20, true);
    h(created("L.0", "PJSIP/trunk-1"));
    h(created("L.1", "PJSIP/1001-a"));
    h(created("L.3", "PJSIP/1002-c"));
    h(dial("dial.begin", "L.1", "PJSIP/1001-a"));
    h(dial("dial.begin", "L.3", "PJSIP/1002-c"));
    expect(sent.map((x) => `${x.userId}:${x.event}`)).toEqual(["1:call:offer", "2:call:offer"]);
    h(dial("dial.end", "L.1", "PJSIP/1001-a", "ANSWER"));
    h(dial("dial.end", "L.3", "PJSIP/1002-c", "CANCEL"));
    expect(sent.map((x) => `${x.userId}:${x.event}`)).toEqual(["1:call:offer", "2:call:offer", "1:call:answered", "2:call:withdrawn"]);
  });
});
