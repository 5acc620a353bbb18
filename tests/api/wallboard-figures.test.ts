import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { startOfDay } from "../../server/supervisor/day-totals.js";

/**
 * Today's queue figures rebuilt from the journal and the agent state log (what a restarted server
 * shows), on a fixture whose figures are worked out by hand below.
 */
describe.each(dbKinds)("wallboard figures from the journal (%s)", (db) => {
  let s: TestServer;
  const now = new Date();
  const day = startOfDay(now);
  // Today's calls sit halfway through the day so far (the test may run just after midnight).
  const base = new Date(day.getTime() + (now.getTime() - day.getTime()) / 2);
  const at = (seconds: number) => new Date(base.getTime() + seconds * 1000);

  beforeAll(async () => {
    s = await startTestServer({ db, env: { WRAPUP_SECONDS: "30", SHORT_ABANDON_SECONDS: "5" } });
    let n = 0;
    const call = async (c: { queue: string | null; outcome: string; wait: number | null; talk: number | null; hold?: number; started?: Date; wrappedAfter?: number | null; agent?: string; direction?: string }) => {
      const started = c.started ?? at(n * 10);
      const ended = new Date(started.getTime() + ((c.wait ?? 0) + (c.talk ?? 0)) * 1000);
      const answered = c.outcome === "answered" || c.outcome === "reached" ? new Date(started.getTime() + (c.wait ?? 0) * 1000) : null;
      const segments = c.agent && answered ? [{ agent: c.agent, queue: c.queue, waitSeconds: c.wait, ringingAt: answered, answeredAt: answered, endedAt: ended, talkSeconds: c.talk, holdSeconds: c.hold ?? 0, result: "completed" }] : [];
      n++;
      await s.app.db.query(
        `INSERT INTO calls (linkedid, direction, caller_number, called_number, queue, agent_extension, started_at, queued_at, answered_at, ended_at,
                            wait_seconds, talk_seconds, hold_seconds, outcome, segments, wrapped_at, disposition)
         VALUES ($1, $2, '+14155550100', '8005551000', $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14)`,
        [
          `1795000000.${n}`, c.direction ?? "inbound", c.queue, c.agent ?? null, started, answered, ended, c.wait, c.talk, c.hold ?? 0, c.outcome,
          JSON.stringify(segments), c.wrappedAfter === undefined || c.wrappedAfter === null ? null : new Date(ended.getTime() + c.wrappedAfter * 1000),
          c.wrappedAfter === undefined || c.wrappedAfter === null ? null : "Resolved",
        ],
      );
    };
    // support, target 20 s (default), short abandon < 5 s, WRAPUP_SECONDS 30:
    await call({ queue: "support", outcome: "answered", wait: 10, talk: 100, hold: 20, wrappedAfter: 12, agent: "1001" }); // within target, wrap-up 12
    await call({ queue: "support", outcome: "answered", wait: 25, talk: 200, wrappedAfter: null, agent: "1002" }); // late; never wrapped: 30
    await call({ queue: "support", outcome: "answered", wait: 20, talk: 60, wrappedAfter: 100, agent: "1001" }); // exactly the target: within; wrap-up capped at 30
    await call({ queue: "support", outcome: "abandoned", wait: 3, talk: null }); // short abandon
    await call({ queue: "support", outcome: "abandoned", wait: 40, talk: null });
    await call({ queue: "support", outcome: "missed", wait: 60, talk: null }); // left by the queue's timeout: offered only
    await call({ queue: "support", outcome: "answered", wait: 1, talk: 500, started: new Date(day.getTime() - 3600_000), agent: "1001" }); // yesterday
    await call({ queue: null, outcome: "reached", wait: null, talk: 90, direction: "outbound", agent: "1003" }); // no queue
    await call({ queue: "sales", outcome: "answered", wait: 5, talk: 50, wrappedAfter: 0, agent: "1001" });
    // 1002 paused 300 s today; 1003's pause crossed midnight: 50 s of it today.
    await s.app.db.query(
      `INSERT INTO agent_state_log (pbx, agent, state, reason, started_at) VALUES
         ('main', '1002', 'paused', 'lunch', $1), ('main', '1002', 'available', NULL, $2),
         ('main', '1003', 'paused', 'break', $3), ('main', '1003', 'available', NULL, $4)`,
      [at(-400), at(-100), new Date(day.getTime() - 100_000), new Date(day.getTime() + 50_000)],
    );
    await s.app.supervisor.model.load();
  });
  afterAll(async () => {
    await s?.close();
  });

  it("offered, answered, abandons, service level both ways, ASA and AHT per queue", async () => {
    const board = (await s.api("GET", "/api/wallboard", { token: s.adminToken })).body;
    const support = board.queues.find((q: { name: string }) => q.name === "support");
    expect(support.today).toEqual({
      offered: 6,
      answered: 3,
      abandoned: 1,
      shortAbandoned: 1,
      answeredWithinTarget: 2,
      serviceLevel: 66.7, // 2 of 3 answered within 20 s
      serviceLevelWithAbandons: 50, // 2 of (3 answered + 1 abandoned); the short one is out
      asaSeconds: 18.3, // (10 + 25 + 20) / 3
      ahtSeconds: 144, // (100 + 200 + 60 talk with hold + 12 + 30 + 30 wrap-up) / 3
      callbacksPending: 0,
    });
    expect(support).toMatchObject({ targetSeconds: 20, targetPercent: 80, waiting: [], longestWaitSeconds: 0 });
    const sales = board.queues.find((q: { name: string }) => q.name === "sales");
    expect(sales.today).toMatchObject({ offered: 1, answered: 1, serviceLevel: 100, asaSeconds: 5, ahtSeconds: 50 });
  });

  it("per agent: calls and talk today from the journal, pause time from the state log", async () => {
    const board = (await s.api("GET", "/api/wallboard", { token: s.adminToken })).body;
    const of = (ext: string) => board.agents.find((a: { agent: string }) => a.agent === ext);
    expect(of("1001").today).toEqual({ calls: 3, talkSeconds: 210, pauseSeconds: 0 });
    expect(of("1001").lastDisposition).toBe("Resolved");
    expect(of("1002").today).toEqual({ calls: 1, talkSeconds: 200, pauseSeconds: 300 });
    expect(of("1003").today).toEqual({ calls: 1, talkSeconds: 90, pauseSeconds: 50 });
  });

  it("a journaled call the feed replays (a node starting reads it from its last snapshot) does not count twice", async () => {
    const totals = s.app.supervisor.model.totals;
    const before = { ...totals.queues.get("support")! };
    const replayed = { linkedid: "1795000000.1", direction: "inbound", queue: "support", startedAt: at(0), outcome: "answered", waitSeconds: 10, talkSeconds: 100, holdSeconds: 20, segments: [] };
    expect(totals.addEnded(replayed as never)).toEqual({ queue: null, agents: [] });
    expect(totals.queues.get("support")).toEqual(before);
  });

  it("a queue's own target changes what counts as within target", async () => {
    const put = await s.api("PUT", "/api/queues/support/targets", { token: s.adminToken, body: { targetSeconds: 25, targetPercent: 90, maxWaitSeconds: 60 } });
    expect(put.status).toBe(200);
    await s.app.supervisor.model.load();
    const support = (await s.api("GET", "/api/wallboard", { token: s.adminToken })).body.queues.find((q: { name: string }) => q.name === "support");
    expect(support).toMatchObject({ targetSeconds: 25, targetPercent: 90, thresholds: { maxWaitSeconds: 60, minServiceLevel: null, maxWaiting: null } });
    expect(support.today).toMatchObject({ answeredWithinTarget: 3, serviceLevel: 100, serviceLevelWithAbandons: 75 });
    const bad = await s.api("PUT", "/api/queues/support/targets", { token: s.adminToken, body: { targetPercent: 150 } });
    expect(bad.status).toBe(400);
  });
});
