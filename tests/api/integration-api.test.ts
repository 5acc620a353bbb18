import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { EventLog } from "../../server/integration/event-log.js";
import { createLogger } from "../../server/platform/logger.js";
import { openStream } from "../support/stream-client.js";

describe.each(dbKinds)("integration API: API tokens and /api/stream (%s)", (db) => {
  let s: TestServer;
  const api = (method: string, p: string, token: string, body?: unknown) => s.api(method, p, { token, ...(body !== undefined ? { body } : {}) });
  const newToken = async (name: string, scopes: string[]) => {
    const r = await api("POST", "/api/api-tokens", s.adminToken, { name, scopes });
    expect(r.status).toBe(201);
    return r.body as { id: number; token: string };
  };

  beforeAll(async () => {
    s = await startTestServer({ db });
  });
  afterAll(async () => s?.close());

  it("an admin makes a scoped token, shown once; it opens its scopes' routes and no other; revoked, it stops", async () => {
    const reader = await newToken("BI warehouse", ["calls:read", "clients:read"]);
    expect(reader.token).toMatch(/^crmapi_[A-Za-z0-9_-]{43}$/);
    const list = await api("GET", "/api/api-tokens", s.adminToken);
    const listed = list.body.items.find((t: { id: number }) => t.id === reader.id);
    expect(listed).toMatchObject({ name: "BI warehouse", scopes: ["calls:read", "clients:read"], revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(reader.token);
    expect(reader.token.startsWith(listed.prefix)).toBe(true);
    // Only the hash is stored.
    const stored = await s.app.db.query<{ token_hash: string }>("SELECT token_hash FROM api_tokens WHERE id = $1", [reader.id]);
    expect(stored[0]!.token_hash).not.toContain(reader.token.slice(7));

    expect((await api("GET", "/api/calls", reader.token)).status).toBe(200);
    expect((await api("GET", "/api/clients", reader.token)).status).toBe(200);
    const write = await api("POST", "/api/clients", reader.token, { name: "Nope", phones: [] });
    expect(write.status).toBe(403);
    expect(write.body.error.message).toMatch(/scopes/);
    for (const [m, p] of [["GET", "/api/reports/calls"], ["GET", "/api/users"], ["GET", "/api/api-tokens"], ["GET", "/api/audit"]] as const)
      expect((await api(m, p, reader.token)).status, p).toBe(403);

    const writer = await newToken("web shop", ["clients:write"]);
    const created = await api("POST", "/api/clients", writer.token, { name: "Shop Customer", phones: ["+1 415 555 0190"] });
    expect(created.status).toBe(201);
    expect((await api("PATCH", `/api/clients/${created.body.id}`, writer.token, { city: "Oakland" })).status).toBe(200);
    expect((await api("GET", `/api/clients/${created.body.id}`, writer.token)).status).toBe(403);

    expect((await api("DELETE", `/api/api-tokens/${reader.id}`, s.adminToken)).status).toBe(204);
    expect((await api("GET", "/api/calls", reader.token)).status).toBe(401);
    expect((await api("GET", "/api/api-tokens", s.adminToken)).body.items.find((t: { id: number }) => t.id === reader.id).revokedAt).not.toBeNull();
    const audit = (await api("GET", "/api/audit?limit=50", s.adminToken)).body.items.map((a: { action: string; actorName: string }) => `${a.action} ${a.actorName}`);
    expect(audit).toEqual(expect.arrayContaining(["api_token.create admin", "api_token.revoke admin"]));
    // A made-up token of the right shape is a 401, as is a bad body to the admin route.
    expect((await api("GET", "/api/calls", `crmapi_${"x".repeat(43)}`)).status).toBe(401);
    expect((await api("POST", "/api/api-tokens", s.adminToken, { name: "x", scopes: ["calls:delete"] })).body.error.field).toBe("scopes.0");
  });

  it("the stream refuses a token without events:stream, and no token, at the handshake", async () => {
    const noScope = await newToken("no stream", ["calls:read"]);
    await expect(openStream(s.url, noScope.token).opened).rejects.toMatchObject({ status: 403 });
    await expect(openStream(s.url, null).opened).rejects.toMatchObject({ status: 401 });
    const streamer = await newToken("bad after", ["events:stream"]);
    await expect(openStream(s.url, streamer.token, "?after=abc").opened).rejects.toMatchObject({ status: 400 });
  });

  it("call events carry the callId; a stream cut in the middle of traffic resumes with after: nothing lost, nothing twice", async () => {
    const { token } = await newToken("crm sync", ["events:stream"]);
    const first = openStream(s.url, token);
    await first.opened;
    // A real call through the simulator: started, answered, ended, in order, with the Linkedid.
    const callId = s.app.telephony.sim!.pbx.inboundCall({ from: "+14155550142", talkSeconds: 1 });
    await first.until((m) => m.some((e) => e.type === "call.ended" && e.callId === callId));
    const ofCall = first.messages.filter((e) => e.callId === callId).map((e) => e.type);
    expect(ofCall[0]).toBe("call.started");
    expect(ofCall).toEqual(expect.arrayContaining(["call.queued", "call.answered", "call.ended"]));
    expect(ofCall.indexOf("call.answered")).toBeLessThan(ofCall.indexOf("call.ended"));
    expect(first.messages.some((e) => e.type === "agent.state")).toBe(true);
    expect(first.messages.some((e) => e.type === "queue.update" && e.queue === "support")).toBe(true);
    for (const e of first.messages) expect(Object.keys(e).slice(0, 3)).toEqual(["seq", "type", "at"]);

    // Traffic: 40 client changes, one after the other; the stream is cut after 10 of them.
    const names = Array.from({ length: 40 }, (_, i) => `Stream Client ${i}`);
    const ids: number[] = [];
    const traffic = (async () => {
      for (const name of names) ids.push((await api("POST", "/api/clients", s.adminToken, { name, phones: [] })).body.id);
    })();
    await first.until((m) => m.filter((e) => e.type === "client.changed").length >= 10);
    first.ws.terminate();
    await first.closed;
    const lastSeen = first.messages[first.messages.length - 1]!.seq;
    const second = openStream(s.url, token, `?after=${lastSeen}`);
    await second.opened;
    await traffic;
    await second.until((m) => ids.every((id) => [...first.messages, ...m].some((e) => e.type === "client.changed" && e.clientId === id)));
    const all = [...first.messages, ...second.messages].map((e) => e.seq);
    expect(new Set(all).size, "no event twice").toBe(all.length);
    // Consecutive numbers from the first event seen to the last: none lost across the cut.
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => all[0]! + i));
    expect(second.messages[0]!.seq).toBe(lastSeen + 1);
    second.ws.close();
  });

  it("a resume point no longer kept is refused clearly, then the socket closes", async () => {
    const { token } = await newToken("late reader", ["events:stream"]);
    // Another node appends 1,500 events to the same log, trimmed to about 100.
    const redis = new Redis(s.app.config.redisUrl);
    const other = new EventLog(redis, s.app.config.redisPrefix, 100, createLogger("silent"));
    for (let i = 0; i < 1500; i++) void other.append("test.filler", { i });
    const last = await other.append("test.filler", { i: 1500 });
    redis.disconnect();
    const late = openStream(s.url, token, "?after=1");
    await late.opened;
    const closed = await late.closed;
    expect(closed.code).toBe(4410);
    expect(late.messages).toEqual([expect.objectContaining({ type: "error", code: "RESUME_TOO_OLD", lastSeq: last, message: expect.stringMatching(/no longer kept/) })]);
    const ahead = openStream(s.url, token, `?after=${last! + 1000}`);
    await ahead.opened;
    expect((await ahead.closed).code).toBe(4410);
    expect(ahead.messages[0]).toMatchObject({ type: "error", code: "RESUME_UNKNOWN" });
    // Within what is kept, a resume still works.
    const recent = openStream(s.url, token, `?after=${last! - 5}`);
    await recent.opened;
    await recent.until((m) => m.length >= 5);
    expect(recent.messages.map((e) => e.seq)).toEqual([last! - 4, last! - 3, last! - 2, last! - 1, last!]);
    recent.ws.close();
  });
});
