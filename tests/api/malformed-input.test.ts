// Every class of malformed input the hardening probe found answering 500 (issue 8), sent to every
// route that takes it: each must be a 400 naming the field, and nothing may be stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** Ids in a path or query that `Number()` would have read as another number, or that overflow. */
const badIds = (id: number) => [
  `0x${id.toString(16)}`,
  `${id}e0`,
  ` ${id}`,
  `${id} `,
  `+${id}`,
  `0${id}`,
  `${id}.0`,
  "-1",
  "0",
  "2147483648",
  "99999999999999999999",
  "1e10",
  "abc",
  "\u0000",
];
/** Ids in a JSON body. */
const badBodyIds: unknown[] = [2147483648, 1e300, -1, 0, 1.5, "1", true];
/** Text PostgreSQL or JSON cannot carry, for any text field. */
const badText = ["a\u0000b", "\ud800", "x\udfffy", "\udc00\ud800"];
/** In a query string only what UTF-8 percent-encoding can say (a lone surrogate cannot be sent). */
const badQueryText = ["a\u0000b", "\u0000"];
/** One-line fields (names, titles) also refuse other control characters. */
const badLine = ["a\u0007b", "a\nAction: Originate", "\u001b[31mred"];
/** Dates that are not dates, or outside 1900 to 2100 (years past 9999 broke Prisma). */
const badDates = ["2026-02-31", "2026-13-01", "+200000-01-01T00:00:00Z", "-005000-01-01", "10000-01-01", "1899-12-31T23:59:59Z", "2101-01-01", "1", "0", "next tuesday", "2026-11-25T25:00:00Z", ""];

const q = (v: string) => encodeURIComponent(v);

