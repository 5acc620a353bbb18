import { parse as parseCsv } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

interface Fixture {
  linkedid: string;
  direction?: string;
  queue: string | null;
  agent: string | null;
  did: string;
  started: string;
  answeredAfter?: number;
  ended: string;
  wait: number | null;
  talk?: number | null;
  hold?: number;
  transfers?: number;
  outcome: string;
  wrappedAfter?: number;
  disposition?: string;
  segments?: unknown[];
  /** The customer's number (first-contact resolution) and the client the call is linked to. */
  customer?: string;
  client?: string;
}

const t = (iso: string) => new Date(iso);
/**
 * Customers, for first-contact resolution (FCR_DAYS 7; any later inbound call from the number is a
 * repeat, answered or not, in the range or after it): A calls c1 then c8 (c1 not resolved) then c9 on
 * the 3rd, after the range (c8 not resolved either); B calls c2 then abandons c4 (c2 not resolved);
 * C's c5 is only followed by the outbound c7 (not a repeat): resolved. FCR: 1 of 4 answered = 25 %.
 */
const A = "+14155550001", B = "+14155550002", C = "+14155550003";
const plus = (iso: string, s: number) => new Date(t(iso).getTime() + s * 1000);

/**
 * The journal rows, with every figure below computed by hand from them (SHORT_ABANDON_SECONDS 5,
 * WRAPUP_SECONDS 20, support's target 20 s by default, sales' 30 s in queue_targets). Wrap-up is the
 * wallboard's: hang-up to saved wrap-up capped at 20 s, or 20 s when none was saved. Abandons are the long ones; short
 * abandons are counted apart and left out of the service level, as on the wallboard.
 */
