import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

function connect(url: string, token: string): Socket {
  return io(url, { auth: { token }, transports: ["websocket"], reconnection: false, forceNew: true });
}

/** Resolves when connected; rejects with the server's refusal. */
const connected = (s: Socket) =>
  new Promise<void>((resolve, reject) => {
    s.once("connect", () => resolve());
    s.once("connect_error", (e) => reject(e));
  });

/** Records why a socket was disconnected ("io server disconnect" when the server ended it). */
function watch(s: Socket): { reason: string | null } {
  const state = { reason: null as string | null };
  s.on("disconnect", (reason) => (state.reason = reason));
  return state;
}

describe("sockets end with their session, on every node (PostgreSQL + Redis)", () => {
  let a: TestServer;
  let b: TestServer;
  const sockets: Socket[] = [];
  const open = async (s: TestServer, token: string) => {
    const socket = connect(s.url, token);
    sockets.push(socket);
    await connected(socket);
    return { socket, seen: watch(socket) };
  };
  let userId = 0;

  beforeAll(async () => {
    a = await startTestServer({ db: "postgres" });
    b = await startTestServer({ env: { DATABASE_URL: a.app.config.databaseUrl!, REDIS_PREFIX: a.app.config.redisPrefix } });
    const created = await a.api("POST", "/api/users", { token: a.adminToken, body: { username: "sam", password: "sam-password", role: "agent", extension: "1001" } });
    userId = created.body.id;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await b?.close();
    await a?.close();
  });

  it("logout on node A disconnects that session's socket on node B, and only that session's", async () => {
    const t1 = await a.login("sam", "sam-password");
    const t2 = await a.login("sam", "sam-password");
    const s1 = await open(b, t1);
    const s2 = await open(b, t2);
    expect((await a.api("POST", "/api/auth/logout", { token: t1 })).status).toBe(204);
    await expectEventually(() => expect(s1.seen.reason).toBe("io server disconnect"));
    expect(s2.socket.connected).toBe(true);
    // The ended token cannot open a socket again, on either node (no stale cache on B).
    await expect(connected(connect(b.url, t1))).rejects.toThrow(/expired|ended|sign in/);
    await expect(connected(connect(a.url, t1))).rejects.toThrow(/expired|ended|sign in/);
    s2.socket.close();
  });

  it("deactivation disconnects every socket of the user on both nodes", async () => {
    const t1 = await a.login("sam", "sam-password");
    const t2 = await b.login("sam", "sam-password");
    const onA = await open(a, t1);
    const onB = await open(b, t2);
    const other = await open(b, b.adminToken);
    await a.api("PATCH", `/api/users/${userId}`, { token: a.adminToken, body: { active: false } });
    await expectEventually(() => {
      expect(onA.seen.reason).toBe("io server disconnect");
      expect(onB.seen.reason).toBe("io server disconnect");
    });
    expect(other.socket.connected).toBe(true);
    await expect(connected(connect(b.url, t2))).rejects.toThrow(/expired|ended|sign in/);
    await a.api("PATCH", `/api/users/${userId}`, { token: a.adminToken, body: { active: true } });
  });

  it("a password reset ends the sockets and the sessions; a role change ends the sockets, the session reconnects with the new role", async () => {
    const t1 = await a.login("sam", "sam-password");
    const s1 = await open(b, t1);
    await a.api("PATCH", `/api/users/${userId}`, { token: a.adminToken, body: { role: "supervisor" } });
    await expectEventually(() => expect(s1.seen.reason).toBe("io server disconnect"));
    const again = await open(b, t1);
    expect(again.socket.connected).toBe(true);

    await a.api("PATCH", `/api/users/${userId}`, { token: a.adminToken, body: { password: "sam-password-2" } });
    await expectEventually(() => expect(again.seen.reason).toBe("io server disconnect"));
    await expect(connected(connect(a.url, t1))).rejects.toThrow(/expired|ended|sign in/);
  });
});

describe("a socket is disconnected when its session expires", () => {
  let s: TestServer;
  beforeAll(async () => {
    // 0.0006 h = 2.16 s
    s = await startTestServer({ env: { SESSION_TTL_HOURS: "0.0006" } });
  });
  afterAll(async () => s?.close());

  it("ends at the session's expiry without any request", async () => {
    const token = await s.login("admin", "admin-password-1");
    const socket = connect(s.url, token);
    const seen = watch(socket);
    await connected(socket);
    await expectEventually(() => expect(seen.reason).toBe("io server disconnect"), 10_000);
    socket.close();
    await expect(connected(connect(s.url, token))).rejects.toThrow(/expired|ended|sign in/);
  });
});
