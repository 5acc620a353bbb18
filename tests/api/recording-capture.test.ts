import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";
import { dbKinds } from "../support/databases.js";
import { tracesDir } from "../support/traces.js";
import { writeCallRecording } from "../support/wav.js";

type Span = [number, number];

/**
 * The capture side of recordings (issue 11), end to end over real TCP and real ffmpeg: the
 * simulator writes the WAVs MixMonitor would (both directions, speech-like turns, zeros while
 * muted, header-only when never bridged), the tracker keeps pause markers as file positions, and
 * the real transcripts replayed with a WAV under the captured name get their recording.
 */
describe.each(dbKinds)("recording capture (%s)", (db) => {
  let s: TestServer;
  const token: Record<string, string> = {};
  const sim = () => s.app.telephony.sim!;
  const pbx = () => sim().pbx;
  const monitor = () => s.app.config.monitorDir;
  const api = (method: string, p: string, who: string, body?: unknown) => s.api(method, p, { token: token[who], ...(body !== undefined ? { body } : {}) });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const safety = 60_000;

  /** The recording of a call once its job has settled with `status`. */
  const recordingOf = async (linkedid: string, status = "ready") => {
    let rec: any;
    await expectEventually(async () => {
      const r = await api("GET", `/api/recordings?status=${status}&limit=200`, "admin");
      rec = r.body.items.find((x: { linkedid: string }) => x.linkedid === linkedid);
      expect(rec).toBeDefined();
    }, safety, 100);
    return (await api("GET", `/api/recordings/${rec.id}`, "admin")).body;
  };
  /** Each span the server found lies in a turn the simulator wrote for that side. */
  const within = (found: Span[], turns: Span[]) => {
    // (a short call may leave one side without a turn: then nothing may be found for it)
    expect(found.length > 0 || turns.every(([t0, t1]) => t1 - t0 <= 1)).toBe(true);
    for (const [a, b] of found) expect(turns.some(([t0, t1]) => a >= t0 - 0.1 && b <= t1 + 0.1), `${a}-${b} in ${JSON.stringify(turns)}`).toBe(true);
    // and every turn longer than a second was heard
    for (const [t0, t1] of turns.filter(([x, y]) => y - x > 1)) expect(found.some(([a, b]) => a < t1 && b > t0), `turn ${t0}-${t1}`).toBe(true);
  };

  beforeAll(async () => {
    s = await startTestServer({ db, env: { SIM_SPEED: "0.05", WRAPUP_SECONDS: "0" } });
    token.admin = s.adminToken;
    for (const [u, role, ext] of [["ann", "agent", "1001"], ["sue", "supervisor", null]] as const) {
      await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role, ...(ext ? { extension: ext } : {}), displayName: u.toUpperCase() } });
      token[u] = await s.login(u, `${u}-password`);
    }
    for (const ext of ["1001", "1002", "1003"]) pbx().agent(ext)!.autoAnswer = false;
    for (const ext of ["1002", "1003"]) pbx().pauseMember(`PJSIP/${ext}`, undefined, true, "break");
    await expectEventually(() => expect([s.app.telephony.link.connected, s.app.telephony.connected]).toEqual([true, true]));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("a demo call through the simulator: a ready recording with both sides, speech where each side talked", async () => {
    // talkSeconds 100 at SIM_SPEED 0.05: five seconds of conversation, then the caller hangs up.
    const linkedid = pbx().inboundCall({ from: "+14155550123", talkSeconds: 100 });
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true), safety);
    const rec = await recordingOf(linkedid);
    const wrote = pbx().recorder!.written.get(`${linkedid}.wav`)!;
    expect(wrote.seconds).toBeGreaterThan(4);
    expect(rec).toMatchObject({ status: "ready", sides: ["mix", "caller", "agent"], muted: [] });
    expect(rec.durationSeconds).toBeCloseTo(wrote.seconds, 1);
    // Inbound: the recorded channel is the customer's; -in (received) is the caller, -out the agent.
    within(rec.speech.caller, wrote.received);
    within(rec.speech.agent, wrote.sent);
  });

  it("a click-to-call: the recorded channel is the agent's, so the sides swap", async () => {
    // Five seconds of conversation once the customer answers (talkSeconds 100 at SIM_SPEED 0.05).
    pbx().config.talkSeconds = 100;
    const placed = await api("POST", "/api/calls/originate", "ann", { number: "+14155550199" });
    expect(placed.status).toBe(202);
    await expectEventually(() => expect(pbx().originateAnswered("1001")).toBe(true), safety);
    // The customer answers after a second (at 0.05: 50 ms) and hangs up after talkSeconds.
    let linkedid = "";
    await expectEventually(async () => {
      const row = (await api("GET", "/api/calls?limit=50", "admin")).body.items.find((c: { direction: string; calledNumber: string }) => c.direction === "outbound" && c.calledNumber === "+14155550199");
      expect(row?.outcome).toBe("reached");
      linkedid = row.linkedid;
    }, safety);
    const rec = await recordingOf(linkedid);
    const wrote = pbx().recorder!.written.get(`${linkedid}.wav`)!;
    expect(rec.sides).toEqual(["mix", "caller", "agent"]);
    within(rec.speech.caller, wrote.sent);
    within(rec.speech.agent, wrote.received);
    pbx().config.talkSeconds = 20;
  });

  it("pause and resume during a call: a muted marker at the file position, silence in the file, audited", async () => {
    const linkedid = pbx().inboundCall({ from: "+14155550124", talkSeconds: 1000 });
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true), safety);
    await expectEventually(() => expect(s.app.telephony.tracker.calls.get(linkedid)?.answeredAt).toBeTruthy(), safety);
    await sleep(1200);
    expect((await api("POST", `/api/calls/${linkedid}/recording`, "ann", { paused: true })).status).toBe(202);
    await sleep(1000);
    expect((await api("POST", `/api/calls/${linkedid}/recording`, "sue", { paused: false })).status).toBe(202);
    await sleep(1200);
    expect(pbx().agentHangup("1001")).toBe(true);
    const rec = await recordingOf(linkedid);
    const wrote = pbx().recorder!.written.get(`${linkedid}.wav`)!;
    const [zeroFrom, zeroTo] = wrote.muted[0]!;
    expect(zeroTo - zeroFrom).toBeGreaterThan(0.9);
    // The marker (from the tracker's view of the AMI events) is where the PBX wrote the zeros. The
    // marker is timed by when the AMI frames arrived (the PBX stamps no time on events:
    // timestampevents is off, as in the captures), the zeros by the PBX's own clock; they differ by
    // the frames' delivery delays, milliseconds on a quiet machine, tenths of a second on a busy one.
    expect(rec.muted).toHaveLength(1);
    expect(Math.abs(rec.muted[0][0] - zeroFrom), `marker starts at ${rec.muted[0][0]}, zeros at ${zeroFrom}`).toBeLessThan(0.3);
    expect(Math.abs(rec.muted[0][1] - zeroTo), `marker ends at ${rec.muted[0][1]}, zeros at ${zeroTo}`).toBeLessThan(0.3);
    expect(rec.muted[0][0]).toBeGreaterThan(1);
    // Digital silence in the file: no speech, and the waveform is flat there (20 peaks a second).
    for (const side of ["caller", "agent"] as const) for (const [a, b] of rec.speech[side] as Span[]) expect(b <= zeroFrom + 0.05 || a >= zeroTo - 0.05, `${side} ${a}-${b}`).toBe(true);
    const flat = rec.peaks.mix.slice(Math.ceil((zeroFrom + 0.1) * 20), Math.floor((zeroTo - 0.1) * 20));
    expect(flat.length).toBeGreaterThan(10);
    expect(Math.max(...flat)).toBeLessThan(0.002);
    const audit = (await api("GET", "/api/audit?action=recording.pause&limit=20", "admin")).body.items.filter((a: { target: string }) => a.target === `call:${linkedid}`);
    expect(audit.map((a: { actorName: string; details: { paused: boolean } }) => [a.actorName, a.details.paused]).sort()).toEqual([["ann", true], ["sue", false]]);
  });

  it("an abandoned call leaves a header-only file: status empty, nothing shown", async () => {
    const linkedid = pbx().inboundCall({ from: "+14155550125", patienceSeconds: 20 });
    const rec = await recordingOf(linkedid, "empty");
    expect(rec).toMatchObject({ status: "empty", durationSeconds: null, peaks: null, speech: null });
    expect(pbx().recorder!.written.get(`${linkedid}.wav`)!.seconds).toBe(0);
    const shown = (await api("GET", "/api/recordings?limit=200", "admin")).body.items.map((x: { linkedid: string }) => x.linkedid);
    expect(shown).not.toContain(linkedid);
    await expectEventually(async () => {
      const row = (await api("GET", "/api/calls?limit=200", "admin")).body.items.find((c: { linkedid: string }) => c.linkedid === linkedid);
      expect(row).toMatchObject({ outcome: "abandoned", recordingId: null });
    }, safety);
  });

  it("a call adopted after the link came back (no MIXMONITOR_FILENAME seen) still gets its recording", async () => {
    sim().faults.refuse = true;
    sim().dropConnections();
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(false), safety);
    const linkedid = pbx().inboundCall({ from: "+14155550126", talkSeconds: 1000 });
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true), safety);
    sim().faults.refuse = false;
    await expectEventually(() => expect(s.app.telephony.tracker.calls.get(linkedid)?.adopted).toBe(true), safety);
    expect(s.app.telephony.tracker.calls.get(linkedid)!.recordingFile).toBeNull();
    await sleep(1500);
    expect(pbx().agentHangup("1001")).toBe(true);
    const rec = await recordingOf(linkedid);
    expect(rec.sides).toEqual(["mix", "caller", "agent"]);
    expect(rec.durationSeconds).toBeGreaterThan(1.4);
  });

  it("the real transcripts replayed with a WAV under the captured name get their recording", async () => {
    // two-sided-recording: MIXMONITOR_FILENAME …/1796231540.8.wav, 4.48 s bridged; -in the customer, -out the agent.
    writeCallRecording(monitor(), "1796231540.8", [{ start: 0.2, end: 2, hz: 440 }], [{ start: 2.5, end: 4.3, hz: 880 }], 4.48);
    await sim().replay(`${tracesDir}/asterisk-22.10.1-two-sided-recording.ami.log`);
    const two = await recordingOf("1796231540.8");
    expect(two).toMatchObject({ sides: ["mix", "caller", "agent"], muted: [] });
    expect(two.durationSeconds).toBeCloseTo(4.48, 1);
    expect(two.speech.caller[0][0]).toBeCloseTo(0.2, 0);
    expect(two.speech.agent[0][0]).toBeCloseTo(2.5, 0);
    // callback-originate: the agent channel's name, a PBX recording only the mixed file.
    writeCallRecording(monitor(), "1795598279.9", [{ start: 0.5, end: 3, hz: 440 }], [], 4, { sides: false });
    await sim().replay(`${tracesDir}/asterisk-22.10.1-callback-originate.ami.log`);
    const cb = await recordingOf("1795598279.9");
    expect(cb).toMatchObject({ sides: ["mix"], speech: null });
    expect(cb.durationSeconds).toBeCloseTo(4, 1);
  });
});