describe.each(dbKinds)("malformed input answers 400 naming the field on %s", (db) => {
  let s: TestServer;
  let agent: string;
  let clientId: number;
  let contactId: number;
  let taskId: number;
  let agentId: number;
  const counts = async () => {
    const p = s.app.db.prisma;
    return {
      clients: await p.client.count(),
      phones: await p.phone.count(),
      contacts: await p.contact.count(),
      notes: await p.note.count(),
      tasks: await p.task.count(),
      users: await p.user.count(),
      sessions: await p.session.count(),
    };
  };
  let before: Awaited<ReturnType<typeof counts>>;

  beforeAll(async () => {
    s = await startTestServer({ db });
    const u = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "agent1", password: "agent-pass-1", role: "agent", extension: "1001" } });
    agentId = u.body.id;
    agent = await s.login("agent1", "agent-pass-1");
    const c = await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Ada Lovelace", phones: ["+1 415 555 0170"] } });
    clientId = c.body.id;
    contactId = (await s.api("POST", `/api/clients/${clientId}/contacts`, { token: s.adminToken, body: { name: "Charles" } })).body.id;
    taskId = (await s.api("POST", "/api/tasks", { token: s.adminToken, body: { title: "Call Ada", clientId } })).body.id;
    before = await counts();
  });
  afterAll(async () => s?.close());

  async function expect400(method: string, path: string, field: string, opts: { body?: unknown; token?: string | null } = {}) {
    const token = opts.token === null ? undefined : (opts.token ?? s.adminToken);
    const r = await s.api(method, path, { token, body: opts.body });
    expect(r.status, `${method} ${path} ${JSON.stringify(opts.body)} → ${JSON.stringify(r.body)}`).toBe(400);
    expect(r.body.error.code).toBe("VALIDATION");
    expect(r.body.error.field, `${method} ${path} ${JSON.stringify(opts.body)}`).toBe(field);
  }

  it("refuses ids in paths that are not plain decimal from 1 to 2^31-1, and never resolves them to another client", async () => {
    const routes: [string, (id: string) => string, unknown?][] = [
      ["GET", (id) => `/api/clients/${id}`],
      ["PATCH", (id) => `/api/clients/${id}`, { city: "Paris" }],
      ["DELETE", (id) => `/api/clients/${id}`],
      ["GET", (id) => `/api/clients/${id}/timeline`],
      ["POST", (id) => `/api/clients/${id}/notes`, { body: "hello" }],
      ["POST", (id) => `/api/clients/${id}/contacts`, { name: "Someone" }],
      ["PATCH", (id) => `/api/contacts/${id}`, { title: "Boss" }],
      ["DELETE", (id) => `/api/contacts/${id}`],
      ["PATCH", (id) => `/api/tasks/${id}`, { done: true }],
      ["PATCH", (id) => `/api/users/${id}`, { displayName: "X" }],
      ["GET", (id) => `/api/clients/import/${id}`],
    ];
    for (const [method, path, body] of routes)
      for (const id of [...badIds(clientId), ...badIds(contactId), ...badIds(taskId), ...badIds(agentId)])
        await expect400(method, path(q(id)), "id", { body });
  });

  it("refuses call ids that are not Asterisk Linkedids, naming callId", async () => {
    for (const id of ["abc", "1", "1795598250", "0x1.0", "1795598250.0 ", "\u0000", "1795598250.0;x"])
      for (const action of ["hangup", "transfer", "wrapup"])
        await expect400("POST", `/api/calls/${q(id)}/${action}`, "callId", { token: agent, body: action === "wrapup" ? { disposition: "Resolved" } : action === "transfer" ? { to: "1002" } : undefined });
  });

  it("refuses malformed ids in queries", async () => {
    const routes: [string, string][] = [
      ["/api/clients", "owner"],
      ["/api/clients", "cursor"],
      ["/api/tasks", "assignee"],
      ["/api/tasks", "clientId"],
      ["/api/calls", "clientId"],
      ["/api/calls", "cursor"],
      ["/api/audit", "cursor"],
    ];
    for (const [path, field] of routes) for (const id of badIds(clientId)) await expect400("GET", `${path}?${field}=${q(id)}`, field);
    for (const [path, field] of [["/api/clients", "limit"], ["/api/tasks", "limit"], ["/api/calls", "limit"], ["/api/audit", "limit"], [`/api/clients/${clientId}/timeline`, "limit"]] as const)
      for (const v of ["0x10", "1e1", " 5", "-1", "0", "100000", "abc"]) await expect400("GET", `${path}?${field}=${q(v)}`, field);
  });

  it("refuses ids in JSON bodies that are not whole numbers from 1 to 2^31-1", async () => {
    for (const v of badBodyIds) {
      await expect400("POST", "/api/clients", "ownerId", { body: { name: "Nobody", ownerId: v } });
      await expect400("PATCH", `/api/clients/${clientId}`, "ownerId", { body: { ownerId: v } });
      await expect400("POST", "/api/tasks", "clientId", { body: { title: "x", clientId: v } });
      await expect400("POST", "/api/tasks", "assigneeId", { body: { title: "x", assigneeId: v } });
      await expect400("PATCH", `/api/tasks/${taskId}`, "assigneeId", { body: { assigneeId: v } });
      await expect400("POST", "/api/calls/originate", "clientId", { token: agent, body: { number: "+14155550170", clientId: v } });
      await expect400("POST", "/api/calls/1795598250.0/wrapup", "clientId", { token: agent, body: { disposition: "Resolved", clientId: v } });
    }
  });

  it("refuses NUL, lone surrogates and (in one-line fields) control characters in body text", async () => {
    const cases: [string, string, (v: string) => unknown, string][] = [
      ["POST", "/api/clients", (v) => ({ name: v }), "name"],
      ["POST", "/api/clients", (v) => ({ name: "Ok", city: v }), "city"],
      ["POST", "/api/clients", (v) => ({ name: "Ok", notes: v }), "notes"],
      ["POST", "/api/clients", (v) => ({ name: "Ok", phones: [v] }), "phones.0"],
      ["POST", "/api/clients", (v) => ({ name: "Ok", tags: [v] }), "tags.0"],
      ["POST", "/api/clients", (v) => ({ name: "Ok", emails: [v] }), "emails.0"],
      ["PATCH", `/api/clients/${clientId}`, (v) => ({ company: v }), "company"],
      ["POST", `/api/clients/${clientId}/notes`, (v) => ({ body: v }), "body"],
      ["POST", `/api/clients/${clientId}/contacts`, (v) => ({ name: v }), "name"],
      ["PATCH", `/api/contacts/${contactId}`, (v) => ({ title: v }), "title"],
      ["POST", "/api/tasks", (v) => ({ title: v }), "title"],
      ["POST", "/api/tasks", (v) => ({ title: "ok", body: v }), "body"],
      ["PATCH", `/api/tasks/${taskId}`, (v) => ({ title: v }), "title"],
      ["POST", "/api/users", (v) => ({ username: "newbie", password: "newbie-pass", role: "agent", displayName: v }), "displayName"],
      ["PATCH", `/api/users/${agentId}`, (v) => ({ displayName: v }), "displayName"],
    ];
    for (const [method, path, body, field] of cases) for (const v of badText) await expect400(method, path, field, { body: body(v) });
    for (const [method, path, body, field] of cases.filter(([, , , f]) => ["name", "city", "title", "company"].includes(f)))
      for (const v of badLine) await expect400(method, path, field, { body: body(v) });
    for (const v of badText) {
      await expect400("POST", "/api/me/status", "reason", { token: agent, body: { state: "paused", reason: v } });
      await expect400("POST", "/api/calls/originate", "number", { token: agent, body: { number: v } });
      await expect400("POST", "/api/calls/1795598250.0/wrapup", "note", { token: agent, body: { disposition: "Resolved", note: v } });
      await expect400("POST", "/api/demo/phone/call-me", "from", { token: agent, body: { from: v } });
    }
  });

  it("refuses NUL in the login username without a token, and in the password", async () => {
    for (const v of badText) {
      await expect400("POST", "/api/auth/login", "username", { token: null, body: { username: `admin${v}`, password: "whatever-1" } });
      await expect400("POST", "/api/auth/login", "password", { token: null, body: { username: "admin", password: `pw${v}` } });
    }
  });

  it("refuses NUL and control characters in query text", async () => {
    const cases: [string, string][] = [
      ["/api/clients", "q"],
      ["/api/clients", "phone"],
      ["/api/clients", "email"],
      ["/api/clients", "tag"],
      ["/api/phone/normalize", "number"],
      ["/api/audit", "action"],
      ["/api/audit", "actor"],
      [`/api/clients/${clientId}/timeline`, "cursor"],
    ];
    for (const [path, field] of cases) for (const v of badQueryText) await expect400("GET", `${path}?${field}=${q(v)}`, field);
  });

  it("refuses dates that are not calendar dates or fall outside 1900 to 2100", async () => {
    for (const d of badDates) {
      await expect400("GET", `/api/calls?from=${q(d)}`, "from");
      await expect400("GET", `/api/calls?to=${q(d)}`, "to");
      await expect400("POST", "/api/tasks", "dueAt", { body: { title: "x", dueAt: d } });
      await expect400("PATCH", `/api/tasks/${taskId}`, "dueAt", { body: { dueAt: d } });
    }
    // What the console sends still works.
    const ok = await s.api("GET", `/api/calls?from=${q("2026-01-01T00:00:00.000Z")}&to=2026-12-31`, { token: s.adminToken });
    expect(ok.status).toBe(200);
  });

  it("stored nothing, and still serves the real ids", async () => {
    expect(await counts()).toEqual(before);
    expect((await s.api("GET", `/api/clients/${clientId}`, { token: s.adminToken })).body.name).toBe("Ada Lovelace");
    expect((await s.api("GET", `/api/tasks?clientId=${clientId}&status=all`, { token: s.adminToken })).body.items).toHaveLength(1);
  });
});
