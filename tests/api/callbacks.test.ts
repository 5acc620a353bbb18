import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { consoleOn } from "../support/cluster.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";
import { tracesDir } from "../support/traces.js";

/** A console over Socket.IO (tests/support/cluster.ts), read by payload. */
async function consoleOf(s: TestServer, token: string) {
  const c = await consoleOn(s, token);
  return { ...c, of: (event: string) => c.of(event).map((g) => g.payload) };
}

/** Every hour of every day: the tests must not depend on when they run. */
const always = { minAbandonSeconds: 1, timezone: "UTC", hours: null, holidays: [], callWindow: ["00:00", "24:00"], maxAttempts: 2, targetMinutes: 60 };

/**
 * Callbacks on the simulator over TCP: from an abandoned call, the IVR (the real transcript
 * replayed) and agents; dispatched fairly to a free agent, dialled once, closed by the call's
 * outcome; a customer who gets through by themselves; the website endpoint under hostile input.
 */
describe("callbacks (PGlite, simulator over TCP)", () => {
  let s: TestServer;
  const token: Record<string, string> = {};
  const sockets: Socket[] = [];
  const sim = () => s.app.telephony.sim!;
  const api = (method: string, p: string, who: string, body?: unknown, headers?: Record<string, string>) => s.api(method, p, { token: token[who], ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  const originates: string[] = [];

  beforeAll(async () => {
    s = await startTestServer({ env: { SIM_SPEED: "0.05", WRAPUP_SECONDS: "0", CALLBACK_AUTODIAL_SECONDS: "2" } });
    token.admin = s.adminToken;
    for (const [u, role, ext] of [["ann", "agent", "1001"], ["bob", "agent", "1002"], ["sue", "supervisor", null]] as const) {
      await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role, ...(ext ? { extension: ext } : {}), displayName: u.toUpperCase() } });
      token[u] = await s.login(u, `${u}-password`);
    }
    for (const ext of ["1001", "1002", "1003"]) sim().pbx.agent(ext)!.autoAnswer = false;
    // Only Ann takes calls: Bob and Cid are on a break.
    for (const ext of ["1002", "1003"]) sim().pbx.pauseMember(`PJSIP/${ext}`, undefined, true, "break");
    for (const q of ["support", "sales"]) expect((await api("PUT", `/api/callbacks/settings/${q}`, "admin", always)).status).toBe(200);
    sim().onAction = (action) => {
      if (action === "originate") originates.push(action);
    };
    await expectEventually(async () => expect((await api("GET", "/api/agents/states", "admin")).body.items.find((a: { agent: string }) => a.agent === "1001")?.state).toBe("available"));
  });
  afterAll(async () => {
    for (const x of sockets) x.close();
    await s?.close();
  });

  it("an abandoned call that waited long enough becomes a callback, offered to the free agent with the card, dialled once, and reached", async () => {
    const ann = await consoleOf(s, token.ann!);
    sockets.push(ann.socket);
    // Ann is busy on another call while the customer waits and gives up.
    sim().pbx.pauseMember("PJSIP/1001", undefined, true, "break");
    const abandoned = sim().pbx.inboundCall({ from: "+14155550177", name: "Dora", patienceSeconds: 40 });
    let cb: any;
    await expectEventually(async () => {
      cb = (await api("GET", "/api/callbacks?number=%2B14155550177", "admin")).body.items[0];
      expect(cb).toMatchObject({ source: "abandoned", queue: "support", status: "pending", originLinkedid: abandoned, name: "Dora" });
    }, 30_000);
    const before = originates.length;
    sim().pbx.pauseMember("PJSIP/1001", undefined, false, "");
    await expectEventually(() => expect(ann.of("callback:offer").map((o) => o.callback.id)).toContain(cb.id), 30_000);
    const offer = ann.of("callback:offer").find((o) => o.callback.id === cb.id);
    expect(offer.card.caller.e164).toBe("+14155550177");
    // Ann accepts: the PBX rings her phone first; she answers; the customer answers.
    expect((await api("POST", `/api/callbacks/${cb.id}/accept`, "ann")).status).toBe(202);
    expect((await api("POST", `/api/callbacks/${cb.id}/accept`, "ann")).status).toBe(409);
    await expectEventually(() => expect(sim().pbx.originateAnswered("1001")).toBe(true), 15_000);
    await expectEventually(async () => {
      const live = (await api("GET", "/api/calls/live", "admin")).body.items.find((c: { direction: string }) => c.direction === "outbound");
      expect(live?.answeredAt).toBeTruthy();
    }, 15_000);
    expect(sim().pbx.agentHangup("1001")).toBe(true);
    await expectEventually(async () => expect((await api("GET", `/api/callbacks/${cb.id}`, "admin")).body).toMatchObject({ status: "done", outcome: "reached", attempts: 1, callIds: [expect.any(String)] }), 30_000);
    expect(originates.length - before).toBe(1);
  });

  it("a caller still waiting who joined before the callback's place goes first", async () => {
    sim().pbx.pauseMember("PJSIP/1001", undefined, true, "break");
    const waiting = sim().pbx.inboundCall({ from: "+14155550166", patienceSeconds: 600, talkSeconds: 600 });
    await expectEventually(async () => expect((await api("GET", "/api/calls/live", "admin")).body.items.some((c: { linkedid: string; queue: string }) => c.linkedid === waiting && c.queue === "support")).toBe(true));
    const { body: cb } = await api("POST", "/api/callbacks", "sue", { number: "+1 415 555 0155", queue: "support", note: "asked by mail" });
    expect(cb).toMatchObject({ source: "agent", status: "pending", number: "+14155550155" });
    const before = originates.length;
    sim().pbx.pauseMember("PJSIP/1001", undefined, false, "");
    // The waiting caller rings Ann; the callback stays pending meanwhile.
    await expectEventually(() => expect(sim().pbx.answer("1001")).toBe(true), 15_000);
    expect((await api("GET", `/api/callbacks/${cb.id}`, "admin")).body.status).toBe("pending");
    expect(sim().pbx.agentHangup("1001")).toBe(true);
    // Now Ann is free and nobody waits: the callback is offered and dials by itself (no accept).
    await expectEventually(async () => expect((await api("GET", `/api/callbacks/${cb.id}`, "admin")).body.status).toBe("dialing"), 30_000);
    expect(originates.length - before).toBe(1);
    // Ann's phone rings for it but she does not pick up: not the customer's attempt.
    await expectEventually(async () => expect((await api("GET", `/api/callbacks/${cb.id}`, "admin")).body).toMatchObject({ status: expect.stringMatching(/pending|offered|dialing/) }));
    expect((await api("PATCH", `/api/callbacks/${cb.id}`, "bob", { status: "cancelled" })).status).toBe(403);
    await expectEventually(async () => {
      const r = await api("PATCH", `/api/callbacks/${cb.id}`, "sue", { status: "cancelled" });
      expect(r.status).toBe(200);
    }, 60_000);
    expect((await api("GET", `/api/callbacks/${cb.id}`, "admin")).body).toMatchObject({ status: "cancelled", outcome: "cancelled" });
    for (const c of (await api("GET", "/api/calls/live", "admin")).body.items) if (c.agent === "1001" || c.callerNumber === "1001") sim().pbx.agentHangup("1001");
  });

  it("a second request for the same number and queue is merged, and a customer who gets through closes it", async () => {
    sim().pbx.pauseMember("PJSIP/1001", undefined, true, "break");
    const due = new Date(Date.now() + 3600_000).toISOString();
    const a = await api("POST", "/api/callbacks", "ann", { number: "(415) 555-0144", dueAt: due, note: "first" });
    expect(a.status).toBe(201);
    const b = await api("POST", "/api/callbacks", "ann", { number: "+14155550144", dueAt: due, note: "second" });
    expect(b.status).toBe(200);
    expect(b.body).toMatchObject({ id: a.body.id, merged: true, note: "first\nsecond" });
    // The customer calls in and is answered: the pending callback is done, reached by the customer.
    sim().pbx.pauseMember("PJSIP/1001", undefined, false, "");
    sim().pbx.inboundCall({ from: "+14155550144", talkSeconds: 600 });
    await expectEventually(() => expect(sim().pbx.answer("1001")).toBe(true), 15_000);
    expect(sim().pbx.agentHangup("1001")).toBe(true);
    await expectEventually(async () => expect((await api("GET", `/api/callbacks/${a.body.id}`, "admin")).body).toMatchObject({ status: "done", outcome: "reached-by-customer" }), 15_000);
  });

  it("the IVR transcript replayed creates an IVR callback in its queue, keeping the caller's place (the call's arrival, not the key press)", async () => {
    sim().pbx.pauseMember("PJSIP/1001", undefined, true, "break");
    await sim().replay(`${tracesDir}/asterisk-22.10.1-ivr-callback-request.ami.log`);
    let cb: any;
    await expectEventually(async () => {
      cb = (await api("GET", "/api/callbacks?number=%2B14155550123", "admin")).body.items.find((x: { source: string }) => x.source === "ivr");
      expect(cb).toBeDefined();
    }, 15_000);
    expect(cb).toMatchObject({ queue: "support", originLinkedid: "1795599361.110", status: "pending" });
    // Uniqueid 1795599361 is the arrival; JoinedAt 1795599363 is when "1" was pressed.
    expect(new Date(cb.originalQueuedAt).getTime()).toBe(1795599361_000);
    await api("PATCH", `/api/callbacks/${cb.id}`, "admin", { status: "cancelled" });
  });

  it("a queue caller who presses 1 leaves the queue through the IVR and gets one IVR callback keeping their queue-join time as place", async () => {
    sim().pbx.pauseMember("PJSIP/1001", undefined, true, "break");
    const waiting = sim().pbx.inboundCall({ from: "+14155550188", name: "Eve", patienceSeconds: 600 });
    let queuedAt = 0;
    // Waiting in the queue for more than a second, so the key press and the join are apart.
    await expectEventually(() => {
      const live = s.app.telephony.tracker.calls.get(waiting);
      expect(live?.queue).toBe("support");
      queuedAt = live!.queuedAt!.getTime();
      expect(Date.now() - queuedAt).toBeGreaterThan(1100);
    }, 10_000);
    const pressedAt = Date.now();
    expect(sim().pbx.pressForCallback(waiting)).toBe(true);
    expect(sim().pbx.waiting("support").some((w) => w.channel.linkedid === waiting)).toBe(false);
    let cb: any;
    await expectEventually(async () => {
      cb = (await api("GET", "/api/callbacks?number=%2B14155550188", "admin")).body.items[0];
      expect(cb).toMatchObject({ source: "ivr", queue: "support", originLinkedid: waiting, status: "pending" });
    }, 15_000);
    expect(new Date(cb.originalQueuedAt).getTime()).toBe(queuedAt);
    expect(queuedAt).toBeLessThan(pressedAt - 1000);
    // The call ends (journaled), and its leaving the queue does not add an "abandoned" callback.
    await expectEventually(async () => expect((await api("GET", "/api/calls/live", "admin")).body.items.some((c: { linkedid: string }) => c.linkedid === waiting)).toBe(false), 15_000);
    const all = (await api("GET", "/api/callbacks?number=%2B14155550188", "admin")).body.items;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: cb.id, source: "ivr", note: "Asked for a callback in the IVR" });
    await api("PATCH", `/api/callbacks/${cb.id}`, "admin", { status: "cancelled" });
  });

  it("the website endpoint refuses hostile input: CR/LF, letters, premium numbers, foreign origins, unknown keys, floods, bots", async () => {
    const site = await api("POST", "/api/callbacks/sites", "admin", { name: "Shop", origins: ["https://shop.example"], queue: "sales" });
    expect(site.status).toBe(201);
    const post = (body: unknown, origin = "https://shop.example", ip = "198.51.100.7") =>
      fetch(`${s.url}/api/public/callbacks`, { method: "POST", headers: { "content-type": "application/json", origin, "x-forwarded-for": ip }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => null)) as any, headers: r.headers }));
    const key = site.body.siteKey;
    const pre = await fetch(`${s.url}/api/public/callbacks`, { method: "OPTIONS", headers: { origin: "https://shop.example", "access-control-request-method": "POST" } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect((await fetch(`${s.url}/api/public/callbacks`, { method: "OPTIONS", headers: { origin: "https://evil.example" } })).status).toBe(403);

    expect(await post({ siteKey: key, number: "+14155550133\r\nAction: Originate" })).toMatchObject({ status: 400, body: { error: { field: expect.stringMatching(/number/) } } });
    expect((await post({ siteKey: key, number: "call me maybe" }, undefined, "198.51.100.8")).status).toBe(400);
    const premium = await post({ siteKey: key, number: "+1 900 555 0199" }, undefined, "198.51.100.9");
    expect(premium.status).toBe(400);
    expect(premium.body.error.message).toMatch(/number/);
    expect((await post({ siteKey: key, number: "+14155550133" }, "https://evil.example", "198.51.100.10")).status).toBe(403);
    expect((await post({ siteKey: "site_unknownunknownunknown", number: "+14155550133" }, undefined, "198.51.100.11")).status).toBe(403);
    expect((await post({ number: "+14155550133" }, undefined, "198.51.100.12")).body.error.field).toBe("siteKey");
    // A bot fills the hidden field: answered like a success, nothing stored.
    expect((await post({ siteKey: key, number: "+14155550122", website: "http://spam" }, undefined, "198.51.100.13")).status).toBe(202);
    expect((await api("GET", "/api/callbacks?number=%2B14155550122", "admin")).body.items).toEqual([]);
    // A real request.
    const ok = await post({ siteKey: key, number: "(415) 555-0111", name: "Web Visitor" }, undefined, "198.51.100.14");
    expect(ok.status).toBe(202);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect((await api("GET", "/api/callbacks?number=%2B14155550111", "admin")).body.items[0]).toMatchObject({ source: "web", queue: "sales", name: "Web Visitor" });
    // A flood from one address is limited (5 in 10 minutes), with Retry-After.
    const flood = [];
    for (let i = 0; i < 7; i++) flood.push(await post({ siteKey: key, number: `+1415555020${i}` }, undefined, "203.0.113.99"));
    expect(flood.slice(0, 5).map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    expect(flood[5]!.status).toBe(429);
    expect(Number(flood[5]!.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
