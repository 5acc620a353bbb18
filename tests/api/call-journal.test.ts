import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";
import { tracesDir } from "../support/traces.js";

/**
 * The whole chain: simulator → AMI over TCP → asterisk-manager → tracker → journal in the
 * database → GET /api/calls and the client's timeline, including the PBX link dropping mid-call.
 */
describe.each(dbKinds)("call journal through the simulator on %s", (db) => {
  let s: TestServer;
  let clientId: number;
  beforeAll(async () => {
    s = await startTestServer({ db, env: { SIM_SPEED: "0.02", WRAPUP_SECONDS: "0" } });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "one", password: "agent-pass-1", role: "agent", extension: "1001", displayName: "Agent One" } });
    const c = await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Customer Example", phones: ["+1 415 555 0123"] } });
    clientId = c.body.id;
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true));
  });
  afterAll(async () => s?.close());

  const sim = () => s.app.telephony.sim!;
  const calls = async (query = "") => (await s.api("GET", `/api/calls${query}`, { token: s.adminToken })).body;
  const journalRow = async (linkedid: string) => {
    let row: any;
    await expectEventually(async () => {
      row = (await calls("?limit=500")).items.find((c: { linkedid: string }) => c.linkedid === linkedid);
      expect(row).toBeDefined();
    }, 8000);
    return row;
  };

  it("journals a replayed real transcript once, matched to the client, and shows it on the timeline", async () => {
    await sim().replay(`${tracesDir}/asterisk-22.10.1-inbound-answered.ami.log`);
    const row = await journalRow("1795598250.0");
    expect(row).toMatchObject({
      direction: "inbound", callerNumber: "+14155550123", calledNumber: "8005551000", queue: "support", agent: "1001",
      agentUser: { displayName: "Agent One" }, clientId, client: { name: "Customer Example" }, outcome: "answered",
      waitSeconds: 2, talkSeconds: 4, hangupCause: 16, recordingId: null,
    });
    // The same transcript again (a replayed stream, a duplicate report) is still one row.
    await sim().replay(`${tracesDir}/asterisk-22.10.1-inbound-answered.ami.log`);
    await s.app.telephony.journal.flush();
    await new Promise((r) => setTimeout(r, 200));
    await s.app.telephony.journal.flush();
    expect((await calls("?limit=500")).items.filter((c: { linkedid: string }) => c.linkedid === "1795598250.0")).toHaveLength(1);
    const timeline = await s.api("GET", `/api/clients/${clientId}/timeline`, { token: s.adminToken });
    expect(timeline.body.items.find((i: { type: string }) => i.type === "call")).toMatchObject({ outcome: "answered", agent: "1001", queue: "support" });
  });

  it("follows a simulated queue call from ring to hang-up", async () => {
    const linkedid = sim().pbx.inboundCall({ from: "+14155550123", name: "Customer", talkSeconds: 2 });
    const row = await journalRow(linkedid);
    expect(row).toMatchObject({ outcome: "answered", queue: "support", clientId, endedWhileDisconnected: false });
    expect(["1001", "1002"]).toContain(row.agent);
    expect(row.segments.length).toBeGreaterThanOrEqual(2);
  });

  it("closes once, with the right outcome, a call that ended while the PBX link was down", async () => {
    const linkedid = sim().pbx.inboundCall({ from: "+14155550123", talkSeconds: 1000 });
    await expectEventually(() => expect(s.app.telephony.tracker.calls.get(linkedid)?.answeredAt).toBeTruthy(), 5000);
    const agent = s.app.telephony.tracker.calls.get(linkedid)!.agent!;
    sim().faults.refuse = true;
    sim().dropConnections();
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(false));
    // The agent hangs up while we are blind: nobody hears the Hangup events.
    expect(sim().pbx.agentHangup(agent)).toBe(true);
    sim().faults.refuse = false;
    const row = await journalRow(linkedid);
    expect(row).toMatchObject({ outcome: "answered", agent, endedWhileDisconnected: true });
    expect((await calls("?limit=500")).items.filter((c: { linkedid: string }) => c.linkedid === linkedid)).toHaveLength(1);
  });

  it("marks a caller who vanished from the queue while we were blind as abandoned", async () => {
    // Nobody answers: every agent is paused in the simulator.
    for (const ext of ["1001", "1002", "1003"]) sim().pbx.pauseMember(`PJSIP/${ext}`, undefined, true, "test");
    const linkedid = sim().pbx.inboundCall({ from: "+14155550199", patienceSeconds: 1000 });
    await expectEventually(() => expect(s.app.telephony.tracker.calls.get(linkedid)?.queue).toBe("support"));
    sim().faults.refuse = true;
    sim().dropConnections();
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(false));
    sim().pbx.hangupByChannel(sim().pbx.liveChannels().find((c) => c.linkedid === linkedid)!.name);
    sim().faults.refuse = false;
    const row = await journalRow(linkedid);
    expect(row).toMatchObject({ outcome: "abandoned", agent: null, endedWhileDisconnected: true });
    for (const ext of ["1001", "1002", "1003"]) sim().pbx.pauseMember(`PJSIP/${ext}`, undefined, false, "");
  });

  it("adopts a call that started while the link was down and journals it when it ends", async () => {
    sim().faults.refuse = true;
    sim().dropConnections();
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(false));
    const linkedid = sim().pbx.inboundCall({ from: "+14155550123", talkSeconds: 1000 });
    // Answered (ring 1.5 s × 0.02) before we are back: the PBX has the agent's leg in a bridge.
    await expectEventually(() => expect(sim().pbx.liveChannels().some((c) => c.linkedid === linkedid && c.name.startsWith("PJSIP/100") && sim().pbx.bridgeOf(c.name))).toBe(true));
    sim().faults.refuse = false;
    await expectEventually(() => expect(s.app.telephony.tracker.calls.get(linkedid)?.adopted).toBe(true), 5000);
    const live = await s.api("GET", "/api/calls/live", { token: s.adminToken });
    expect(live.body.items.map((c: { linkedid: string }) => c.linkedid)).toContain(linkedid);
    const agent = s.app.telephony.tracker.calls.get(linkedid)!.agent!;
    expect(agent).toMatch(/^100\d$/);
    sim().pbx.agentHangup(agent);
    const row = await journalRow(linkedid);
    expect(row).toMatchObject({ outcome: "answered", agent, endedWhileDisconnected: false });
    // Its times come from the PBX's own count of the channels' age, not from the moment of adoption.
    const [started, answered, ended] = [row.startedAt, row.answeredAt, row.endedAt].map((t: string) => new Date(t).getTime());
    expect(started).toBeLessThanOrEqual(answered!);
    expect(answered).toBeLessThanOrEqual(ended!);
  });

  it("closes the calls a PBX restart ended", async () => {
    const linkedid = sim().pbx.inboundCall({ from: "+14155550123", talkSeconds: 1000 });
    await expectEventually(() => expect(s.app.telephony.tracker.calls.get(linkedid)?.answeredAt).toBeTruthy(), 5000);
    await sim().restart(300);
    const row = await journalRow(linkedid);
    expect(row).toMatchObject({ outcome: "answered", endedWhileDisconnected: true });
    expect(s.app.telephony.tracker.calls.size).toBe(0);
  });

  it("filters the journal by agent, queue, client, outcome and date, and pages", async () => {
    expect((await calls(`?clientId=${clientId}&outcome=answered`)).items.length).toBeGreaterThanOrEqual(3);
    expect((await calls("?outcome=abandoned")).items).toHaveLength(1);
    expect((await calls("?queue=sales")).items).toHaveLength(0);
    expect((await calls("?agent=1001")).items.every((c: { agent: string }) => c.agent === "1001")).toBe(true);
    expect((await calls(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toHaveLength(0);
    const page1 = await calls("?limit=2");
    const page2 = await calls(`?limit=2&cursor=${page1.next}`);
    expect(page1.items).toHaveLength(2);
    expect(page2.items[0].id).toBeLessThan(page1.items[1].id);
    const bad = await s.api("GET", "/api/calls?outcome=great", { token: s.adminToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("outcome");
  });

  it("shows agent states as the PBX believes them", async () => {
    const states = (await s.api("GET", "/api/agents/states", { token: s.adminToken })).body.items;
    expect(states.map((a: { agent: string }) => a.agent).sort()).toEqual(["1001", "1002", "1003"]);
    sim().pbx.pauseMember("PJSIP/1002", undefined, true, "lunch");
    await expectEventually(async () => {
      const st = (await s.api("GET", "/api/agents/states", { token: s.adminToken })).body.items.find((a: { agent: string }) => a.agent === "1002");
      expect(st).toMatchObject({ state: "paused", reason: "lunch" });
    });
  });
});
