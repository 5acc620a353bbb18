import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

type Received = { event: string; payload: any };

/**
 * Call data as a supervisor or a report reads it, in the cases a real Asterisk showed wrong
 * (issue 10): calls whose end was not seen, calls adopted after a reconnect, blind transfers to a
 * queue, click-to-calls that reach nobody, numbers shared by several clients. Each replays the
 * situation through the simulator over TCP; nobody's phone answers by itself (the test answers).
 */
describe.each(dbKinds)("call data on %s", (db) => {
  let s: TestServer;
  const token: Record<string, string> = {};
  const sockets: Socket[] = [];
  let grace: number;
  const sim = () => s.app.telephony.sim!;
  const pbx = () => sim().pbx;
  const tracker = () => s.app.telephony.tracker;
  const safety = 30_000;

  beforeAll(async () => {
    s = await startTestServer({ db, env: { SIM_SPEED: "0.02", WRAPUP_SECONDS: "0" } });
    for (const [u, ext] of [["ann", "1001"], ["bob", "1002"], ["cid", "1003"]] as const) {
      await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role: "agent", extension: ext, displayName: u.toUpperCase() } });
      token[ext] = await s.login(u, `${u}-password`);
      pbx().agent(ext)!.autoAnswer = false;
    }
    grace = (await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace Hopper", phones: ["+1 415 555 0123"] } })).body.id;
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true));
  });
  afterAll(async () => {
    for (const x of sockets) x.close();
    await s?.close();
  });

  const open = async (ext: string) => {
    const socket: Socket = io(s.url, { auth: { token: token[ext] }, transports: ["websocket"], reconnection: false, forceNew: true });
    const got: Received[] = [];
    socket.onAny((event: string, payload: unknown) => got.push({ event, payload }));
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    sockets.push(socket);
    const of = (event: string, callId?: string) => got.filter((g) => g.event === event && (!callId || g.payload.callId === callId)).map((g) => g.payload);
    return { got, of };
  };
  const row = async (linkedid: string) => {
    let found: any;
    await expectEventually(async () => {
      found = (await s.api("GET", "/api/calls?limit=500", { token: s.adminToken })).body.items.find((c: { linkedid: string }) => c.linkedid === linkedid);
      expect(found).toBeDefined();
    }, safety);
    return found;
  };
  /** A sleep that only has to last at least this long (it always does): some seconds of talk. */
  const talkFor = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const blind = async () => {
    sim().faults.refuse = true;
    sim().dropConnections();
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(false), safety);
  };
  /** The PBX answers again; both links (events, and this node's actions) are back. */
  const back = async () => {
    sim().faults.refuse = false;
    await expectEventually(() => expect([s.app.telephony.link.connected, s.app.telephony.connected]).toEqual([true, true]), safety);
  };

  it("a call that ends while the link is down: unknown cause (not the cancelled leg's 26), end and talk bounded by when it was last seen", async () => {
    const linkedid = pbx().inboundCall({ from: "+14155550123", talkSeconds: 1000 });
    // Ring-all: 1001 and 1002 ring; 1001 answers and 1002's leg is hung up with cause 26.
    await expectEventually(() => expect(tracker().calls.get(linkedid)?.ringing.size).toBe(2), safety);
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true), safety);
    await expectEventually(() => expect(tracker().calls.get(linkedid)?.answeredAt).toBeTruthy(), safety);
    await blind();
    const blindFrom = Date.now();
    await talkFor(1100);
    const hungUpAt = Date.now();
    pbx().agentHangup("1001");
    await back();
    const r = await row(linkedid);
    expect(r).toMatchObject({ outcome: "answered", agent: "1001", endedWhileDisconnected: true, hangupCause: null, hangupCauseText: null });
    expect(r.estimated).toEqual(expect.arrayContaining(["endedAt", "talkSeconds"]));
    // The end is the last moment the call was seen alive, before the blind gap; none of it is talk.
    expect(new Date(r.endedAt).getTime()).toBeLessThanOrEqual(blindFrom);
    expect(new Date(r.endedAt).getTime()).toBeLessThan(hungUpAt);
    expect(r.talkSeconds).toBeLessThanOrEqual(Math.ceil((blindFrom - new Date(r.answeredAt).getTime()) / 1000));
    expect(r.segments.find((x: { agent: string }) => x.agent === "1002")).toMatchObject({ result: "answered-elsewhere" });
  });

  it("a call adopted after a reconnect takes its times from CoreShowChannel and the queue's AgentComplete, and says what is estimated", async () => {
    await blind();
    const linkedid = pbx().inboundCall({ from: "+14155550123", talkSeconds: 1000 });
    await expectEventually(() => expect(pbx().liveChannels().filter((c) => c.linkedid === linkedid && c.name.startsWith("PJSIP/100"))).toHaveLength(2), safety);
    await talkFor(1100); // the caller waits a second in the queue
    await expectEventually(() => expect(pbx().answer("1002")).toBe(true), safety);
    await back();
    // The resync adopts the call from CoreShowChannels; who talks on it comes from a bridged agent
    // leg in the same list or, when the list was read before the bridge formed (a busy machine),
    // from the events that follow: wait for both.
    await expectEventually(() => expect(tracker().calls.get(linkedid)).toMatchObject({ adopted: true, queue: "support", agent: "1002" }), safety);
    const live = tracker().calls.get(linkedid)!;
    expect([...live.estimated].sort()).toEqual(["answeredAt", "queuedAt", "talkSeconds", "waitSeconds"]);
    await talkFor(1100);
    pbx().agentHangup("1002");
    const r = await row(linkedid);
    // AgentComplete (HoldTime, TalkTime) gave the wait and the talk: only the queue join is assumed.
    expect(r).toMatchObject({ outcome: "answered", agent: "1002", queue: "support", endedWhileDisconnected: false, estimated: ["queuedAt"] });
    expect(r.waitSeconds).toBeGreaterThanOrEqual(1);
    expect(r.talkSeconds).toBeGreaterThanOrEqual(1);
    const [started, answered, ended] = [r.startedAt, r.answeredAt, r.endedAt].map((t: string) => new Date(t).getTime());
    expect(started).toBeLessThanOrEqual(answered!);
    expect(answered).toBeLessThanOrEqual(ended!);
  });

  it("a blind transfer to another queue: the call keeps its first queue and wait, each agent their own, talk is the sum", async () => {
    const [ann, bob, cid] = [await open("1001"), await open("1002"), await open("1003")];
    // 1001 takes it in support; sales (round robin) then offers it to 1002 or 1003, not 1001.
    pbx().pauseMember("PJSIP/1001", "sales", true, "test");
    const callId = pbx().inboundCall({ from: "+14155550123", talkSeconds: 1000 });
    await expectEventually(() => expect(ann.of("call:offer", callId)).toHaveLength(1), safety);
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true), safety);
    await expectEventually(() => expect(ann.of("call:answered", callId)).toHaveLength(1), safety);
    await talkFor(1100);
    expect((await s.api("POST", `/api/calls/${callId}/transfer`, { token: token["1001"], body: { to: "sales" } })).status).toBe(202);
    await expectEventually(() => expect([...bob.of("call:offer", callId), ...cid.of("call:offer", callId)].length).toBeGreaterThanOrEqual(1), safety);
    await talkFor(1100); // waits in sales (round robin rings 1002 and 1003 in turn meanwhile)
    let next: "1002" | "1003" | null = null;
    await expectEventually(() => {
      next = (["1002", "1003"] as const).find((x) => pbx().answer(x)) ?? null;
      expect(next).not.toBeNull();
    }, safety);
    if (next === null) throw new Error("nobody answered");
    const second = next === "1002" ? bob : cid;
    await expectEventually(() => expect(second.of("call:answered", callId)).toHaveLength(1), safety);
    // Their card rang as not answered (by them), and their timer starts at their own answer, not at 1001's.
    expect(second.of("call:offer", callId)[0].answeredAt).toBeNull();
    const firstAnswer = new Date(ann.of("call:answered", callId)[0].answeredAt).getTime();
    expect(new Date(second.of("call:answered", callId)[0].answeredAt).getTime()).toBeGreaterThanOrEqual(firstAnswer + 2000);
    await talkFor(1100);
    pbx().agentHangup(next);
    const r = await row(callId);
    pbx().pauseMember("PJSIP/1001", "sales", false, "");
    expect(r).toMatchObject({ outcome: "answered", queue: "support", agent: next, transfers: 1 });
    const talked = r.segments.filter((x: { answeredAt: string | null }) => x.answeredAt);
    expect(talked).toMatchObject([
      { agent: "1001", queue: "support", result: "transferred" },
      { agent: next, queue: "sales", result: "completed" },
    ]);
    expect(talked[0].waitSeconds).toBe(r.waitSeconds);
    expect(talked[1].waitSeconds).toBeGreaterThanOrEqual(1);
    expect(talked[0].talkSeconds).toBeGreaterThanOrEqual(1);
    expect(talked[1].talkSeconds).toBeGreaterThanOrEqual(1);
    expect(r.talkSeconds).toBe(talked[0].talkSeconds + talked[1].talkSeconds);
  });

  it("click-to-call, the customer never answers: the agent was answered, the call ends not-reached with its reason, nobody talked", async () => {
    const cid = await open("1003");
    pbx().customers.set("+14155550177", "no-answer");
    expect((await s.api("POST", "/api/calls/originate", { token: token["1003"], body: { number: "+1 415 555 0177" } })).status).toBe(202);
    await expectEventually(() => expect(cid.of("call:offer").filter((o) => o.caller.e164 === "+14155550177")).toHaveLength(1), safety);
    const callId = cid.of("call:offer").find((o) => o.caller.e164 === "+14155550177")!.callId;
    expect(pbx().originateAnswered("1003")).toBe(true);
    await expectEventually(() => expect(cid.of("call:answered", callId)).toHaveLength(1), safety);
    await expectEventually(() => expect(cid.of("call:ended", callId)).toEqual([{ callId, outcome: "not-reached", reason: "customer-no-answer", talkSeconds: null, wrapup: false }]), safety);
    expect(cid.of("call:withdrawn", callId)).toEqual([]);
    const r = await row(callId);
    expect(r).toMatchObject({ direction: "outbound", outcome: "not-reached", endReason: "customer-no-answer", agent: "1003", calledNumber: "+14155550177", talkSeconds: null, answeredAt: null });
    expect(r.segments).toMatchObject([{ agent: "1003", result: "not-reached", talkSeconds: 0 }]);
  });

  it("click-to-call, the agent does not pick up: OriginateResponse Failure ends it as agent-no-answer, with the number and the agent", async () => {
    const cid = await open("1003");
    expect((await s.api("POST", "/api/calls/originate", { token: token["1003"], body: { number: "+1 415 555 0178" } })).status).toBe(202);
    await expectEventually(() => expect(cid.of("call:offer").filter((o) => o.caller.e164 === "+14155550178")).toHaveLength(1), safety);
    const callId = cid.of("call:offer").find((o) => o.caller.e164 === "+14155550178")!.callId;
    // Nobody answers: the Originate's 30 s Timeout (0.6 s at this speed) runs out.
    await expectEventually(() => expect(cid.of("call:ended", callId)).toEqual([{ callId, outcome: "not-reached", reason: "agent-no-answer", talkSeconds: null, wrapup: false }]), safety);
    expect(cid.of("call:withdrawn", callId)).toEqual([]);
    const r = await row(callId);
    expect(r).toMatchObject({ direction: "outbound", outcome: "not-reached", endReason: "agent-no-answer", agent: "1003", agentUser: { displayName: "CID" }, calledNumber: "+14155550178" });
    expect(r.segments).toMatchObject([{ agent: "1003", result: "no-answer", answeredAt: null }]);
  });

  it("click-to-call to a busy customer ends busy, pushed and journaled", async () => {
    const cid = await open("1003");
    pbx().customers.set("+14155550179", "busy");
    // The agent's phone answers by itself: its answer and the Originate's timeout both run on the
    // simulator's clock, so the answer comes first however slow the machine (a test answering
    // after seeing the pop could miss the fast simulator's 0.6 s timeout).
    pbx().agent("1003")!.autoAnswer = true;
    await s.api("POST", "/api/calls/originate", { token: token["1003"], body: { number: "+14155550179" } });
    await expectEventually(() => expect(cid.of("call:offer").filter((o) => o.caller.e164 === "+14155550179")).toHaveLength(1), safety);
    const callId = cid.of("call:offer").find((o) => o.caller.e164 === "+14155550179")!.callId;
    await expectEventually(() => expect(cid.of("call:ended", callId)).toMatchObject([{ outcome: "busy", reason: "busy" }]), safety);
    pbx().agent("1003")!.autoAnswer = false;
    expect(await row(callId)).toMatchObject({ outcome: "busy", endReason: "busy", agent: "1003", calledNumber: "+14155550179" });
  });

  it("a shared number: click-to-call links the client dialled from; an inbound call links none until the agent picks one", async () => {
    const second = (await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace's Office", phones: ["+1 415 555 0123"] } })).body.id;
    const cid = await open("1003");
    pbx().agent("1003")!.autoAnswer = true; // as above: answered before the Originate's timeout
    await s.api("POST", "/api/calls/originate", { token: token["1003"], body: { number: "+14155550123", clientId: second } });
    await expectEventually(() => expect(cid.of("call:offer").filter((o) => o.caller.e164 === "+14155550123")).toHaveLength(1), safety);
    const out = cid.of("call:offer").find((o) => o.caller.e164 === "+14155550123")!.callId;
    await expectEventually(() => expect(cid.of("call:answered", out).length).toBeGreaterThanOrEqual(2), safety);
    pbx().agent("1003")!.autoAnswer = false;
    pbx().agentHangup("1003");
    expect(await row(out)).toMatchObject({ clientId: second, outcome: "reached" });

    const ann = await open("1001");
    const inbound = pbx().inboundCall({ from: "+14155550123", talkSeconds: 1000 });
    await expectEventually(() => expect(ann.of("call:offer", inbound)).toHaveLength(1), safety);
    expect(ann.of("call:offer", inbound)[0]).toMatchObject({ client: null });
    expect(ann.of("call:offer", inbound)[0].clients.map((c: { id: number }) => c.id).sort()).toEqual([grace, second].sort());
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true), safety);
    await expectEventually(() => expect(ann.of("call:answered", inbound)).toHaveLength(1), safety);
    const bad = await s.api("POST", `/api/calls/${inbound}/client`, { token: token["1001"], body: { clientId: 999999 } });
    expect(bad.status).toBe(400);
    expect((await s.api("POST", `/api/calls/${inbound}/client`, { token: token["1002"], body: { clientId: grace } })).status).toBe(403);
    const pick = await s.api("POST", `/api/calls/${inbound}/client`, { token: token["1001"], body: { clientId: grace } });
    expect(pick.status, JSON.stringify(pick.body)).toBe(202);
    await expectEventually(() => expect(tracker().calls.get(inbound)?.vars.CRM_CLIENT_ID).toBe(String(grace)), safety);
    pbx().agentHangup("1001");
    expect(await row(inbound)).toMatchObject({ clientId: grace });

    // Unpicked, a shared number links nobody; a pick after the end changes the row.
    const later = pbx().inboundCall({ from: "+14155550123", talkSeconds: 1000 });
    await expectEventually(() => expect(ann.of("call:offer", later)).toHaveLength(1), safety);
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true), safety);
    await expectEventually(() => expect(ann.of("call:answered", later)).toHaveLength(1), safety);
    pbx().agentHangup("1001");
    expect(await row(later)).toMatchObject({ clientId: null });
    expect((await s.api("POST", `/api/calls/${later}/client`, { token: token["1001"], body: { clientId: second } })).body).toEqual({ callId: later, clientId: second });
    expect(await row(later)).toMatchObject({ clientId: second });
  });
});
