import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

type Received = { event: string; payload: any; at: number };

/** An agent's console as a Socket.IO client that records everything it is sent. */
async function consoleOf(s: TestServer, token: string) {
  const socket: Socket = io(s.url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
  const got: Received[] = [];
  socket.onAny((event: string, payload: unknown) => got.push({ event, payload, at: performance.timeOrigin + performance.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  const of = (event: string) => got.filter((g) => g.event === event);
  return { socket, got, of };
}

describe("screen pop, agent status and call control (PostgreSQL, simulator over TCP)", () => {
  let s: TestServer;
  const token: Record<string, string> = {};
  let clientId: number;
  const sockets: Socket[] = [];
  const pbx = () => s.app.telephony.sim!.pbx;

  beforeAll(async () => {
    s = await startTestServer({ db: "postgres", env: { SIM_SPEED: "0.2", WRAPUP_SECONDS: "60" } });
    for (const [u, ext] of [["ann", "1001"], ["bob", "1002"], ["cid", "1003"]] as const) {
      await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role: "agent", extension: ext, displayName: u.toUpperCase() } });
      token[ext] = await s.login(u, `${u}-password`);
      pbx().agent(ext)!.autoAnswer = false;
    }
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "noext", password: "noext-password", role: "agent" } });
    token.none = await s.login("noext", "noext-password");
    const c = await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace Hopper", company: "Navy", stage: "regular", tags: ["vip"], vip: true, phones: ["+1 415 555 0123"] } });
    clientId = c.body.id;
    await s.api("POST", `/api/clients/${clientId}/notes`, { token: s.adminToken, body: { body: "Prefers morning calls" } });
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true));
  });
  afterAll(async () => {
    for (const x of sockets) x.close();
    await s?.close();
  });

  const open = async (ext: string) => {
    const c = await consoleOf(s, token[ext]!);
    sockets.push(c.socket);
    return c;
  };

  it("pops the known caller's card on every ringing agent before answer, and on no one else", async () => {
    const [ann, bob, cid] = [await open("1001"), await open("1002"), await open("1003")];
    const callId = pbx().inboundCall({ from: "+14155550123", name: "Customer", talkSeconds: 100 });
    await expectEventually(() => {
      expect(ann.of("call:offer")).toHaveLength(1);
      expect(bob.of("call:offer")).toHaveLength(1);
    });
    const offer = ann.of("call:offer")[0]!.payload;
    expect(offer).toMatchObject({
      callId, direction: "inbound", state: "ringing", queue: "support",
      caller: { number: "+14155550123", e164: "+14155550123", withheld: false, valid: true },
      dialed: { number: "8005551000", label: "Support line" },
      client: { id: clientId, name: "Grace Hopper", company: "Navy", stage: "regular", vip: true, tags: ["vip"] },
      answeredAt: null, callbacks: [], script: null,
    });
    expect(offer.history.map((h: { type: string }) => h.type)).toContain("note");
    expect(offer.timing.sentAt).toBeGreaterThanOrEqual(offer.timing.amiAt);
    expect(offer.timing.sentAt - offer.timing.amiAt).toBeLessThan(1000);
    // Nobody answered yet when the cards arrived.
    expect(s.app.telephony.tracker.calls.get(callId)!.answeredAt).toBeNull();
    expect(cid.of("call:offer")).toHaveLength(0);

    expect(pbx().answer("1001")).toBe(true);
    await expectEventually(() => {
      expect(bob.of("call:withdrawn").map((g) => g.payload)).toEqual([{ callId, reason: "answered-elsewhere" }]);
      expect(ann.of("call:answered").map((g) => g.payload.callId)).toEqual([callId]);
    });
    // The console that reloads mid-call gets its working call back at once.
    const ws = await s.api("GET", "/api/me/workspace", { token: token["1001"] });
    expect(ws.body.calls).toHaveLength(1);
    expect(ws.body.calls[0]).toMatchObject({ callId, state: "talking", client: { name: "Grace Hopper" } });
    expect((await s.api("GET", "/api/me/workspace", { token: token["1002"] })).body.calls).toEqual([]);

    // Only the agent on the call may hang it up.
    expect((await s.api("POST", `/api/calls/${callId}/hangup`, { token: token["1002"] })).status).toBe(403);
    expect((await s.api("POST", `/api/calls/${callId}/hangup`, { token: token["1001"] })).status).toBe(204);
    await expectEventually(() => expect(ann.of("call:ended").map((g) => g.payload)).toEqual([{ callId, outcome: "answered", reason: null, talkSeconds: expect.any(Number), wrapup: true }]));
    await expectEventually(async () => expect((await s.api("GET", "/api/me/workspace", { token: token["1001"] })).body.status).toMatchObject({ state: "wrap-up", reason: "after-call-work" }));
    expect(ann.of("agent:state").some((g) => g.payload.state === "wrap-up")).toBe(true);

    const bad = await s.api("POST", `/api/calls/${callId}/wrapup`, { token: token["1001"], body: { disposition: "Great" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("disposition");
    expect((await s.api("POST", `/api/calls/${callId}/wrapup`, { token: token["1002"], body: { disposition: "Resolved" } })).status).toBe(403);
    const w = await s.api("POST", `/api/calls/${callId}/wrapup`, { token: token["1001"], body: { disposition: "Resolved", note: "Reset her password" } });
    expect(w.status).toBe(200);
    expect(w.body).toMatchObject({ disposition: "Resolved", wrapupNote: "Reset her password", clientId });
    const timeline = await s.api("GET", `/api/clients/${clientId}/timeline`, { token: token["1002"] });
    expect(timeline.body.items.find((i: { type: string }) => i.type === "note").body).toBe("Inbound call · Resolved\nReset her password");
    // Saving the wrap-up makes the agent available again on the PBX.
    await expectEventually(async () => expect((await s.api("GET", "/api/me/workspace", { token: token["1001"] })).body.status.state).toBe("available"));
  });

  it("gives unknown and withheld callers a card that says so", async () => {
    const ann = await open("1001");
    // One at a time: a ringing phone is not offered a second call (ringinuse = no).
    const unknown = pbx().inboundCall({ from: "+12125550100", name: "Someone", patienceSeconds: 1 });
    await expectEventually(() => expect(ann.of("call:withdrawn")).toHaveLength(1), 5000);
    const withheld = pbx().inboundCall({ from: "<unknown>", patienceSeconds: 1 });
    await expectEventually(() => expect(ann.of("call:offer")).toHaveLength(2));
    const byId = Object.fromEntries(ann.of("call:offer").map((g) => [g.payload.callId, g.payload]));
    expect(byId[unknown]).toMatchObject({ client: null, clients: [], caller: { e164: "+12125550100", withheld: false } });
    expect(byId[withheld]).toMatchObject({ client: null, caller: { withheld: true, e164: null } });
    await expectEventually(() => expect(ann.of("call:withdrawn").map((g) => g.payload.reason).sort()).toEqual(["caller-left", "caller-left"]), 5000);
    // Both rang agent 1001 and ended unanswered: they are the agent's missed calls.
    await s.app.telephony.journal.flush();
    const missed = await s.api("GET", "/api/calls?missedBy=me", { token: token["1001"] });
    expect(missed.body.items.map((c: { linkedid: string }) => c.linkedid).sort()).toEqual([unknown, withheld].sort());
  });

  it("withdraws the card when the member ring times out", async () => {
    const ann = await open("1001");
    // Patience 30 s × speed 0.2 = 6 s: longer than one ring round.
    const callId = pbx().inboundCall({ from: "+14155550123", patienceSeconds: 30 });
    await expectEventually(() => expect(ann.of("call:offer")).toHaveLength(1));
    // timeout 15 s × speed 0.2 = 3 s, then a new round rings again.
    await expectEventually(() => expect(ann.of("call:withdrawn").map((g) => g.payload)).toContainEqual({ callId, reason: "no-answer" }), 6000);
    await expectEventually(() => expect(ann.of("call:offer").length).toBeGreaterThanOrEqual(2), 6000);
    await expectEventually(() => expect(ann.of("call:withdrawn").map((g) => g.payload.reason)).toContain("caller-left"), 8000);
  }, 30_000);

  it("lists every client of a shared number on the card", async () => {
    await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Second Owner", phones: ["+1 415 555 0123"] } });
    const ann = await open("1001");
    pbx().inboundCall({ from: "+14155550123", patienceSeconds: 1 });
    await expectEventually(() => expect(ann.of("call:offer")).toHaveLength(1));
    expect(ann.of("call:offer")[0]!.payload.clients.map((c: { name: string }) => c.name)).toEqual(["Grace Hopper", "Second Owner"]);
    await expectEventually(() => expect(ann.of("call:withdrawn")).toHaveLength(1), 5000);
  });

  it("click-to-call rings the agent's phone first with the customer's card, within the dialing rules", async () => {
    const cid = await open("1003");
    const r = await s.api("POST", "/api/calls/originate", { token: token["1003"], body: { number: "(415) 555-0123", clientId } });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ number: "+14155550123" });
    await expectEventually(() => expect(cid.of("call:offer")).toHaveLength(1));
    expect(cid.of("call:offer")[0]!.payload).toMatchObject({ direction: "outbound", state: "ringing", caller: { e164: "+14155550123" }, client: { name: "Grace Hopper" } });
    await s.api("POST", "/api/demo/phone/answer", { token: token["1003"] });
    await expectEventually(() => expect(cid.of("call:answered")).toHaveLength(1), 5000);
    await s.api("POST", "/api/demo/phone/hangup", { token: token["1003"] });
    await expectEventually(() => expect(cid.of("call:ended")).toHaveLength(1), 5000);

    for (const [number, status, code] of [
      ["+1 900 555 0100", 403, "DIALING_RULES"],
      ["+49 30 12345678", 403, "DIALING_RULES"],
      ["call me", 400, "VALIDATION"],
      ["+1415555\r\n0123", 400, "VALIDATION"],
      ["1002", 400, "VALIDATION"],
    ] as const) {
      const bad = await s.api("POST", "/api/calls/originate", { token: token["1003"], body: { number } });
      expect(bad.status, number).toBe(status);
      expect(bad.body.error.code, number).toBe(code);
    }
    expect((await s.api("POST", "/api/calls/originate", { token: token.none, body: { number: "+14155550123" } })).status).toBe(409);
  });

  it("sets the agent's status on the PBX and reports what the PBX then believes", async () => {
    const r = await s.api("POST", "/api/me/status", { token: token["1002"], body: { state: "paused", reason: "lunch" } });
    expect(r.body).toMatchObject({ agent: "1002", state: "paused", reason: "lunch" });
    expect(pbx().members.get("support")!.find((m) => m.iface === "PJSIP/1002")).toMatchObject({ paused: true, pausedReason: "lunch" });
    const bad = await s.api("POST", "/api/me/status", { token: token["1002"], body: { state: "paused", reason: "nap" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("reason");
    expect((await s.api("POST", "/api/me/status", { token: token["1002"], body: { state: "logged-out" } })).body.state).toBe("logged-out");
    expect((await s.api("POST", "/api/me/status", { token: token["1002"], body: { state: "available" } })).body.state).toBe("available");
    expect((await s.api("POST", "/api/me/status", { token: token.none, body: { state: "available" } })).status).toBe(409);
  });

  it("transfers the agent's call to a queue", async () => {
    const [ann, bob] = [await open("1001"), await open("1002")];
    const callId = pbx().inboundCall({ from: "+14155550123", talkSeconds: 100 });
    await expectEventually(() => expect(ann.of("call:offer")).toHaveLength(1));
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true));
    await expectEventually(() => expect(ann.of("call:answered")).toHaveLength(1));
    const bad = await s.api("POST", `/api/calls/${callId}/transfer`, { token: token["1001"], body: { to: "sales\r\nAction: Hangup" } });
    expect(bad.status).toBe(400);
    expect((await s.api("POST", `/api/calls/${callId}/transfer`, { token: token["1001"], body: { to: "sales" } })).status).toBe(202);
    await expectEventually(() => expect(ann.of("call:transferred").map((g) => g.payload)).toEqual([{ callId, to: "sales" }]));
    // The sales queue rings someone else, who gets the card of the same conversation.
    await expectEventually(() => expect([...bob.of("call:offer"), ...ann.of("call:offer").slice(1)].some((g) => g.payload.callId === callId)).toBe(true), 5000);
    pbx().hangupByChannel(pbx().liveChannels().find((c) => c.linkedid === callId && c.name.includes("trunk"))!.name);
  });
});