const calls: Fixture[] = [
  // c1: answered by Ann after 10 s; talk 120 (20 of them on hold), wrap-up saved 30 s after the end (counts 20: the cap).
  { linkedid: "c1", customer: A, client: "K1", queue: "support", agent: "1001", did: "8005551000", started: "2026-03-01T10:00:00Z", answeredAfter: 10, ended: "2026-03-01T10:02:10Z", wait: 10, talk: 120, hold: 20, outcome: "answered", wrappedAfter: 30, disposition: "Resolved",
    segments: [{ agent: "1001", queue: "support", waitSeconds: null, ringingAt: "2026-03-01T10:00:05Z", answeredAt: "2026-03-01T10:00:10Z", endedAt: "2026-03-01T10:02:10Z", talkSeconds: 120, holdSeconds: 20, result: "completed" }] },
  // c2: crosses midnight (UTC): started 23:59:50 on the 1st, answered after 25 s (past support's 20), ended on the 2nd; wrap-up 10 s.
  { linkedid: "c2", customer: B, queue: "support", agent: "1001", did: "8005551000", started: "2026-03-01T23:59:50Z", answeredAfter: 25, ended: "2026-03-02T00:01:55Z", wait: 25, talk: 100, hold: 0, outcome: "answered", wrappedAfter: 10, disposition: "Sale",
    segments: [{ agent: "1001", queue: "support", waitSeconds: null, ringingAt: "2026-03-02T00:00:10Z", answeredAt: "2026-03-02T00:00:15Z", endedAt: "2026-03-02T00:01:55Z", talkSeconds: 100, holdSeconds: 0, result: "completed" }] },
  // c3: a short abandon (3 s), no agent.
  { linkedid: "c3", queue: "support", agent: null, did: "8005551000", started: "2026-03-01T12:00:00Z", ended: "2026-03-01T12:00:03Z", wait: 3, outcome: "abandoned" },
  // c4: abandoned after 40 s, no agent.
  { linkedid: "c4", customer: B, queue: "support", agent: null, did: "8005552000", started: "2026-03-02T09:00:00Z", ended: "2026-03-02T09:00:40Z", wait: 40, outcome: "abandoned",
    // Ann's phone rang and she did not answer (a missed ring); Bob's was ringing when the caller left (not his miss).
    segments: [{ agent: "1001", queue: "support", waitSeconds: null, ringingAt: "2026-03-02T09:00:05Z", answeredAt: null, endedAt: "2026-03-02T09:00:20Z", talkSeconds: 0, holdSeconds: 0, result: "no-answer" }, { agent: "1002", queue: "support", waitSeconds: null, ringingAt: "2026-03-02T09:00:20Z", answeredAt: null, endedAt: "2026-03-02T09:00:40Z", talkSeconds: 0, holdSeconds: 0, result: "caller-left" }] },
  // c5: sales, answered by Ann after 25 s (within sales' 30), transferred to Bob, who ends it; never wrapped up (counts 20: the pause ended by itself).
  {
    linkedid: "c5", customer: C, client: "K4", queue: "sales", agent: "1002", did: "8005552000", started: "2026-03-02T14:00:00Z", answeredAfter: 25, ended: "2026-03-02T14:04:15Z", wait: 25, talk: 200, hold: 30, transfers: 1, outcome: "answered",
    segments: [
      { agent: "1001", queue: "sales", waitSeconds: 25, ringingAt: "2026-03-02T14:00:20Z", answeredAt: "2026-03-02T14:00:25Z", endedAt: "2026-03-02T14:02:05Z", talkSeconds: 100, holdSeconds: 30, result: "transferred" },
      { agent: "1002", queue: null, waitSeconds: null, ringingAt: "2026-03-02T14:02:05Z", answeredAt: "2026-03-02T14:02:15Z", endedAt: "2026-03-02T14:04:15Z", talkSeconds: 100, holdSeconds: 0, result: "completed" },
    ],
  },
  // c6: sales, nobody answered within the queue's timeout (missed, not abandoned): offered only.
  { linkedid: "c6", queue: "sales", agent: null, did: "8005552000", started: "2026-03-02T15:00:00Z", ended: "2026-03-02T15:01:00Z", wait: 60, outcome: "missed" },
  // c7: outbound: not in call-center reports.
  { linkedid: "c7", customer: C, client: "K3", direction: "outbound", queue: null, agent: "1001", did: "+14155550123", started: "2026-03-02T15:30:00Z", answeredAfter: 5, ended: "2026-03-02T15:35:00Z", wait: null, talk: 295, outcome: "reached" },
  // c8: answered by Bob after 5 s; wrap-up saved two hours later (counts 20: the pause had ended by itself).
  { linkedid: "c8", customer: A, queue: "support", agent: "1002", did: "8005551000", started: "2026-03-02T16:00:00Z", answeredAfter: 5, ended: "2026-03-02T16:01:05Z", wait: 5, talk: 60, hold: 0, outcome: "answered", wrappedAfter: 7200, disposition: "Follow-up needed",
    segments: [{ agent: "1002", queue: "support", waitSeconds: null, ringingAt: "2026-03-02T16:00:03Z", answeredAt: "2026-03-02T16:00:05Z", endedAt: "2026-03-02T16:01:05Z", talkSeconds: 60, holdSeconds: 0, result: "completed" }] },
  // c9: after the range (to is exclusive).
  { linkedid: "c9", customer: A, queue: "support", agent: "1001", did: "8005551000", started: "2026-03-03T00:00:00Z", answeredAfter: 2, ended: "2026-03-03T00:01:02Z", wait: 2, talk: 60, outcome: "answered" },
];

const range = "from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z";

/** Zero-filled row with the named figures. */
const row = (r: Record<string, unknown>) => ({
  offered: 0, answered: 0, abandoned: 0, shortAbandoned: 0, serviceLevel: null, serviceLevelWithAbandons: null, asaSeconds: null, ahtSeconds: null,
  talkSeconds: null, holdSeconds: null, wrapupSeconds: null, transfers: 0, answeredWithinTarget: 0, label: null,
  callbacksRequested: 0, callbacksCompleted: 0, firstContactResolution: null, scriptOutcomes: {}, newClients: null, ...r,
});

/**
 * Callbacks (created_at; completed = done and reached or reached-by-customer): cb1 from c3 (support, DID …1000) on the 1st, done, reached;
 * cb2 from c4 (support, DID …2000) on the 2nd, done, no answer; cb3 from c6 (sales, DID …2000) on the 2nd, pending; cb4 from the web
 * (sales, no call, Bob's) on the 2nd, reached by the customer; cb5 on the 3rd (after the range). Requested 4, completed 2.
 */
