import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe("what agents may see and change (tasks, phone numbers, contacts, bulk reads, wrap-up)", () => {
  let s: TestServer;
  const t = {} as Record<"ann" | "bob" | "sue" | "max" | "noext", string>;
  const id = {} as Record<keyof typeof t, number>;
  beforeAll(async () => {
    s = await startTestServer({ env: { BULK_READ_ROWS: "120", BULK_READ_WINDOW_MINUTES: "15" } });
    const users: [keyof typeof t, string, string | null][] = [
      ["ann", "agent", "1001"],
      ["bob", "agent", "1002"],
      ["noext", "agent", null],
      ["sue", "supervisor", "1003"],
      ["max", "manager", null],
    ];
    for (const [name, role, extension] of users) {
      const u = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: name, password: `${name}-password`, role, extension } });
      id[name] = u.body.id;
      t[name] = await s.login(name, `${name}-password`);
    }
  });
  afterAll(async () => s?.close());

  describe("tasks: agents see and change only tasks assigned to them or created by them", () => {
    let bobs = 0;
    let annForBob = 0;
    beforeAll(async () => {
      bobs = (await s.api("POST", "/api/tasks", { token: t.bob, body: { title: "Bob's own" } })).body.id;
      annForBob = (await s.api("POST", "/api/tasks", { token: t.ann, body: { title: "Ann asks Bob", assigneeId: id.bob } })).body.id;
    });

    it("an agent cannot list a colleague's tasks", async () => {
      const titles = async (token: string, q = "") => (await s.api("GET", `/api/tasks${q}`, { token })).body.items.map((x: { title: string }) => x.title).sort();
      expect(await titles(t.ann)).toEqual(["Ann asks Bob"]);
      expect(await titles(t.ann, `?assignee=${id.bob}`)).toEqual(["Ann asks Bob"]);
      expect(await titles(t.noext)).toEqual([]);
      expect(await titles(t.bob)).toEqual(["Ann asks Bob", "Bob's own"]);
      expect(await titles(t.sue, `?assignee=${id.bob}`)).toEqual(["Ann asks Bob", "Bob's own"]);
    });

    it("an agent cannot close or reassign a colleague's task; the assignee, the creator and a supervisor can", async () => {
      const close = await s.api("PATCH", `/api/tasks/${bobs}`, { token: t.ann, body: { done: true } });
      expect(close.status).toBe(403);
      expect(close.body.error.code).toBe("FORBIDDEN");
      expect((await s.api("PATCH", `/api/tasks/${bobs}`, { token: t.ann, body: { assigneeId: id.ann } })).status).toBe(403);
      expect((await s.api("PATCH", `/api/tasks/${bobs}`, { token: t.noext, body: { title: "mine now" } })).status).toBe(403);
      expect((await s.api("PATCH", `/api/tasks/${annForBob}`, { token: t.ann, body: { title: "Ann asks Bob (edited)" } })).status).toBe(200);
      expect((await s.api("PATCH", `/api/tasks/${annForBob}`, { token: t.bob, body: { done: true } })).status).toBe(200);
      const bySupervisor = await s.api("PATCH", `/api/tasks/${bobs}`, { token: t.sue, body: { assigneeId: id.ann } });
      expect(bySupervisor.status).toBe(200);
      expect(bySupervisor.body.assignee.id).toBe(id.ann);
      // Reassigned to Ann, Ann may change it now; Bob still may, having created it.
      expect((await s.api("PATCH", `/api/tasks/${bobs}`, { token: t.ann, body: { done: true } })).status).toBe(200);
      expect((await s.api("PATCH", `/api/tasks/${bobs}`, { token: t.bob, body: { done: false } })).status).toBe(200);
    });
  });

  describe("phone numbers and contacts: agents add, supervisors remove", () => {
    let clientId = 0;
    let contactId = 0;
    beforeAll(async () => {
      const c = await s.api("POST", "/api/clients", { token: t.ann, body: { name: "Acme Phones", kind: "company", phones: ["+1 415 555 0101", "+1 415 555 0102"] } });
      clientId = c.body.id;
      contactId = (await s.api("POST", `/api/clients/${clientId}/contacts`, { token: t.ann, body: { name: "Pat", phones: ["+1 415 555 0103"] } })).body.id;
    });

    it("an agent cannot wipe or drop a client's numbers, but can add and rewrite them", async () => {
      const wipe = await s.api("PATCH", `/api/clients/${clientId}`, { token: t.ann, body: { phones: [] } });
      expect(wipe.status).toBe(403);
      expect(wipe.body.error.field).toBe("phones");
      expect(wipe.body.error.message).toContain("+14155550101");
      expect((await s.api("PATCH", `/api/clients/${clientId}`, { token: t.ann, body: { phones: ["+1 415 555 0101"] } })).status).toBe(403);
      const added = await s.api("PATCH", `/api/clients/${clientId}`, { token: t.ann, body: { phones: ["(415) 555-0101", "+1 415 555 0102", "+1 415 555 0104"] } });
      expect(added.status).toBe(200);
      expect(added.body.phones.map((p: { number: string }) => p.number)).toEqual(["+14155550101", "+14155550102", "+14155550104"]);
      // Other fields stay editable.
      expect((await s.api("PATCH", `/api/clients/${clientId}`, { token: t.ann, body: { city: "Oakland" } })).status).toBe(200);
      const bySupervisor = await s.api("PATCH", `/api/clients/${clientId}`, { token: t.sue, body: { phones: ["+1 415 555 0104"] } });
      expect(bySupervisor.status).toBe(200);
      expect(bySupervisor.body.phones).toHaveLength(1);
    });

    it("an agent cannot delete a contact or its numbers; a supervisor can", async () => {
      expect((await s.api("DELETE", `/api/contacts/${contactId}`, { token: t.ann })).status).toBe(403);
      expect((await s.api("PATCH", `/api/contacts/${contactId}`, { token: t.ann, body: { phones: [] } })).status).toBe(403);
      expect((await s.api("PATCH", `/api/contacts/${contactId}`, { token: t.ann, body: { title: "CFO", phones: ["+1 415 555 0103", "+1 415 555 0105"] } })).status).toBe(200);
      expect((await s.api("DELETE", `/api/contacts/${contactId}`, { token: t.sue })).status).toBe(204);
      const client = await s.api("GET", `/api/clients/${clientId}`, { token: t.ann });
      expect(client.body.contacts).toEqual([]);
    });
  });

  describe("bulk reads: client lists past BULK_READ_ROWS answer 429 and are audited; managers export", () => {
    beforeAll(async () => {
      const names = Array.from({ length: 150 }, (_, i) => `Bulk ${String(i).padStart(3, "0")}`);
      await s.app.db.prisma.client.createMany({ data: names.map((name) => ({ name, nameLower: name.toLowerCase() })) });
    });

    const page = (token: string, cursor?: string, q = "") => s.api("GET", `/api/clients?limit=50${q}${cursor ? `&cursor=${cursor}` : ""}`, { token });

    it("an agent paging the client base is stopped past the budget, with Retry-After and one audit entry", async () => {
      const first = await page(t.bob);
      const second = await page(t.bob, first.body.next);
      expect([first.status, second.status]).toEqual([200, 200]);
      const third = await page(t.bob, second.body.next);
      expect(third.status).toBe(429);
      expect(third.body.error.code).toBe("RATE_LIMITED");
      expect(third.body.error.message).toMatch(/export/);
      expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await page(t.bob, second.body.next)).status).toBe(429);
      const audit = await s.api("GET", "/api/audit?action=clients.bulk_read_limited", { token: s.adminToken });
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0]).toMatchObject({ actorName: "bob", details: { budgetRows: 120, windowMinutes: 15 } });
      // Another agent has a budget of their own.
      expect((await page(t.ann)).status).toBe(200);
    });

    it("searches cost the rows they return, not the page size", async () => {
      for (let i = 0; i < 40; i++) {
        const r = await page(t.noext, undefined, `&q=bulk%20${String(i).padStart(3, "0")}`);
        expect(r.status).toBe(200);
        expect(r.body.items).toHaveLength(1);
      }
    });

    it("a manager pages the whole base without a budget (and has the audited export)", async () => {
      let cursor: string | undefined;
      let rows = 0;
      do {
        const r = await page(t.max, cursor);
        expect(r.status).toBe(200);
        rows += r.body.items.length;
        cursor = r.body.next ?? undefined;
      } while (cursor);
      expect(rows).toBeGreaterThanOrEqual(150);
    });
  });

  describe("bulk reads of the call journal: one's own calls freely, the rest within the budget", () => {
    let token = "";
    beforeAll(async () => {
      await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "cal", password: "cal-password", role: "agent", extension: "1009" } });
      token = await s.login("cal", "cal-password");
      const now = Date.now();
      await s.app.db.prisma.call.createMany({
        data: Array.from({ length: 130 }, (_, i) => ({
          linkedid: `1800000${String(i).padStart(3, "0")}.7`,
          direction: "inbound",
          callerNumber: `+1415555${String(1000 + i)}`,
          calledNumber: "8005551000",
          agentExtension: "1009",
          startedAt: new Date(now - i * 60_000),
          endedAt: new Date(now - i * 60_000 + 30_000),
          outcome: "answered",
        })),
      });
    });

    const pages = async (q: string) => {
      const statuses: number[] = [];
      let cursor: string | null = null;
      do {
        const r = await s.api("GET", `/api/calls?limit=100${q}${cursor ? `&cursor=${cursor}` : ""}`, { token });
        statuses.push(r.status);
        cursor = r.status === 200 ? r.body.next : null;
      } while (cursor);
      return statuses;
    };

    it("pages through my own calls past the budget, but not through everyone's", async () => {
      expect(await pages("&agent=me")).toEqual([200, 200]);
      expect(await pages("&agent=1009")).toEqual([200, 200]);
      expect(await pages("")).toEqual([200, 429]);
      const audit = await s.api("GET", "/api/audit?action=calls.bulk_read_limited", { token: s.adminToken });
      expect(audit.body.items.map((a: { actorName: string }) => a.actorName)).toEqual(["cal"]);
    });
  });

  describe("wrap-up: only the agent who was on the call, or a supervisor", () => {
    let seq = 0;
    const journalCall = async (agentExtension: string | null) => {
      const linkedid = `1700000${String(++seq).padStart(3, "0")}.1`;
      const now = new Date();
      await s.app.db.prisma.call.create({
        data: { linkedid, direction: "inbound", callerNumber: "+14155550199", calledNumber: "8005551000", agentExtension, startedAt: now, endedAt: now, outcome: agentExtension ? "answered" : "abandoned" },
      });
      return linkedid;
    };
    const wrap = (token: string, linkedid: string, clientId?: number) =>
      s.api("POST", `/api/calls/${linkedid}/wrapup`, { token, body: { disposition: "Resolved", ...(clientId ? { clientId } : {}) } });

    it("an agent without an extension cannot wrap up (or relink) an unanswered call", async () => {
      const c = await s.api("POST", "/api/clients", { token: t.ann, body: { name: "Relink Target" } });
      const unanswered = await journalCall(null);
      const r = await wrap(t.noext, unanswered, c.body.id);
      expect(r.status).toBe(403);
      expect((await wrap(t.ann, unanswered)).status).toBe(403);
      const row = await s.app.db.prisma.call.findUnique({ where: { linkedid: unanswered } });
      expect(row).toMatchObject({ clientId: null, disposition: null });
      expect((await wrap(t.sue, unanswered)).status).toBe(200);
    });

    it("an agent wraps up their own call, not a colleague's", async () => {
      const bobsCall = await journalCall("1002");
      expect((await wrap(t.ann, bobsCall)).status).toBe(403);
      expect((await wrap(t.bob, bobsCall)).status).toBe(200);
    });
  });
});
