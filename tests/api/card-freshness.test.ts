import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

/**
 * The screen pop serves cards from a per-client cache: whatever is changed about a client through
 * the server (its fields, numbers, contacts, notes, tasks, calls, the users named on it) must be on
 * the very next card, with no waiting.
 */
describe.each(dbKinds)("screen pop cards are never stale (%s)", (db) => {
  let s: TestServer;
  let agent: string;
  let socket: Socket;
  const got: { event: string; payload: any }[] = [];
  let clientId: number;
  const pbx = () => s.app.telephony.sim!.pbx;
  const patch = (body: unknown) => s.api("PATCH", `/api/clients/${clientId}`, { token: s.adminToken, body });

  /** A call from `from` rings agent 1001; returns its card, then the caller hangs up and the call is journaled. */
  const ring = async (from: string, whileRinging?: (callId: string) => Promise<void>) => {
    const callId = pbx().inboundCall({ from, talkSeconds: 100 });
    await expectEventually(() => expect(got.some((g) => g.event === "call:offer" && g.payload.callId === callId)).toBe(true));
    await whileRinging?.(callId);
    pbx().hangupByChannel(pbx().liveChannels().find((c) => c.linkedid === callId && c.uniqueid === callId)!.name);
    await expectEventually(() => expect(got.some((g) => g.event === "call:withdrawn" && g.payload.callId === callId)).toBe(true));
    await s.app.telephony.journal.flush();
    return { callId, card: got.find((g) => g.event === "call:offer" && g.payload.callId === callId)!.payload };
  };

  beforeAll(async () => {
    // One agent phone (1001) in one queue: every call rings it.
    s = await startTestServer({ db, env: { SIM_SPEED: "0.2", WRAPUP_SECONDS: "0", SIM_AGENTS: "1" } });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "ann", password: "ann-password", role: "agent", extension: "1001", displayName: "Ann" } });
    agent = await s.login("ann", "ann-password");
    pbx().agent("1001")!.autoAnswer = false;
    const c = await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace Hopper", stage: "prospect", tags: ["navy"], phones: ["+1 415 555 0123"] } });
    clientId = c.body.id;
    socket = io(s.url, { auth: { token: agent }, transports: ["websocket"], reconnection: false, forceNew: true });
    socket.onAny((event: string, payload: unknown) => got.push({ event, payload }));
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true));
  });
  afterAll(async () => {
    socket?.close();
    await s?.close();
  });

  it("shows a client's edited name, stage and tags, a new note and the call that just ended", async () => {
    const first = await ring("+14155550123");
    expect(first.card.client).toMatchObject({ id: clientId, name: "Grace Hopper", stage: "prospect", tags: ["navy"] });
    expect(first.card.history).toEqual([]);

    expect((await patch({ name: "Grace B. Hopper", stage: "active", tags: ["navy", "cobol"] })).status).toBe(200);
    await s.api("POST", `/api/clients/${clientId}/notes`, { token: s.adminToken, body: { body: "Asked for the manual" } });
    const second = await ring("+14155550123");
    expect(second.card.client).toMatchObject({ name: "Grace B. Hopper", stage: "active", tags: ["navy", "cobol"] });
    // The first call (journaled when it ended) and the note are in the card's history.
    expect(second.card.history.map((h: { type: string; body?: string; id: number }) => (h.type === "note" ? h.body : h.type))).toEqual(
      expect.arrayContaining(["Asked for the manual", "call"]),
    );
    const third = await ring("+14155550123");
    expect(third.card.history.filter((h: { type: string }) => h.type === "call")).toHaveLength(2);
  });

  it("follows a client's numbers and contacts", async () => {
    expect((await patch({ phones: ["+1 415 555 0199"] })).status).toBe(200);
    expect((await ring("+14155550123")).card).toMatchObject({ client: null, clients: [] });
    expect((await ring("+14155550199")).card.client).toMatchObject({ id: clientId });
    const contact = await s.api("POST", `/api/clients/${clientId}/contacts`, { token: s.adminToken, body: { name: "Howard Aiken", title: "Mentor", phones: ["+1 415 555 0177"] } });
    expect(contact.status).toBe(201);
    expect((await ring("+14155550177")).card).toMatchObject({ client: { id: clientId }, contact: { name: "Howard Aiken", title: "Mentor" } });
    await s.api("PATCH", `/api/contacts/${contact.body.id}`, { token: s.adminToken, body: { title: "Professor" } });
    expect((await ring("+14155550177")).card.contact).toMatchObject({ title: "Professor" });
  });

  it("shows open tasks as they are added and done, and users under their new names", async () => {
    const task = await s.api("POST", "/api/tasks", { token: s.adminToken, body: { title: "Send the manual", clientId } });
    expect(task.status).toBe(201);
    expect((await ring("+14155550199")).card.tasks.map((t: { title: string }) => t.title)).toEqual(["Send the manual"]);
    await s.api("PATCH", `/api/tasks/${task.body.id}`, { token: s.adminToken, body: { done: true } });
    const card = (await ring("+14155550199")).card;
    expect(card.tasks).toEqual([]);

    // The owner, and the author of the notes, renamed.
    const users = (await s.api("GET", "/api/users", { token: s.adminToken })).body.items as { id: number; username: string }[];
    const admin = users.find((u) => u.username === "admin")!;
    await patch({ ownerId: admin.id });
    await s.api("PATCH", `/api/users/${admin.id}`, { token: s.adminToken, body: { displayName: "Chief Admin" } });
    const renamed = (await ring("+14155550199")).card;
    expect(renamed.client.owner).toEqual({ id: admin.id, displayName: "Chief Admin" });
    expect(renamed.history.filter((h: { type: string }) => h.type === "note").map((h: { author: unknown }) => h.author)).toContainEqual({ id: admin.id, displayName: "Chief Admin" });
  });

  it("shows a call under the client the agent picked for it after it ended (a shared number)", async () => {
    const create = async (name: string) => (await s.api("POST", "/api/clients", { token: s.adminToken, body: { name, phones: ["+1 415 555 0166"] } })).body.id as number;
    const x = await create("Ada Lovelace");
    const y = await create("Charles Babbage");
    const first = await ring("+14155550166");
    expect(first.card.clients.map((c: { id: number }) => c.id)).toEqual([x, y]);
    expect(first.card.byClient[x].history).toEqual([]);
    const picked = await s.api("POST", `/api/calls/${first.callId}/client`, { token: s.adminToken, body: { clientId: x } });
    expect(picked.status).toBe(200);
    const second = await ring("+14155550166");
    expect(second.card.byClient[x].history.map((h: { type: string }) => h.type)).toEqual(["call"]);
    expect(second.card.byClient[y].history).toEqual([]);
  });

  it("gives a console that reloads during the ring the card as it is now, and forgets a deleted client", async () => {
    await ring("+14155550199", async () => {
      await patch({ name: "Rear Admiral Hopper" });
      const ws = await s.api("GET", "/api/me/workspace", { token: agent });
      expect(ws.body.calls[0].client).toMatchObject({ name: "Rear Admiral Hopper" });
    });
    expect((await s.api("DELETE", `/api/clients/${clientId}`, { token: s.adminToken })).status).toBe(204);
    expect((await ring("+14155550199")).card).toMatchObject({ client: null, clients: [] });
  });
});
