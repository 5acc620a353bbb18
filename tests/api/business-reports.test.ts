import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const t = (iso: string) => new Date(iso);
const range = "from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z&tz=UTC";

/**
 * Clients, their stage history and calls, with every figure below computed by hand (LOST_CLIENT_DAYS 30; the range is the first
 * quarter of 2026, so "lost" is judged as of 1 April):
 * - Alpha: created 10 Jan as a prospect, active on the 12th (2 days); first talked to on the call that created it (0 s).
 * - Bravo: created 20 Jan, stays a prospect; an unanswered call on the 21st, reached on the 22nd 09:00 (2 days = 172,800 s).
 * - Charlie: created 5 Feb, active on the 9th (4 days), regular on 1 Mar; answered call an hour after creation (3,600 s).
 * - Delta: created 15 Feb already active (not a lead), lost on 10 Mar; never called.
 * - Echo: created Nov 2025 (before the range), active on 5 Jan.
 * - Foxtrot: created 1 Mar and deleted: counts nowhere.
 * - Golf: created 20 Mar as a prospect without a stage history row (an import): a lead, not converted, never called.
 */
const clients: [string, string, string, string | null, [string, string][]][] = [
  ["Alpha", "2026-01-10T09:00:00Z", "active", null, [["prospect", "2026-01-10T09:00:00Z"], ["active", "2026-01-12T09:00:00Z"]]],
  ["Bravo", "2026-01-20T09:00:00Z", "prospect", null, [["prospect", "2026-01-20T09:00:00Z"]]],
  ["Charlie", "2026-02-05T09:00:00Z", "regular", null, [["prospect", "2026-02-05T09:00:00Z"], ["active", "2026-02-09T09:00:00Z"], ["regular", "2026-03-01T00:00:00Z"]]],
  ["Delta", "2026-02-15T09:00:00Z", "lost", null, [["active", "2026-02-15T09:00:00Z"], ["lost", "2026-03-10T00:00:00Z"]]],
  ["Echo", "2025-11-01T00:00:00Z", "active", null, [["prospect", "2025-11-01T00:00:00Z"], ["active", "2026-01-05T00:00:00Z"]]],
  ["Foxtrot", "2026-03-01T00:00:00Z", "prospect", "2026-03-02T00:00:00Z", []],
  ["Golf", "2026-03-20T09:00:00Z", "prospect", null, []],
];

/** Calls: [linkedid, client, direction, started, ended, outcome, disposition]. k5 to k7 are complaints. */
const calls: [string, string | null, string, string, string, string, string | null][] = [
  ["k1", "Alpha", "inbound", "2026-01-10T08:55:00Z", "2026-01-10T09:05:00Z", "answered", null],
  ["k2a", "Bravo", "outbound", "2026-01-21T09:00:00Z", "2026-01-21T09:00:30Z", "no-answer", null],
  ["k3", "Bravo", "outbound", "2026-01-22T09:00:00Z", "2026-01-22T09:05:00Z", "reached", null],
  ["k4", "Charlie", "inbound", "2026-02-05T10:00:00Z", "2026-02-05T10:05:00Z", "answered", null],
  // A complaint by disposition; Charlie's complaint task, created after the call, done a day after the call ended (86,400 s).
  ["k5", "Charlie", "inbound", "2026-03-05T10:00:00Z", "2026-03-05T10:05:00Z", "answered", "Complaint – billing"],
  // A complaint by script outcome ("Complaint"): the task the script made (T6) is done two hours after the call ended (7,200 s).
  ["k6", "Alpha", "inbound", "2026-03-12T10:00:00Z", "2026-03-12T10:10:00Z", "answered", "Resolved"],
  // A complaint without a client, hence without a task: not closed.
  ["k7", null, "inbound", "2026-03-20T10:00:00Z", "2026-03-20T10:02:00Z", "answered", "customer complaint"],
];