const callbackRows: [string, string, string | null, string, string | null, string, boolean][] = [
  ["cb1", "support", "c3", "done", "reached", "2026-03-01T12:01:00Z", false],
  ["cb2", "support", "c4", "done", "no-answer", "2026-03-02T09:01:00Z", false],
  ["cb3", "sales", "c6", "pending", null, "2026-03-02T15:02:00Z", false],
  ["cb4", "sales", null, "done", "reached-by-customer", "2026-03-02T16:00:30Z", true],
  ["cb5", "support", null, "done", "reached", "2026-03-03T01:00:00Z", false],
];

/** Script runs: c1 "resolved", c2 "sale", c8 "complaint"; c5's unfinished (no outcome) and the outbound c7's "sale" do not count. */
const scriptRuns: [string, string | null][] = [["c1", "resolved"], ["c2", "sale"], ["c8", "complaint"], ["c5", null], ["c7", "sale"]];

/**
 * Clients and the DID that brought them (created in the range; the first call's DID if it was inbound, else the DID whose label is
 * the lead source): K1 first called c1 (…1000); K2 has no call and lead source "Sales line (radio spot)" (…2000); K3's first call
 * is the outbound c7, lead source "Support line" (…1000); K4 was created before the range; K5's lead source is no DID's label.
 */
const clientRows: [string, string, string | null][] = [
  ["K1", "2026-03-01T10:05:00Z", null],
  ["K2", "2026-03-02T14:05:00Z", "Sales line (radio spot)"],
  ["K3", "2026-03-02T10:00:00Z", "Support line"],
  ["K4", "2026-02-20T10:00:00Z", null],
  ["K5", "2026-03-02T11:00:00Z", "Google"],
];

