import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe.each(dbKinds)("clients, contacts, timeline and tasks on %s", (db) => {
  let s: TestServer;
  let agent: string;
  let supervisor: string;
  beforeAll(async () => {
    s = await startTestServer({ db });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "agent1", password: "agent-pass-1", role: "agent", extension: "1001" } });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "sup1", password: "super-pass-1", role: "supervisor" } });
    agent = await s.login("agent1", "agent-pass-1");
    supervisor = await s.login("sup1", "super-pass-1");
  });
  afterAll(async () => s?.close());

  const create = (body: unknown, token = agent) => s.api("POST", "/api/clients", { token, body });

  it("stores numbers in E.164 and finds the client by any written form", async () => {
    const r = await create({ name: "Grace Hopper", phones: ["+1 415 555 0123", { number: "(212) 555-0199", type: "work", isPrimary: true }], emails: ["Grace@Example.com"], tags: ["VIP", "navy"] });
    expect(r.status).toBe(201);
    expect(r.body.phones.map((p: { number: string }) => p.number).sort()).toEqual(["+12125550199", "+14155550123"]);
    expect(r.body.phones.find((p: { isPrimary: boolean }) => p.isPrimary).number).toBe("+12125550199");
    expect(r.body.emails).toEqual(["grace@example.com"]);
    expect(r.body.tags).toEqual(["vip", "navy"]);
    expect(r.body.stage).toBe("prospect");
    for (const written of ["(415) 555-0123", "415.555.0123", "+14155550123", "001 415 555 0123", "tel:+1-415-555-0123"]) {
      const found = await s.api("GET", `/api/clients?phone=${encodeURIComponent(written)}`, { token: agent });
      expect(found.status, written).toBe(200);
      expect(found.body.items.map((c: { name: string }) => c.name), written).toEqual(["Grace Hopper"]);
    }
  });

  it("rejects bad numbers with a 400 naming the entry, and stores nothing", async () => {
    const before = (await s.api("GET", "/api/clients?q=broken", { token: agent })).body.items.length;
    for (const [phones, field] of [
      [["+1 415 555 0123", "call me maybe"], "phones.1"],
      [[{ number: "12" + "3".repeat(30) }], "phones.0.number"],
      [["+1 415\r\nAction: Originate"], "phones.0"],
      [["030 1234567"], "phones.0"],
    ] as const) {
      const r = await create({ name: "Broken Number", phones });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe("VALIDATION");
      expect(r.body.error.field).toBe(field);
    }
    expect((await s.api("GET", "/api/clients?q=broken", { token: agent })).body.items.length).toBe(before);
    const badSearch = await s.api("GET", `/api/clients?phone=${encodeURIComponent("abc")}`, { token: agent });
    expect(badSearch.status).toBe(400);
    expect(badSearch.body.error.field).toBe("phone");
  });

  it("keeps extensions and short codes as digits and finds them", async () => {
    const r = await create({ name: "Front Desk", phones: ["1007"] });
    expect(r.body.phones[0].number).toBe("1007");
    const found = await s.api("GET", "/api/clients?phone=1007", { token: agent });
    expect(found.body.items.map((c: { name: string }) => c.name)).toEqual(["Front Desk"]);
    const norm = await s.api("GET", "/api/phone/normalize?number=1007", { token: agent });
    expect(norm.body).toMatchObject({ kind: "internal", number: "1007" });
  });

  it("finds a company through a contact's own number, and every owner of a shared number", async () => {
    const co = await create({ name: "Initech LLC", kind: "company", phones: ["+1 512 555 0100"] });
    const contact = await s.api("POST", `/api/clients/${co.body.id}/contacts`, { token: agent, body: { name: "Peter Gibbons", title: "Engineer", phones: ["512-555-0142"] } });
    expect(contact.status).toBe(201);
    const found = await s.api("GET", "/api/clients?phone=%2B15125550142", { token: agent });
    expect(found.body.items.map((c: { name: string }) => c.name)).toEqual(["Initech LLC"]);
    expect(found.body.items[0].contacts[0]).toMatchObject({ name: "Peter Gibbons", phones: [{ number: "+15125550142" }] });
    await create({ name: "Samir Nagheenanajar", phones: ["+1 512 555 0142"] });
    const both = await s.api("GET", "/api/clients?phone=5125550142", { token: agent });
    expect(both.body.items.map((c: { name: string }) => c.name).sort()).toEqual(["Initech LLC", "Samir Nagheenanajar"]);
    // A removed contact's number stops matching (removing contacts is a supervisor's right).
    expect((await s.api("DELETE", `/api/contacts/${contact.body.id}`, { token: supervisor })).status).toBe(204);
    const after = await s.api("GET", "/api/clients?phone=5125550142", { token: agent });
    expect(after.body.items.map((c: { name: string }) => c.name)).toEqual(["Samir Nagheenanajar"]);
  });

  it("replaces numbers on edit and keeps the lifecycle history", async () => {
    const c = await create({ name: "Ada Lovelace", phones: ["+44 20 7946 0958"] });
    // Replacing (removing) a number is a supervisor's right; agents only add (tests/api/access-rules.test.ts).
    const upd = await s.api("PATCH", `/api/clients/${c.body.id}`, { token: supervisor, body: { phones: ["+44 20 7946 0959"], stage: "active" } });
    expect(upd.status).toBe(200);
    expect(upd.body.stage).toBe("active");
    expect((await s.api("GET", "/api/clients?phone=%2B442079460958", { token: agent })).body.items).toEqual([]);
    expect((await s.api("GET", "/api/clients?phone=%2B442079460959", { token: agent })).body.items[0].name).toBe("Ada Lovelace");
    await s.api("PATCH", `/api/clients/${c.body.id}`, { token: agent, body: { stage: "regular" } });
    const tl = await s.api("GET", `/api/clients/${c.body.id}/timeline`, { token: agent });
    const stages = tl.body.items.filter((i: { type: string }) => i.type === "stage").map((i: { from: string | null; to: string }) => `${i.from}->${i.to}`);
    expect(stages).toEqual(["active->regular", "prospect->active", "null->prospect"]);
    const bad = await s.api("PATCH", `/api/clients/${c.body.id}`, { token: agent, body: { stage: "gold" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("stage");
    const unknownField = await s.api("PATCH", `/api/clients/${c.body.id}`, { token: agent, body: { nmae: "typo" } });
    expect(unknownField.status).toBe(400);
  });

  it("searches by name, tag, stage and e-mail, sorts, and pages with a cursor", async () => {
    for (let i = 0; i < 7; i++) await create({ name: `Pager Person ${String.fromCharCode(71 - i)}`, tags: i % 2 ? ["odd"] : [], stage: i % 2 ? "lost" : "active" });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { name: string }[]; next: string | null } } = await s.api("GET", `/api/clients?q=pager&limit=3&sort=name${cursor ? `&cursor=${cursor}` : ""}`, { token: agent });
      seen.push(...page.body.items.map((c) => c.name));
      cursor = page.body.next;
    } while (cursor);
    expect(seen).toEqual(["A", "B", "C", "D", "E", "F", "G"].map((l) => `Pager Person ${l}`));
    const desc = await s.api("GET", "/api/clients?q=pager&sort=-name&limit=2", { token: agent });
    expect(desc.body.items.map((c: { name: string }) => c.name)).toEqual(["Pager Person G", "Pager Person F"]);
    const word = await s.api("GET", "/api/clients?q=person%20c", { token: agent });
    expect(word.body.items.map((c: { name: string }) => c.name)).toEqual(["Pager Person C"]);
    const odd = await s.api("GET", "/api/clients?tag=odd&stage=lost", { token: agent });
    expect(odd.body.items).toHaveLength(3);
    const byEmail = await s.api("GET", "/api/clients?email=GRACE@example.com", { token: agent });
    expect(byEmail.body.items.map((c: { name: string }) => c.name)).toEqual(["Grace Hopper"]);
    const badSort = await s.api("GET", "/api/clients?sort=salary", { token: agent });
    expect(badSort.status).toBe(400);
    expect(badSort.body.error.field).toBe("sort");
  });

  it("soft-deletes: agents may not, supervisors may, and the number stops matching", async () => {
    const c = await create({ name: "To Be Removed", phones: ["+1 303 555 0111"] });
    expect((await s.api("DELETE", `/api/clients/${c.body.id}`, { token: agent })).status).toBe(403);
    expect((await s.api("DELETE", `/api/clients/${c.body.id}`, { token: supervisor })).status).toBe(204);
    expect((await s.api("GET", `/api/clients/${c.body.id}`, { token: agent })).status).toBe(404);
    expect((await s.api("GET", "/api/clients?phone=3035550111", { token: agent })).body.items).toEqual([]);
    const row = await s.app.db.query<{ deleted_at: Date | null }>("SELECT deleted_at FROM clients WHERE id = $1", [c.body.id]);
    expect(row[0]?.deleted_at).toBeInstanceOf(Date);
    const audit = await s.api("GET", "/api/audit?action=client.delete", { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({ actorName: "sup1", target: `client:${c.body.id}` });
  });

  it("keeps a timeline of notes, tasks and stage changes, newest first, paged without gaps", async () => {
    const c = await create({ name: "Timeline Person", phones: ["+1 206 555 0177"] });
    for (let i = 1; i <= 5; i++) {
      const n = await s.api("POST", `/api/clients/${c.body.id}/notes`, { token: agent, body: { body: `note ${i}` } });
      expect(n.status).toBe(201);
      expect(n.body.author.displayName).toBe("agent1");
    }
    const task = await s.api("POST", "/api/tasks", { token: agent, body: { title: "Call back", clientId: c.body.id, dueAt: "2020-01-01T10:00:00Z" } });
    expect(task.status).toBe(201);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { type: string; body?: string; title?: string }[]; next: string | null } } = await s.api(
        "GET",
        `/api/clients/${c.body.id}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        { token: agent },
      );
      all.push(...page.body.items.map((i) => (i.type === "note" ? i.body! : i.type === "task" ? `task:${i.title}` : i.type)));
      cursor = page.body.next;
    } while (cursor);
    expect(all).toEqual(["task:Call back", "note 5", "note 4", "note 3", "note 2", "note 1", "stage"]);
    const empty = await s.api("POST", `/api/clients/${c.body.id}/notes`, { token: agent, body: { body: "   " } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe("body");
    expect((await s.api("GET", `/api/clients/${c.body.id}/timeline?cursor=garbage`, { token: agent })).status).toBe(400);
  });

  it("lists my open and overdue tasks and closes them", async () => {
    const mine = await s.api("GET", "/api/tasks?assignee=me&due=overdue", { token: agent });
    expect(mine.body.items.map((t: { title: string }) => t.title)).toContain("Call back");
    const t = mine.body.items[0];
    const done = await s.api("PATCH", `/api/tasks/${t.id}`, { token: agent, body: { done: true } });
    expect(done.body.doneAt).not.toBeNull();
    const open = await s.api("GET", "/api/tasks?assignee=me", { token: agent });
    expect(open.body.items.find((x: { id: number }) => x.id === t.id)).toBeUndefined();
    const badDate = await s.api("POST", "/api/tasks", { token: agent, body: { title: "x", dueAt: "next tuesday" } });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.field).toBe("dueAt");
  });

  it("answers malformed JSON and oversized bodies with clear errors", async () => {
    const bad = await s.api("POST", "/api/clients", { token: agent, raw: "{not json", headers: { "content-type": "application/json" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION");
    const huge = await s.api("POST", "/api/clients", { token: agent, body: { name: "x", notes: "y".repeat(2_000_000) } });
    expect(huge.status).toBe(413);
    const long = await create({ name: "z".repeat(201) });
    expect(long.status).toBe(400);
    expect(long.body.error.field).toBe("name");
  });
});
