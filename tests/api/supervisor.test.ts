import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Socket } from "socket.io-client";
import { consoleOn } from "../support/cluster.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

/**
 * The supervisor console against the simulator over TCP: the live board and its pushes, listen /
 * whisper / barge, acting on agents, queue limits, the board rebuilt after the PBX link drops
 * mid-call, alerts, and the TV token.
 */
describe("supervisor console (simulator over TCP, PGlite)", () => {
  let s: TestServer;
  const token: Record<string, string> = {};
  const sockets: Socket[] = [];
  const sim = () => s.app.telephony.sim!;
  const originates: string[] = [];
  const board = async (who = "mgr") => (await s.api("GET", "/api/wallboard", { token: token[who] })).body;
  const queueOf = (b: any, name: string) => b.queues.find((q: { name: string }) => q.name === name);
  const agentOf = (b: any, ext: string) => b.agents.find((a: { agent: string }) => a.agent === ext);
  let callId = "";

  beforeAll(async () => {
    s = await startTestServer({ env: { SIM_SPEED: "0.2", SPY_NOTICE: "true", WRAPUP_SECONDS: "0" } });
    const users: [string, string, string | null, string[] | null][] = [
      ["ann", "agent", "1001", null],
      ["bob", "agent", "1002", null],
      ["sam", "supervisor", "1010", ["support"]],
      ["sue", "supervisor", "1011", ["sales"]],
      ["mgr", "manager", null, null],
    ];
    for (const [u, role, ext, queues] of users) {
      const created = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role, ...(ext ? { extension: ext } : {}), displayName: u.toUpperCase() } });
      if (queues) await s.api("PUT", `/api/users/${created.body.id}/queues`, { token: s.adminToken, body: { queues } });
      token[u] = await s.login(u, `${u}-password`);
    }
    for (const ext of ["1001", "1002", "1003"]) sim().pbx.agent(ext)!.autoAnswer = false;
    const prev = sim().onAction;
    sim().onAction = (action, session, m) => {
      if (action.toLowerCase() === "originate" && m?.application === "ChanSpy") originates.push(String(m.data));
      prev(action, session, m);
    };
    await expectEventually(async () => expect(agentOf(await board(), "1003")?.state).toBe("available"));
  });
  afterAll(async () => {
    for (const x of sockets) x.close();
    await s?.close();
  });
  const open = async (who: string) => {
    const c = await consoleOn(s, token[who]!);
    sockets.push(c.socket);
    return c;
  };

  it("a waiting caller, then the agent who answers, reach the board and the supervisor's console", async () => {
    const sam = await open("sam");
    sim().pbx.inboundCall({ from: "+14155550123", did: "8005551000", talkSeconds: 600 });
    await expectEventually(async () => expect(queueOf(await board(), "support").waiting).toHaveLength(1));
    callId = queueOf(await board(), "support").waiting[0].callId;
    await expectEventually(() => expect(sam.of("wallboard:update").some((u) => queueOf(u.payload, "support")?.waiting.length === 1)).toBe(true));
    expect(sim().pbx.answer("1001")).toBe(true);
    await expectEventually(async () => expect(agentOf(await board(), "1001")).toMatchObject({ state: "on-call", call: { callId, caller: "+14155550123", queue: "support" } }));
    await expectEventually(() => expect(sam.of("wallboard:update").some((u) => agentOf(u.payload, "1001")?.call?.callId === callId)).toBe(true));
    // Versions only grow, one push at a time; a push never names a queue this supervisor does not watch.
    const versions = sam.of("wallboard:update").map((u) => u.payload.version as number);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(sam.of("wallboard:update").every((u) => u.payload.queues.every((q: { name: string }) => q.name === "support"))).toBe(true);
    expect(queueOf(await board(), "support")).toMatchObject({ waiting: [], agents: { onCall: 1 } });
  });

  it("each supervisor sees their own queues; agents may not see the board", async () => {
    expect((await board("sam")).queues.map((q: { name: string }) => q.name)).toEqual(["support"]);
    expect((await board("sue")).queues.map((q: { name: string }) => q.name)).toEqual(["sales"]);
    expect((await board("mgr")).queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(["sales", "support"]));
    expect((await s.api("GET", "/api/wallboard", { token: token.ann })).status).toBe(403);
  });

  it("listen, then whisper: the spy originate carries only validated values, the mode is remembered, the agent is told", async () => {
    const sam = await open("sam");
    const ann = await open("ann");
    const listen = await s.api("POST", "/api/supervisor/spy", { token: token.sam, body: { agent: "1001", mode: "listen" } });
    expect(listen.status).toBe(202);
    expect(listen.body).toMatchObject({ agent: "1001", mode: "listen", callId, switched: false });
    await expectEventually(() => expect(sam.of("supervisor:spy").at(-1)?.payload).toMatchObject({ agent: "1001", mode: "listen", active: true, callId }));
    await expectEventually(() => expect(ann.of("supervisor:spy").at(-1)?.payload).toMatchObject({ mode: "listen", supervisor: "SAM", active: true }));
    await expectEventually(async () => expect(agentOf(await board(), "1001").call.spy).toEqual({ mode: "listen", supervisor: "SAM" }));
    const whisper = await s.api("POST", "/api/supervisor/spy", { token: token.sam, body: { agent: "1001", mode: "whisper" } });
    expect(whisper.body).toMatchObject({ mode: "whisper", switched: true });
    await expectEventually(async () => expect(agentOf(await board(), "1001").call.spy).toEqual({ mode: "whisper", supervisor: "SAM" }));
    expect(originates).toEqual(["PJSIP/1001,qE", "PJSIP/1001,qEw"]);
    const stop = await s.api("POST", "/api/supervisor/spy/stop", { token: token.sam });
    expect(stop.body).toEqual({ stopped: true });
    await expectEventually(async () => expect(agentOf(await board(), "1001").call.spy).toBeNull());
    await expectEventually(() => expect(ann.of("supervisor:spy").at(-1)?.payload).toMatchObject({ active: false }));
    // Hostile or wrong values never reach the PBX.
    for (const body of [{ agent: "1001\r\nAction: Hangup", mode: "listen" }, { agent: "1001", mode: "shout" }, { agent: "PJSIP/1001", mode: "barge" }, { agent: "1001", mode: "listen", extra: 1 }]) {
      const r = await s.api("POST", "/api/supervisor/spy", { token: token.sam, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await s.api("POST", "/api/supervisor/spy", { token: token.mgr, body: { agent: "1001", mode: "listen" } })).body.error.code).toBe("NO_EXTENSION");
    expect((await s.api("POST", "/api/supervisor/spy", { token: token.sam, body: { agent: "1003", mode: "listen" } })).status).toBe(403);
    expect(originates).toHaveLength(2);
    const audit = (await s.api("GET", "/api/audit?action=supervisor.spy.whisper", { token: s.adminToken })).body;
    expect(audit.items[0]).toMatchObject({ actorName: "sam", target: "agent:1001" });
  });

  it("after the PBX link drops mid-call the board is rebuilt from the PBX, not left blank", async () => {
    const before = agentOf(await board(), "1001");
    expect(before.call.callId).toBe(callId);
    // The PBX refuses us until the blank state has been seen: on a busy machine the link came back
    // and the board was rebuilt before a poll could see it.
    sim().faults.refuse = true;
    try {
      sim().dropConnections();
      await expectEventually(async () => expect(agentOf(await board(), "1001").state).toBe("unknown"));
    } finally {
      sim().faults.refuse = false;
    }
    await expectEventually(async () => expect(agentOf(await board(), "1001")).toMatchObject({ state: "on-call", call: { callId, queue: "support" } }));
    expect(queueOf(await board(), "support").agents).toMatchObject({ onCall: 1 });
    // The actions link (its own connection) is back too before the next test acts on agents.
    await expectEventually(() => expect(s.app.telephony.connected).toBe(true));
  });

  it("supervisors pause, unpause, log out of a queue and add back, with reasons, within their queues", async () => {
    const act = (who: string, ext: string, action: string, body: object = {}) => s.api("POST", `/api/supervisor/agents/${ext}/${action}`, { token: token[who], body });
    expect((await act("sam", "1002", "pause", { code: "coaching", reason: "side-by-side" })).status).toBe(200);
    await expectEventually(async () => expect(agentOf(await board(), "1002")).toMatchObject({ state: "paused", reason: "coaching" }));
    expect((await act("sam", "1002", "pause", { code: "nap" })).status).toBe(400);
    expect((await act("sam", "1002", "unpause")).status).toBe(200);
    await expectEventually(async () => expect(agentOf(await board(), "1002").state).toBe("available"));
    expect((await act("sam", "1002", "logout", { queue: "support", reason: "training" })).status).toBe(200);
    await expectEventually(() => expect(sim().pbx.members.get("support")!.find((m) => m.iface === "PJSIP/1002")).toMatchObject({ paused: true, pausedReason: "logged-out" }));
    expect((await act("sam", "1002", "add", { queue: "sales" })).status).toBe(403);
    expect((await act("sam", "1002", "add", { queue: "support" })).status).toBe(200);
    await expectEventually(() => expect(sim().pbx.members.get("support")!.find((m) => m.iface === "PJSIP/1002")?.paused).toBe(false));
    expect((await act("sam", "1003", "pause")).status).toBe(403);
    expect((await act("sam", "1002", "dance")).status).toBe(404);
    expect((await act("ann", "1002", "pause")).status).toBe(403);
    const audit = (await s.api("GET", "/api/audit?action=supervisor.agent.pause", { token: s.adminToken })).body;
    expect(audit.items[0]).toMatchObject({ actorName: "sam", target: "agent:1002", details: { code: "coaching", reason: "side-by-side" } });
  });

  it("a queue crossing its threshold raises an alert on the supervisor's console", async () => {
    const sam = await open("sam");
    expect((await s.api("PUT", "/api/queues/support/targets", { token: token.mgr, body: { maxWaiting: 0 } })).status).toBe(200);
    expect((await s.api("PUT", "/api/queues/support/targets", { token: token.sam, body: { maxWaiting: 0 } })).status).toBe(403);
    sim().pbx.inboundCall({ from: "+14155550199", did: "8005551000", talkSeconds: 600 });
    await expectEventually(() => expect(sam.of("supervisor:alert").map((a) => a.payload)).toContainEqual(expect.objectContaining({ queue: "support", kind: "waiting", value: 1, threshold: 0 })));
    await expectEventually(async () => expect(queueOf(await board(), "support").breaches).toContain("waiting"));
  });

  it("the TV shows its queues with a read-only token, masks numbers, and stops when revoked", async () => {
    const created = await s.api("POST", "/api/wallboard/tokens", { token: token.mgr, body: { name: "Floor 2 TV", queues: ["support"] } });
    expect(created.status).toBe(201);
    const tv = await s.api("GET", `/api/wallboard/tv?token=${created.body.token}`, {});
    expect(tv.status).toBe(200);
    expect(tv.body.queues.map((q: { name: string }) => q.name)).toEqual(["support"]);
    expect(tv.body.screen).toBe("Floor 2 TV");
    expect(tv.body.queues[0].waiting[0]?.caller).toBe("•••0199");
    expect((await s.api("GET", "/api/wallboard/tv?token=wb_nottherightoneatallxxxxxx", {})).status).toBe(404);
    expect((await s.api("GET", "/api/wallboard/tokens", { token: token.mgr })).body.tokens[0]).not.toHaveProperty("token");
    await s.api("DELETE", `/api/wallboard/tokens/${created.body.id}`, { token: token.mgr });
    expect((await s.api("GET", "/api/wallboard/tv", { headers: { "x-wallboard-token": created.body.token } })).status).toBe(404);
  });
});
