import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";
import { dbKinds } from "../support/databases.js";
import { writeCallRecording } from "../support/wav.js";

const GRACE = "+14155550123";

/**
 * Recordings end to end: a simulated call over TCP whose raw WAVs sit in MONITOR_DIR under the
 * name the PBX gave (MIXMONITOR_FILENAME), the job (real ffmpeg), the journal link, search, the
 * audio with HTTP Range, who may hear what, the audit, retention, legal holds and erasure.
 */
describe.each(dbKinds)("recordings (%s)", (db) => {
  let s: TestServer;
  const token: Record<string, string> = {};
  let graceId: number;
  const sim = () => s.app.telephony.sim!.pbx;
  const monitor = () => s.app.config.monitorDir;
  const api = (method: string, p: string, who: string, body?: unknown, headers?: Record<string, string>) => s.api(method, p, { token: token[who], ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });

  /** A customer call to the support queue, answered by 1001, recorded as the dialplan would, then hung up. */
  async function recordedCall(from: string, seconds = 8): Promise<string> {
    const id = sim().inboundCall({ from, talkSeconds: 600 });
    await expectEventually(() => expect(sim().answer("1001")).toBe(true));
    writeCallRecording(monitor(), id, [{ start: 0.3, end: 2, hz: 440 }], [{ start: 2.5, end: 4, hz: 880 }], seconds);
    expect(sim().agentHangup("1001")).toBe(true);
    return id;
  }
  const readyRecording = async (linkedid: string) => {
    let rec: any;
    await expectEventually(async () => {
      const r = await api("GET", `/api/recordings?status=ready&limit=200`, "admin");
      rec = r.body.items.find((x: { linkedid: string }) => x.linkedid === linkedid);
      expect(rec).toBeDefined();
    }, 60_000, 100);
    return rec;
  };

  beforeAll(async () => {
    s = await startTestServer({ db, env: { SIM_SPEED: "0.05", WRAPUP_SECONDS: "0" } });
    token.admin = s.adminToken;
    for (const [u, role, ext] of [["ann", "agent", "1001"], ["sue", "supervisor", null], ["max", "manager", null]] as const) {
      const created = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role, ...(ext ? { extension: ext } : {}), displayName: u.toUpperCase() } });
      token[u] = await s.login(u, `${u}-password`);
      if (u === "sue") token.sueId = String(created.body.id);
    }
    for (const ext of ["1001", "1002", "1003"]) sim().agent(ext)!.autoAnswer = false;
    for (const ext of ["1002", "1003"]) sim().pauseMember(`PJSIP/${ext}`, undefined, true, "break");
    graceId = (await api("POST", "/api/clients", "admin", { name: "Grace Hopper", phones: [GRACE] })).body.id;
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("a recorded call becomes playable: verified Opus, both sides, the journal links it, search finds it", async () => {
    const linkedid = await recordedCall(GRACE);
    const rec = await readyRecording(linkedid);
    expect(rec).toMatchObject({ status: "ready", sides: ["mix", "caller", "agent"], queue: "support", client: { id: graceId, name: "Grace Hopper" }, agent: { extension: "1001", name: "ANN" } });
    expect(rec.durationSeconds).toBeCloseTo(8, 1);
    await expectEventually(async () => {
      const calls = (await api("GET", `/api/calls?clientId=${graceId}`, "admin")).body.items;
      expect(calls.find((c: { linkedid: string }) => c.linkedid === linkedid)?.recordingId).toBe(rec.id);
    });
    // The raw files were archived once the Opus files were verified.
    await expectEventually(() => expect(fs.existsSync(path.join(monitor(), `${linkedid}.wav`))).toBe(false));
    const detail = (await api("GET", `/api/recordings/${rec.id}`, "max")).body;
    expect(detail.peaks.mix.length).toBe(160);
    expect(detail.speech.caller[0][0]).toBeCloseTo(0.3, 0);
    expect(detail.speech.agent[0][0]).toBeCloseTo(2.5, 0);
    expect(detail.checksum).toMatch(/^[0-9a-f]{64}$/);
    // Found by the client's name, by any written form of the number, by agent, queue and length.
    for (const q of ["q=grace", `phone=${encodeURIComponent("(415) 555-0123")}`, "agent=1001", "queue=support", "minSeconds=7", `clientId=${graceId}`])
      expect((await api("GET", `/api/recordings?${q}`, "max")).body.items.map((x: { id: number }) => x.id), q).toContain(rec.id);
    expect((await api("GET", `/api/recordings?minSeconds=60`, "max")).body.items).toEqual([]);
    expect((await api("GET", `/api/recordings?q=nobody`, "max")).body.items).toEqual([]);
  });

  it("serves the audio by HTTP Range (first bytes, middle, suffix, past the end) and audits plays and downloads", async () => {
    const rec = (await api("GET", `/api/recordings?q=grace`, "max")).body.items[0];
    const whole = await fetch(`${s.url}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${token.max}` } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get("content-type")).toBe("audio/ogg");
    expect(whole.headers.get("accept-ranges")).toBe("bytes");
    const bytes = Buffer.from(await whole.arrayBuffer());
    const size = bytes.length;
    expect(bytes.subarray(0, 4).toString("latin1")).toBe("OggS");
    const ranged = async (range: string) => {
      const r = await fetch(`${s.url}/api/recordings/${rec.id}/audio`, { headers: { authorization: `Bearer ${token.max}`, range } });
      return { status: r.status, contentRange: r.headers.get("content-range"), body: Buffer.from(await r.arrayBuffer()) };
    };
    const first = await ranged("bytes=0-99");
    expect(first).toMatchObject({ status: 206, contentRange: `bytes 0-99/${size}` });
    expect(first.body.equals(bytes.subarray(0, 100))).toBe(true);
    const middle = await ranged(`bytes=${Math.floor(size / 2)}-${Math.floor(size / 2) + 499}`);
    expect(middle.status).toBe(206);
    expect(middle.body.equals(bytes.subarray(Math.floor(size / 2), Math.floor(size / 2) + 500))).toBe(true);
    const suffix = await ranged("bytes=-200");
    expect(suffix).toMatchObject({ status: 206, contentRange: `bytes ${size - 200}-${size - 1}/${size}` });
    expect(suffix.body.equals(bytes.subarray(size - 200))).toBe(true);
    const past = await ranged(`bytes=${size + 10}-`);
    expect(past).toMatchObject({ status: 416, contentRange: `bytes */${size}` });
    expect((await ranged("bytes=abc")).status).toBe(416);
    const side = await fetch(`${s.url}/api/recordings/${rec.id}/audio?side=caller&download=1`, { headers: { authorization: `Bearer ${token.max}` } });
    expect(side.status).toBe(200);
    expect(side.headers.get("content-disposition")).toMatch(/^attachment; filename="call-[0-9.]+-caller\.opus"$/);
    await side.arrayBuffer();

    const audit = (await api("GET", "/api/audit?limit=50", "admin")).body.items.filter((a: { target: string }) => a.target === `recording:${rec.id}`);
    // Many range requests, one play (with the first range asked); the download on its own.
    expect(audit.filter((a: { action: string }) => a.action === "recording.play")).toHaveLength(1);
    expect(audit.find((a: { action: string }) => a.action === "recording.play").details).toMatchObject({ range: "all", side: "mix" });
    expect(audit.filter((a: { action: string }) => a.action === "recording.download")).toHaveLength(1);
    expect(audit.find((a: { action: string }) => a.action === "recording.download").actorName).toBe("max");
  });

  it("gives a media element a short-lived audio link: Range works by ticket, scoped to one recording and user, audited, dead when expired", async () => {
    const rec = (await api("GET", `/api/recordings?q=grace`, "max")).body.items[0];
    const link = await api("GET", `/api/recordings/${rec.id}/audio-url`, "max");
    expect(link.status).toBe(200);
    expect(link.body.url).toMatch(new RegExp(`^/api/recordings/${rec.id}/stream\\?t=[A-Za-z0-9_-]{32}$`));
    // No bearer header: the ticket alone opens the audio, by Range as the player seeks.
    const part = await fetch(`${s.url}${link.body.url}&side=agent`, { headers: { range: "bytes=0-99" } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).subarray(0, 4).toString("latin1")).toBe("OggS");
    // Another recording's path with this ticket, a made-up ticket, or none: nothing.
    expect((await fetch(`${s.url}/api/recordings/${rec.id + 1000}/stream?t=${link.body.url.split("t=")[1]}`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/recordings/${rec.id}/stream?t=${"A".repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/recordings/${rec.id}/stream`)).status).toBe(400);
    // The download through the ticket is audited as the user who asked for the link.
    const dl = await fetch(`${s.url}${link.body.url}&download=1`);
    expect(dl.status).toBe(200);
    await dl.arrayBuffer();
    const audit = (await api("GET", "/api/audit?limit=20", "admin")).body.items.find((a: { action: string; target: string }) => a.action === "recording.download" && a.target === `recording:${rec.id}`);
    expect(audit.actorName).toBe("max");
    // Whoever may not hear the recording gets no link; an expired ticket is dead.
    expect((await api("GET", `/api/recordings/${rec.id}/audio-url`, "ann")).status).toBe(404);
    const redis = new Redis(s.app.config.redisUrl);
    try {
      await redis.del(`${s.app.config.redisPrefix}:rec-ticket:${link.body.url.split("t=")[1]}`);
    } finally {
      redis.disconnect();
    }
    expect((await fetch(`${s.url}${link.body.url}`)).status).toBe(404);
  });

  it("refuses path tricks in ids and sides, and shows each role only what it may hear", async () => {
    const rec = (await api("GET", `/api/recordings?q=grace`, "max")).body.items[0];
    for (const p of [`/api/recordings/..%2f..%2fetc%2fpasswd/audio`, `/api/recordings/1%00/audio`, `/api/recordings/${rec.id}/audio?side=../../etc/passwd`, `/api/recordings/0x1`, `/api/recordings/${rec.id}/audio?side=mix&extra=1`])
      expect([400, 404], p).toContain((await api("GET", p, "admin")).status);
    // Agents: not without RECORDINGS_AGENT_ACCESS (not even their own calls).
    expect((await api("GET", "/api/recordings", "ann")).body.items).toEqual([]);
    expect((await api("GET", `/api/recordings/${rec.id}`, "ann")).status).toBe(404);
    expect((await api("GET", `/api/recordings/${rec.id}/audio`, "ann")).status).toBe(404);
    // Supervisors: the calls of their queues only.
    expect((await api("GET", `/api/recordings/${rec.id}`, "sue")).status).toBe(404);
    expect((await api("PUT", `/api/users/${token.sueId}/queues`, "sue", { queues: ["support"] })).status).toBe(403);
    expect((await api("PUT", `/api/users/${token.sueId}/queues`, "admin", { queues: ["sales"] })).body.queues).toEqual(["sales"]);
    expect((await api("GET", `/api/recordings/${rec.id}`, "sue")).status).toBe(404);
    await api("PUT", `/api/users/${token.sueId}/queues`, "admin", { queues: ["support", "sales"] });
    expect((await api("GET", `/api/recordings/${rec.id}`, "sue")).status).toBe(200);
    expect((await api("GET", "/api/recordings", "sue")).body.items.map((x: { id: number }) => x.id)).toContain(rec.id);
    // Governance is for managers (holds) and admins (retention, erasure).
    expect((await api("POST", "/api/legal-holds", "sue", { clientId: graceId, reason: "x" })).status).toBe(403);
    expect((await api("POST", "/api/recordings/erase", "max", { clientId: graceId })).status).toBe(403);
    expect((await api("PUT", "/api/recordings/retention", "max", { rules: [] })).status).toBe(403);
  });

  it("retention deletes old audio but never what a legal hold covers; the journal row stays and says so", async () => {
    const rec = (await api("GET", `/api/recordings?q=grace`, "max")).body.items[0];
    expect((await api("PUT", "/api/recordings/retention", "admin", { rules: [{ queue: "support", days: 30 }, { queue: "*", days: 365 }] })).body.rules).toEqual([{ queue: "*", days: 365 }, { queue: "support", days: 30 }]);
    expect((await api("POST", "/api/recordings/retention/run", "admin")).body.deleted).toBe(0);
    await s.app.db.query(`UPDATE recordings SET call_ended_at = now() - interval '31 days' WHERE id = $1`, [rec.id]);
    const hold = (await api("POST", "/api/legal-holds", "max", { clientId: graceId, reason: "dispute #42" })).body;
    expect((await api("POST", "/api/recordings/retention/run", "admin")).body.deleted).toBe(0);
    expect((await api("GET", `/api/recordings/${rec.id}`, "max")).body).toMatchObject({ status: "ready", legalHold: true });
    expect((await api("DELETE", `/api/legal-holds/${hold.id}`, "max")).status).toBe(204);
    expect((await api("POST", "/api/recordings/retention/run", "admin")).body.deleted).toBe(1);
    const gone = (await api("GET", `/api/recordings/${rec.id}`, "max")).body;
    expect(gone).toMatchObject({ status: "deleted", deletedReason: "retention", peaks: null, legalHold: false });
    expect((await api("GET", `/api/recordings/${rec.id}/audio`, "max")).status).toBe(409);
    const call = (await api("GET", `/api/calls?clientId=${graceId}`, "admin")).body.items.find((c: { linkedid: string }) => c.linkedid === rec.linkedid);
    expect(call.recordingId).toBe(rec.id);
    await api("PUT", "/api/recordings/retention", "admin", { rules: [{ queue: "support", days: null }, { queue: "*", days: null }] });
  });

  it("erasure by phone number is refused under a legal hold, then removes every recording of that number and says what it erased", async () => {
    const number = "+14155550188";
    const a = await recordedCall(number, 3);
    const b = await recordedCall(number, 3);
    const ra = await readyRecording(a);
    const rb = await readyRecording(b);
    const hold = (await api("POST", "/api/legal-holds", "admin", { linkedid: b, reason: "court order" })).body;
    const refused = await api("POST", "/api/recordings/erase", "admin", { phone: "(415) 555-0188" });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/legal hold/);
    expect((await api("GET", `/api/recordings/${ra.id}`, "admin")).body.status).toBe("ready");
    await api("DELETE", `/api/legal-holds/${hold.id}`, "admin");
    expect((await api("POST", "/api/recordings/erase", "admin", { phone: "(415) 555-0188" })).body).toEqual({ recordings: 2, client: false });
    for (const id of [ra.id, rb.id]) expect((await api("GET", `/api/recordings/${id}`, "admin")).body).toMatchObject({ status: "deleted", deletedReason: "erasure" });
    const entry = (await api("GET", "/api/audit?action=recording.erase", "admin")).body.items[0];
    expect(entry).toMatchObject({ target: `phone:${number}`, actorName: "admin" });
    expect(entry.details.recordings.sort()).toEqual([ra.id, rb.id].sort());
  });

  it("pending work survives a flushed Redis and a node that died mid-job, and is done once", async () => {
    const linkedid = "1796300000.77";
    writeCallRecording(monitor(), linkedid, [{ start: 0, end: 1, hz: 440 }], [{ start: 1, end: 2, hz: 880 }], 2);
    // Claimed by a worker that died eleven minutes ago.
    const [row] = await s.app.db.query<{ id: number }>(
      `INSERT INTO recordings (linkedid, raw, queue, call_ended_at, claimed_by, claimed_at) VALUES ($1, $2, 'support', now(), 'elsewhere:1:x', now() - interval '11 minutes') RETURNING id`,
      [linkedid, JSON.stringify({ mix: `${linkedid}.wav`, caller: `${linkedid}-in.wav`, agent: `${linkedid}-out.wav` })],
    );
    // Everything bull had in Redis is gone.
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    const keys = await redis.keys(`${s.app.config.redisPrefix}:bull:recordings:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await expectEventually(async () => expect((await api("GET", `/api/recordings/${row!.id}`, "admin")).body.status).toBe("ready"), 60_000, 100);
    const [r] = await s.app.db.query<{ attempts: number; claimed_by: string | null }>(`SELECT attempts, claimed_by FROM recordings WHERE id = $1`, [row!.id]);
    expect(r).toEqual({ attempts: 0, claimed_by: null });
  });

  it("a corrupt raw file fails visibly and is kept", async () => {
    const linkedid = "1796300001.78";
    fs.writeFileSync(path.join(monitor(), `${linkedid}.wav`), "this is not a wav file at all");
    const [row] = await s.app.db.query<{ id: number }>(`INSERT INTO recordings (linkedid, raw, call_ended_at) VALUES ($1, $2, now()) RETURNING id`, [linkedid, JSON.stringify({ mix: `${linkedid}.wav` })]);
    await expectEventually(async () => expect((await api("GET", `/api/recordings/${row!.id}`, "admin")).body).toMatchObject({ status: "failed", lastError: expect.stringMatching(/not a WAV/) }), 60_000, 100);
    expect(fs.existsSync(path.join(monitor(), `${linkedid}.wav`))).toBe(true);
  });
});
