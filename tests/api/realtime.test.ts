import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

function connect(url: string, token: string | undefined): Socket {
  return io(url, { auth: token ? { token } : {}, transports: ["websocket"], reconnection: false, forceNew: true });
}

const connected = (s: Socket) =>
  new Promise<void>((resolve, reject) => {
    s.once("connect", () => resolve());
    s.once("connect_error", (e) => reject(e));
  });

describe("Socket.IO pushes and fan-out between nodes (PostgreSQL + Redis)", () => {
  let a: TestServer;
  let b: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    a = await startTestServer({ db: "postgres", env: { TASK_REMINDER_SECONDS: "0.3" } });
    // A second node on the same database and the same Redis prefix.
    b = await startTestServer({ env: { DATABASE_URL: a.app.config.databaseUrl!, REDIS_PREFIX: a.app.config.redisPrefix } });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await b?.close();
    await a?.close();
  });

  it("refuses a socket without a valid token", async () => {
    const s = connect(a.url, undefined);
    sockets.push(s);
    await expect(connected(s)).rejects.toThrow(/token/);
    const bad = connect(a.url, "z".repeat(43));
    sockets.push(bad);
    await expect(connected(bad)).rejects.toThrow(/expired|sign in/);
  });

  it("tells consoles on both nodes that a client changed, and node B's phone index learns the number", async () => {
    const tokenB = await b.login("admin", "admin-password-1");
    const onA = connect(a.url, a.adminToken);
    const onB = connect(b.url, tokenB);
    sockets.push(onA, onB);
    await Promise.all([connected(onA), connected(onB)]);
    const seenA: number[] = [];
    const seenB: number[] = [];
    onA.on("client:changed", (p: { clientId: number }) => seenA.push(p.clientId));
    onB.on("client:changed", (p: { clientId: number }) => seenB.push(p.clientId));
    await expectEventually(() => expect(b.app.phoneIndex.ready).toBe(true));
    const c = await a.api("POST", "/api/clients", { token: a.adminToken, body: { name: "Fan Out", phones: ["+1 415 555 0190"] } });
    await expectEventually(() => {
      expect(seenA).toContain(c.body.id);
      expect(seenB).toContain(c.body.id);
    });
    await expectEventually(() => expect(b.app.phoneIndex.lookupSync("+14155550190")).toEqual([{ clientId: c.body.id, contactId: null }]));
    await a.api("PATCH", `/api/clients/${c.body.id}`, { token: a.adminToken, body: { phones: ["+1 415 555 0191"] } });
    await expectEventually(() => {
      expect(b.app.phoneIndex.lookupSync("+14155550190")).toEqual([]);
      expect(b.app.phoneIndex.lookupSync("+14155550191")).toHaveLength(1);
    });
  });

  it("pushes a due task's reminder to its assignee only, once", async () => {
    await a.api("POST", "/api/users", { token: a.adminToken, body: { username: "rem1", password: "reminder-1", role: "agent" } });
    await a.api("POST", "/api/users", { token: a.adminToken, body: { username: "rem2", password: "reminder-2", role: "agent" } });
    const t1 = await a.login("rem1", "reminder-1");
    const t2 = await a.login("rem2", "reminder-2");
    const s1 = connect(a.url, t1);
    const s2 = connect(a.url, t2);
    sockets.push(s1, s2);
    await Promise.all([connected(s1), connected(s2)]);
    const got1: string[] = [];
    const got2: string[] = [];
    s1.on("task:reminder", (p: { task: { title: string } }) => got1.push(p.task.title));
    s2.on("task:reminder", (p: { task: { title: string } }) => got2.push(p.task.title));
    await a.api("POST", "/api/tasks", { token: t1, body: { title: "Ring Mr. Smith", dueAt: new Date(Date.now() + 500).toISOString() } });
    await expectEventually(() => expect(got1).toEqual(["Ring Mr. Smith"]), 8000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(got1).toEqual(["Ring Mr. Smith"]);
    expect(got2).toEqual([]);
  });
});