describe.each(dbKinds)("business reports (%s)", (db) => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const get = (who: string, query: string) => s.api("GET", `/api/reports/business?${query}`, { token: tokens[who] });

  beforeAll(async () => {
    s = await startTestServer({ db, env: { LOST_CLIENT_DAYS: "30" } });
    for (const [u, role] of [["sue", "supervisor"], ["max", "manager"]] as const) {
      expect((await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role, displayName: u } })).status).toBe(201);
      tokens[u] = await s.login(u, `${u}-password`);
    }
    const ids: Record<string, number> = {};
    for (const [name, created, stage, deleted, history] of clients) {
      const [c] = await s.app.db.query<{ id: number }>(
        `INSERT INTO clients (name, name_lower, stage, created_at, updated_at, deleted_at) VALUES ($1, lower($1), $2::"LifecycleStage", $3, $3, $4) RETURNING id`,
        [name, stage, t(created), deleted ? t(deleted) : null],
      );
      ids[name] = c!.id;
      let prev: string | null = null;
      for (const [to, at] of history) {
        await s.app.db.query(`INSERT INTO stage_changes (client_id, from_stage, to_stage, at) VALUES ($1, $2::"LifecycleStage", $3::"LifecycleStage", $4)`, [c!.id, prev, to, t(at)]);
        prev = to;
      }
    }
    for (const [linkedid, client, direction, started, ended, outcome, disposition] of calls)
      await s.app.db.query(
        `INSERT INTO calls (linkedid, direction, caller_number, called_number, customer_number, client_id, started_at, ended_at, outcome, disposition)
         VALUES ($1, $2, '+14155550100', '8005551000', '+14155550100', $3, $4, $5, $6, $7)`,
        [linkedid, direction, client ? ids[client] : null, t(started), t(ended), outcome, disposition],
      );
    const task = async (client: string | null, title: string, created: string, done: string | null) => {
      const [x] = await s.app.db.query<{ id: number }>("INSERT INTO tasks (client_id, title, created_at, done_at) VALUES ($1, $2, $3, $4) RETURNING id", [client ? ids[client] : null, title, t(created), done ? t(done) : null]);
      return x!.id;
    };
    // Requests (tasks): T1 done in 2 h, T2 in a day, T3 open, T4 before the range; T5 and T6 are the complaint tasks, T7 an older open
    // complaint task of Alpha's that k6's script did not make.
    await task("Alpha", "Send the brochure", "2026-01-10T10:00:00Z", "2026-01-10T12:00:00Z");
    await task(null, "Call the supplier", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z");
    await task(null, "Update the price list", "2026-03-01T00:00:00Z", null);
    await task(null, "Last year's", "2025-12-31T00:00:00Z", "2026-01-02T00:00:00Z");
    await task("Charlie", "Complaint to follow up", "2026-03-05T10:06:00Z", "2026-03-06T10:05:00Z");
    const t6 = await task("Alpha", "Complaint to follow up", "2026-03-12T10:11:00Z", "2026-03-12T12:10:00Z");
    await task("Alpha", "Old complaint", "2026-03-01T00:00:00Z", null);
    const [script] = await s.app.db.query<{ id: number }>(`INSERT INTO scripts (name, draft) VALUES ('Intake', '{"start":"a","steps":{}}') RETURNING id`);
    await s.app.db.query(
      "INSERT INTO script_runs (linkedid, script_id, version, path, outcome, completed, started_at, captured) VALUES ('k6', $1, 1, '[]', 'Complaint', true, $2, $3)",
      [script!.id, t("2026-03-12T10:00:00Z"), JSON.stringify({ actions: ["client: name", `task ${t6}`] })],
    );
    // Callbacks: one done in 30 min, one pending; one before the range.
    for (const [n, created, status, done] of [["1", "2026-02-01T10:00:00Z", "done", "2026-02-01T10:30:00Z"], ["2", "2026-03-01T10:00:00Z", "pending", null], ["3", "2025-12-01T10:00:00Z", "done", "2025-12-01T11:00:00Z"]] as const)
      await s.app.db.query(
        "INSERT INTO callbacks (number, queue, source, status, outcome, due_at, original_queued_at, created_at, done_at) VALUES ($1, 'support', 'web', $2, $3, $4, $4, $4, $5)",
        [`+1415555000${n}`, status, status === "done" ? "reached" : null, t(created), done ? t(done) : null],
      );
    (globalThis as { businessIds?: Record<string, number> }).businessIds = ids;
  });
  afterAll(async () => s?.close());

  it("conversion by stage and month, time to first contact and to process a request, growth, lost clients, complaints", async () => {
    const ids = (globalThis as { businessIds?: Record<string, number> }).businessIds!;
    const r = await get("max", range);
    expect(r.status).toBe(200);
    const b = r.body;
    // Leads Alpha, Bravo, Charlie, Golf (Delta was created active); converted Alpha (2 days) and Charlie (4 days).
    expect(b.conversion).toEqual({ leads: 4, converted: 2, rate: 50, meanDaysToConvert: 3 });
    expect(b.conversionByMonth).toEqual([
      { month: "2026-01", leads: 2, converted: 1, rate: 50 },
      { month: "2026-02", leads: 1, converted: 1, rate: 100 },
      { month: "2026-03", leads: 1, converted: 0, rate: 0 },
    ]);
    // Now: Bravo, Golf prospects; Alpha, Echo active; Charlie regular; Delta lost. Entered in the range: prospect Alpha, Bravo, Charlie;
    // active Echo, Alpha, Charlie, Delta; regular Charlie; lost Delta. Reached by the leads: all four prospects, Alpha and Charlie active, Charlie regular.
    expect(b.stages).toEqual([
      { stage: "prospect", clients: 2, enteredInRange: 3, reachedByLeads: 4 },
      { stage: "active", clients: 2, enteredInRange: 4, reachedByLeads: 2 },
      { stage: "regular", clients: 1, enteredInRange: 1, reachedByLeads: 1 },
      { stage: "lost", clients: 1, enteredInRange: 1, reachedByLeads: 0 },
    ]);
    // Created in the range: Alpha, Bravo, Charlie, Delta, Golf; talked to: Alpha 0 s, Bravo 172,800 s, Charlie 3,600 s.
    expect(b.firstContact).toEqual({ count: 5, done: 3, meanSeconds: 58800, p50Seconds: 3600 });
    // Tasks of the range T1, T2, T3, T5, T6, T7; done T1 7,200, T2 86,400, T5 86,340, T6 7,140: mean 46,770, median (7,200 + 86,340) / 2.
    expect(b.tasks).toEqual({ count: 6, done: 4, meanSeconds: 46770, p50Seconds: 46770 });
    expect(b.callbacks).toEqual({ count: 2, done: 1, meanSeconds: 1800, p50Seconds: 1800 });
    expect(b.growth).toEqual([
      { month: "2026-01", newClients: 2, becameLost: 0, totalClients: 3 },
      { month: "2026-02", newClients: 2, becameLost: 0, totalClients: 5 },
      { month: "2026-03", newClients: 1, becameLost: 1, totalClients: 6 },
    ]);
    // As of 1 April, no conversation since 2 March: Bravo (last on 22 Jan), Delta and Echo (never). Alpha (k6) and Charlie (k5) were
    // talked to; Golf is newer than 30 days; Foxtrot is deleted.
    expect(b.lost).toEqual({
      days: 30,
      asOf: "2026-04-01T00:00:00.000Z",
      count: 3,
      clients: [
        { id: ids.Bravo, name: "Bravo", lastContactAt: "2026-01-22T09:00:00.000Z" },
        { id: ids.Delta, name: "Delta", lastContactAt: null },
        { id: ids.Echo, name: "Echo", lastContactAt: null },
      ],
    });
    // k5 (disposition) closed 86,400 s after the call ended, k6 (script) 7,200 s, k7 without a task.
    expect(b.complaints).toMatchObject({ count: 3, withTask: 2, closed: 2, meanCloseSeconds: 46800, p50CloseSeconds: 46800 });
    expect(b.complaints.items.map((c: { linkedid: string; source: string; closeSeconds: number | null }) => [c.linkedid, c.source, c.closeSeconds])).toEqual([
      ["k5", "disposition", 86400],
      ["k6", "script", 7200],
      ["k7", "disposition", null],
    ]);
  });

  it("CSV of one table, headed by its JSON field names; managers and admins only", async () => {
    const csv = await get("max", `${range}&format=csv&table=growth`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const records = parseCsv(csv.body as string, { bom: true }) as string[][];
    expect(records).toEqual([
      ["month", "newClients", "becameLost", "totalClients"],
      ["2026-01", "2", "0", "3"],
      ["2026-02", "2", "0", "5"],
      ["2026-03", "1", "1", "6"],
    ]);
    const processing = parseCsv((await get("max", `${range}&format=csv&table=processing`)).body as string, { bom: true }) as string[][];
    expect(processing[0]).toEqual(["what", "count", "done", "meanSeconds", "p50Seconds"]);
    expect(processing[1]).toEqual(["firstContact", "5", "3", "58800", "3600"]);
    // In Paris the range runs from 1 January 01:00 to 1 April 02:00 (summer time): it touches April too.
    expect((await get("max", range.replace("tz=UTC", "tz=Europe/Paris"))).body.growth.map((g: { month: string }) => g.month)).toEqual(["2026-01", "2026-02", "2026-03", "2026-04"]);
    expect((await get("sue", range)).status).toBe(403);
    expect((await s.api("GET", `/api/reports/business?${range}`, { token: s.adminToken })).status).toBe(200);
    expect((await get("max", `${range}&table=nope`)).body.error.field).toBe("table");
  });
});