describe.each(dbKinds)("call reports (%s)", (db) => {
  let s: TestServer;
  const tokens: Record<string, string> = {};
  const get = (who: string, query: string, headers?: Record<string, string>) => s.api("GET", `/api/reports/calls?${query}`, { token: tokens[who], ...(headers ? { headers } : {}) });

  beforeAll(async () => {
    s = await startTestServer({ db, env: { SHORT_ABANDON_SECONDS: "5", WRAPUP_SECONDS: "20" } });
    // Sales answers within 30 s (the wallboard's per-queue target); support has the default 20 s.
    await s.app.db.query("INSERT INTO queue_targets (queue, target_seconds, target_percent) VALUES ('sales', 30, 90)");
    tokens.admin = s.adminToken;
    for (const [u, role, ext, name] of [["ann", "agent", "1001", "Ann"], ["bob", "agent", "1002", "Bob"], ["sue", "supervisor", null, "Sue"], ["max", "manager", null, "Max"]] as const) {
      const created = await s.api("POST", "/api/users", { token: s.adminToken, body: { username: u, password: `${u}-password`, role, displayName: name, ...(ext ? { extension: ext } : {}) } });
      expect(created.status).toBe(201);
      tokens[u] = await s.login(u, `${u}-password`);
      if (u === "sue") expect((await s.api("PUT", `/api/users/${created.body.id}/queues`, { token: s.adminToken, body: { queues: ["sales"] } })).status).toBe(200);
    }
    const clientIds: Record<string, number> = {};
    for (const [name, created, lead] of clientRows) {
      const [k] = await s.app.db.query<{ id: number }>(
        "INSERT INTO clients (name, name_lower, lead_source, created_at, updated_at) VALUES ($1, lower($1), $2, $3, $3) RETURNING id",
        [name, lead, t(created)],
      );
      clientIds[name] = k!.id;
    }
    for (const c of calls) {
      const answered = c.answeredAfter !== undefined ? plus(c.started, c.answeredAfter) : null;
      await s.app.db.query(
        `INSERT INTO calls (linkedid, direction, caller_number, called_number, queue, agent_extension, started_at, answered_at, ended_at,
           wait_seconds, talk_seconds, hold_seconds, transfers, outcome, wrapped_at, disposition, segments, customer_number, client_id)
         VALUES ($1, $2, '+14155550100', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
        [c.linkedid, c.direction ?? "inbound", c.did, c.queue, c.agent, t(c.started), answered, t(c.ended), c.wait, c.talk ?? null, c.hold ?? 0, c.transfers ?? 0, c.outcome,
          c.wrappedAfter !== undefined ? plus(c.ended, c.wrappedAfter) : null, c.disposition ?? null, JSON.stringify(c.segments ?? []), c.customer ?? null, c.client ? clientIds[c.client] : null],
      );
    }
    const [bob] = await s.app.db.query<{ id: number }>("SELECT id FROM users WHERE username = 'bob'");
    for (const [number, queue, origin, status, outcome, created, bobs] of callbackRows)
      await s.app.db.query(
        `INSERT INTO callbacks (number, queue, source, status, outcome, due_at, original_queued_at, origin_linkedid, assignee_id, created_at)
         VALUES ($1, $2, 'abandoned', $3, $4, $5, $5, $6, $7, $5)`,
        [`+1415555${number.slice(2).padStart(4, "0")}`, queue, status, outcome, t(created), origin, bobs ? bob!.id : null],
      );
    const [script] = await s.app.db.query<{ id: number }>(`INSERT INTO scripts (name, draft) VALUES ('Intake', '{"start":"a","steps":{}}') RETURNING id`);
    for (const [linkedid, outcome] of scriptRuns)
      await s.app.db.query(
        "INSERT INTO script_runs (linkedid, script_id, version, path, outcome, completed, started_at) VALUES ($1, $2, 1, '[]', $3, $4, $5)",
        [linkedid, script!.id, outcome, outcome !== null, t("2026-03-01T10:00:00Z")],
      );
  });
  afterAll(async () => s?.close());

  it("totals: every formula on the hand-computed fixture", async () => {
    const r = await get("max", `${range}&groupBy=day&tz=UTC`);
    expect(r.status).toBe(200);
    // Offered c1 c2 c3 c4 c5 c6 c8; answered c1 c2 c5 c8; abandoned c4, short abandon c3; SL 3/4, with abandons 3/(4+1); within target c1 (10 ≤ 20),
    // c5 (25 ≤ 30), c8 (5 ≤ 20), not c2 (25 > 20). Talk without hold 100+100+170+60 = 430, hold 20+0+30+0 = 50, wrap-up 20+10+20+20 = 70: per answered call 107.5, 12.5, 17.5;
    // AHT (430 + 50 + 70) / 4 = 137.5.
    expect(r.body.totals).toEqual(
      row({
        key: "total", offered: 7, answered: 4, abandoned: 1, shortAbandoned: 1, answeredWithinTarget: 3, serviceLevel: 75, serviceLevelWithAbandons: 60,
        asaSeconds: 16.3, talkSeconds: 107.5, holdSeconds: 12.5, wrapupSeconds: 17.5, ahtSeconds: 137.5, transfers: 1,
        callbacksRequested: 4, callbacksCompleted: 2, firstContactResolution: 25, scriptOutcomes: { resolved: 1, sale: 1, complaint: 1 },
      }),
    );
    expect(r.body.shortAbandonSeconds).toBe(5);
    expect(r.body.abandonTimes.find((b: { bucket: string }) => b.bucket === "0-4").count).toBe(1);
    expect(r.body.abandonTimes.find((b: { bucket: string }) => b.bucket === "30-59").count).toBe(1);
    expect(r.body.abandonTimes.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(2);
    expect(r.body.dispositions).toEqual([
      { disposition: "Follow-up needed", count: 1 },
      { disposition: "Resolved", count: 1 },
      { disposition: "Sale", count: 1 },
      { disposition: null, count: 1 },
    ]);
  });

  it("by day: a call that crosses midnight counts on the day it started, in the report's zone", async () => {
    const utc = await get("max", `${range}&groupBy=day&tz=UTC`);
    // The 1st: c1, c2 answered, wrap-up (20 + 10) / 2 = 15, AHT (200 + 20 + 30) / 2 = 125. The 2nd: c5, c8, wrap-up (20 + 20) / 2 = 20,
    // AHT (230 + 30 + 40) / 2 = 150.
    expect(utc.body.rows).toEqual([
      row({ key: "2026-03-01", offered: 3, answered: 2, abandoned: 0, shortAbandoned: 1, answeredWithinTarget: 1, serviceLevel: 50, serviceLevelWithAbandons: 50, asaSeconds: 17.5, talkSeconds: 100, holdSeconds: 10, wrapupSeconds: 15, ahtSeconds: 125,
        // cb1; c1 and c2 both repeated: FCR 0.
        callbacksRequested: 1, callbacksCompleted: 1, firstContactResolution: 0, scriptOutcomes: { resolved: 1, sale: 1 } }),
      row({ key: "2026-03-02", offered: 4, answered: 2, abandoned: 1, answeredWithinTarget: 2, serviceLevel: 100, serviceLevelWithAbandons: 66.7, asaSeconds: 15, talkSeconds: 115, holdSeconds: 15, wrapupSeconds: 20, ahtSeconds: 150, transfers: 1,
        // cb2, cb3, cb4 (cb4 completed); c5 resolved, c8 repeated by c9: FCR 50.
        callbacksRequested: 3, callbacksCompleted: 1, firstContactResolution: 50, scriptOutcomes: { complaint: 1 } }),
    ]);
    // In Paris (UTC+1) c2 started at 00:59:50 on the 2nd.
    const paris = await get("max", `${range}&groupBy=day&tz=Europe/Paris`);
    expect(paris.body.rows.map((x: { key: string; offered: number; answered: number }) => [x.key, x.offered, x.answered])).toEqual([
      ["2026-03-01", 2, 1],
      ["2026-03-02", 5, 3],
    ]);
    const week = await get("max", `${range}&groupBy=week&tz=UTC`);
    // 1 March 2026 is a Sunday: its week starts on Monday 23 February; the 2nd starts the next.
    expect(week.body.rows.map((x: { key: string; offered: number }) => [x.key, x.offered])).toEqual([
      ["2026-02-23", 3],
      ["2026-03-02", 4],
    ]);
  });

  it("by hour of day, queue, agent (calls without one apart) and DID, with labels", async () => {
    const hour = await get("max", `${range}&groupBy=hour`);
    expect(hour.body.rows.map((x: { key: string }) => x.key)).toEqual(["09", "10", "12", "14", "15", "16", "23"]);
    const queue = await get("max", `${range}&groupBy=queue`);
    // Sales: c5 only (wrap-up 20, AHT 170 + 30 + 20). Support: c1 c2 c8, wrap-up (20 + 10 + 20) / 3 = 16.7, AHT (260 + 20 + 50) / 3 = 110.
    expect(queue.body.rows).toEqual([
      row({ key: "sales", offered: 2, answered: 1, answeredWithinTarget: 1, serviceLevel: 100, serviceLevelWithAbandons: 100, asaSeconds: 25, talkSeconds: 170, holdSeconds: 30, wrapupSeconds: 20, ahtSeconds: 220, transfers: 1,
        callbacksRequested: 2, callbacksCompleted: 1, firstContactResolution: 100 }),
      row({ key: "support", offered: 5, answered: 3, abandoned: 1, shortAbandoned: 1, answeredWithinTarget: 2, serviceLevel: 66.7, serviceLevelWithAbandons: 50, asaSeconds: 13.3, talkSeconds: 86.7, holdSeconds: 6.7, wrapupSeconds: 16.7, ahtSeconds: 110,
        callbacksRequested: 2, callbacksCompleted: 1, firstContactResolution: 0, scriptOutcomes: { resolved: 1, sale: 1, complaint: 1 } }),
    ]);
    const agent = await get("max", `${range}&groupBy=agent`);
    expect(agent.body.rows.map((x: { key: string | null; label: string | null; offered: number; answered: number; abandoned: number; transfers: number }) => [x.key, x.label, x.offered, x.answered, x.abandoned, x.transfers])).toEqual([
      ["1001", "Ann", 2, 2, 0, 0],
      ["1002", "Bob", 2, 2, 0, 1],
      [null, null, 3, 0, 1, 0],
    ]);
    const did = await get("max", `${range}&groupBy=did`);
    // Callbacks by the DID of the call they came from (cb4 came from the web: no DID); new clients K1, K3 (…1000) and K2 (…2000).
    expect(
      did.body.rows.map((x: { key: string; label: string; offered: number; answered: number; callbacksRequested: number; callbacksCompleted: number; newClients: number }) => [
        x.key, x.label, x.offered, x.answered, x.callbacksRequested, x.callbacksCompleted, x.newClients,
      ]),
    ).toEqual([
      ["8005551000", "Support line", 4, 3, 1, 1, 2],
      ["8005552000", "Sales line (radio spot)", 3, 1, 2, 0, 1],
      [null, null, 0, 0, 1, 1, 0],
    ]);
    expect(did.body.totals.newClients).toBe(3);
    expect(queue.body.totals.newClients).toBeNull();
  });

  it("filters by queue, agent and DID", async () => {
    expect((await get("max", `${range}&queue=support`)).body.totals.offered).toBe(5);
    expect((await get("max", `${range}&agent=1001`)).body.totals.offered).toBe(2);
    expect((await get("max", `${range}&did=8005552000`)).body.totals.abandoned).toBe(1);
  });

  it("CSV (format=csv or Accept: text/csv): the header is the JSON field names, the rows parse back to the JSON", async () => {
    const json = await get("max", `${range}&groupBy=queue`);
    for (const csv of [await get("max", `${range}&groupBy=queue&format=csv`), await get("max", `${range}&groupBy=queue`, { accept: "text/csv" })]) {
      expect(csv.status).toBe(200);
      expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
      const records = parseCsv(csv.body as string, { bom: true }) as string[][];
      expect(records[0]!.slice(0, 13)).toEqual(["key", "offered", "answered", "abandoned", "shortAbandoned", "serviceLevel", "serviceLevelWithAbandons", "asaSeconds", "ahtSeconds", "talkSeconds", "holdSeconds", "wrapupSeconds", "transfers"]);
      const back = records.slice(1).map((cells) =>
        Object.fromEntries(
          records[0]!.map((h, i) => [
            h,
            // Script outcomes are one cell, "outcome=count;…".
            h === "scriptOutcomes" ? Object.fromEntries((cells[i] ? cells[i]!.split(";") : []).map((p) => [p.split("=")[0], Number(p.split("=")[1])]))
              : cells[i] === "" ? null : h === "key" || h === "label" ? cells[i] : Number(cells[i]),
          ]),
        ),
      );
      expect(back).toEqual(json.body.rows);
    }
  });

  it("per agent: segments (a transfer counts for both agents), missed rings, wrap-up, time per state and pause reason, occupancy", async () => {
    // Ann: available 09:00, on a call 10:00:10, wrap-up 10:02:10, lunch 12:00-13:00, available until 18:00.
    // Bob: on a break since 23:00 the day before the range, available 01:00-02:00.
    const log: [string, string, string | null, string][] = [
      ["1001", "available", null, "2026-03-01T09:00:00Z"], ["1001", "on-call", null, "2026-03-01T10:00:10Z"], ["1001", "wrap-up", null, "2026-03-01T10:02:10Z"],
      ["1001", "paused", "lunch", "2026-03-01T12:00:00Z"], ["1001", "available", null, "2026-03-01T13:00:00Z"], ["1001", "logged-out", null, "2026-03-01T18:00:00Z"],
      ["1002", "paused", "break", "2026-02-28T23:00:00Z"], ["1002", "available", null, "2026-03-01T01:00:00Z"], ["1002", "logged-out", null, "2026-03-01T02:00:00Z"],
    ];
    for (const [agent, state, reason, at] of log)
      await s.app.db.query("INSERT INTO agent_state_log (pbx, agent, state, reason, started_at) VALUES ('main', $1, $2, $3, $4)", [agent, state, reason, new Date(at)]);
    const r = await s.api("GET", `/api/reports/agents?${range}`, { token: tokens.max });
    expect(r.status).toBe(200);
    expect(r.body.rows).toEqual([
      // c1, c2 and the first half of c5: talk (120-20) + 100 + (100-30), hold 20 + 30; c4 rang her unanswered. Wrap-up of the calls she
      // handled last: c1 (30, capped at 20), c2 (10) and the outbound c7 she reached (none saved: 20) = 50.
      // States: available 3,610 + 18,000 s, on a call 120, wrap-up 7,070, lunch 3,600: occupancy 7,190 / 28,800.
      { agent: "1001", name: "Ann", calls: 3, missedRings: 1, talkSeconds: 270, holdSeconds: 50, wrapupSeconds: 50, availableSeconds: 21610, onCallSeconds: 120, wrapupStateSeconds: 7070, pausedSeconds: 3600, pauseByReason: { lunch: 3600 }, occupancy: 25 },
      // The second half of c5 and c8; wrap-up 20 (c5, none saved) + 20 (c8, saved two hours later: capped); the break counts from the range's start.
      { agent: "1002", name: "Bob", calls: 2, missedRings: 0, talkSeconds: 160, holdSeconds: 0, wrapupSeconds: 40, availableSeconds: 3600, onCallSeconds: 0, wrapupStateSeconds: 0, pausedSeconds: 3600, pauseByReason: { break: 3600 }, occupancy: 0 },
    ]);
    const csv = await s.api("GET", `/api/reports/agents?${range}&format=csv`, { token: tokens.max });
    const records = parseCsv(csv.body as string, { bom: true }) as string[][];
    expect(records[0]).toEqual(["agent", "calls", "missedRings", "talkSeconds", "holdSeconds", "wrapupSeconds", "availableSeconds", "onCallSeconds", "wrapupStateSeconds", "pausedSeconds", "occupancy", "name", "pauseByReason"]);
    expect(records[1]).toEqual(["1001", "3", "1", "270", "50", "50", "21610", "120", "7070", "3600", "25", "Ann", "lunch=3600"]);
    expect((await s.api("GET", `/api/reports/agents?${range}`, { token: tokens.ann })).status).toBe(403);
  });

  it("first-contact resolution when the journal writes a later call first (calls are written when they end)", async () => {
    // On the 10th, D's first call (answered, 10:00-10:30) ends after their second (10:20, abandoned at 10:21), which is written first;
    // E's call is followed by another 8 days later (outside FCR_DAYS 7): resolved. FCR: E's only, 1 of 2.
    const rows: [string, string, string, string, string][] = [
      ["d2", "+14155550004", "2026-03-10T10:20:00Z", "2026-03-10T10:21:00Z", "abandoned"],
      ["d1", "+14155550004", "2026-03-10T10:00:00Z", "2026-03-10T10:30:00Z", "answered"],
      ["e1", "+14155550005", "2026-03-10T12:00:00Z", "2026-03-10T12:05:00Z", "answered"],
      ["e2", "+14155550005", "2026-03-18T12:00:01Z", "2026-03-18T12:05:00Z", "answered"],
    ];
    // A report after each row: each is folded into the kept sums on its own, the later call d2 before d1.
    let r: Awaited<ReturnType<typeof get>> | undefined;
    for (const [linkedid, customer, started, ended, outcome] of rows) {
      await s.app.db.query(
        `INSERT INTO calls (linkedid, direction, caller_number, called_number, customer_number, queue, started_at, ended_at, wait_seconds, outcome)
         VALUES ($1, 'inbound', $2, '8005551000', $2, 'support', $3, $4, 5, $5)`,
        [linkedid, customer, t(started), t(ended), outcome],
      );
      r = await get("max", "from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z&groupBy=day&tz=UTC");
    }
    expect(r!.body.totals.answered).toBe(2);
    expect(r!.body.totals.firstContactResolution).toBe(50);
    // By queue the same day comes from the per-day sums, by hour from the per-slot ones: the same answer.
    const byQueue = await get("max", "from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z&groupBy=queue&tz=UTC");
    expect(byQueue.body.totals).toEqual(r!.body.totals);
  });

  it("supervisors see their queues only; agents are refused; bad input is a 400 naming the field", async () => {
    const sue = await get("sue", `${range}&groupBy=queue`);
    expect(sue.status).toBe(200);
    expect(sue.body.rows.map((x: { key: string }) => x.key)).toEqual(["sales"]);
    expect(sue.body.totals.offered).toBe(2);
    expect((await get("ann", range)).status).toBe(403);
    const bad = await get("max", `${range}&groupBy=month`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("groupBy");
    expect((await get("max", `${range}&tz=Mars/Olympus`)).body.error.field).toBe("tz");
  });

  // Runs last: it adds a call to the fixture's range.
  it("the kept sums agree with the journal: ragged ranges in odd zones, a late call, its wrap-up, a changed target", async () => {
    // The sums kept with the current settings (the first report started their build): read from here on.
    const rollup = s.app.reports.rollup;
    await rollup.settled();
    expect(await rollup.current()).toBe(true);
    // New clients are counted by DID only.
    const totalsOf = async (query: string) => ({ ...(await get("max", query)).body.totals, newClients: null }) as Record<string, unknown>;
    // Whole days (per-day sums), whole 15-minute slots (per-slot sums), and the journal alone (a filter by agent, or no whole day):
    // each grouping of the same range has the same totals, ragged edges and zones with half- and quarter-hour offsets included.
    const ragged = ["from=2026-02-28T23:07:00Z&to=2026-03-03T00:00:00Z", "from=2026-03-01T12:00:00.001Z&to=2026-03-02T14:01:00Z"];
    for (const r of ragged) {
      const byQueue = await totalsOf(`${r}&groupBy=queue`);
      for (const g of ["agent", "did", "day&tz=Asia/Kolkata", "week&tz=Asia/Kathmandu", "hour&tz=America/St_Johns"])
        expect(await totalsOf(`${r}&groupBy=${g}`), `${r} by ${g}`).toEqual(byQueue);
    }
    expect((await totalsOf(`${ragged[1]}&groupBy=day`)).offered).toBe(3);
    const before = await get("max", `${range}&groupBy=queue`);
    // A call journaled now (c10): counted at once, in every grouping.
    await s.app.db.query(
      `INSERT INTO calls (linkedid, direction, caller_number, called_number, customer_number, queue, agent_extension, started_at, answered_at, ended_at, wait_seconds, talk_seconds, outcome)
       VALUES ('1772445600.10', 'inbound', '+14155550010', '8005552000', '+14155550010', 'sales', '1002', $1, $2, $3, 28, 60, 'answered')`,
      [t("2026-03-02T10:00:00Z"), t("2026-03-02T10:00:28Z"), t("2026-03-02T10:01:28Z")],
    );
    const after = await get("max", `${range}&groupBy=queue`);
    expect(after.body.totals).toMatchObject({ offered: before.body.totals.offered + 1, answered: before.body.totals.answered + 1, answeredWithinTarget: before.body.totals.answeredWithinTarget + 1 });
    expect(await totalsOf(`${range}&groupBy=day&tz=UTC`)).toEqual(after.body.totals);
    // Its wrap-up (saved through the API) moves it from "no disposition" to "Sale".
    const count = (r: typeof after, d: string | null) => r.body.dispositions.find((x: { disposition: string | null }) => x.disposition === d)?.count ?? 0;
    const wrapup = await s.api("POST", "/api/calls/1772445600.10/wrapup", { token: s.adminToken, body: { disposition: "Sale" } });
    expect(wrapup.status, JSON.stringify(wrapup.body)).toBe(200);
    const wrapped = await get("max", `${range}&groupBy=hour&tz=UTC`);
    expect(count(wrapped, "Sale")).toBe(count(after, "Sale") + 1);
    expect(count(wrapped, null)).toBe(count(after, null) - 1);
    // A supervisor tightens sales' target to 20 s: c10 (28 s) and c5 (25 s) are no longer within it.
    // Read from the journal while the sums are rebuilt, then from the rebuilt sums: the same.
    await s.app.db.query("UPDATE queue_targets SET target_seconds = 20 WHERE queue = 'sales'");
    expect((await totalsOf(`${range}&groupBy=agent`)).answeredWithinTarget).toBe(after.body.totals.answeredWithinTarget - 2);
    await rollup.settled();
    expect(await rollup.current()).toBe(true);
    expect((await totalsOf(`${range}&groupBy=agent`)).answeredWithinTarget).toBe(after.body.totals.answeredWithinTarget - 2);
    expect((await totalsOf(`${range}&groupBy=day`)).answeredWithinTarget).toBe(after.body.totals.answeredWithinTarget - 2);
    await s.app.db.query("UPDATE queue_targets SET target_seconds = 30 WHERE queue = 'sales'");
  });
});
