// The reports page and the API access page in Chromium, against the real server with a journal of
// 40 days of calls. Needs the built console: npm run build:ui. Screenshots: tests/browser/screenshots/.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { BrowserSession, checkBrowserPrerequisites, launchChromium, shotsDir, skipBrowserTests, uiDir } from "../support/browser.js";

const max = { username: "max", password: "max-pass-123", displayName: "Max Manager", role: "manager" };
const agents = [
  { username: "ann", password: "ann-pass-123", displayName: "Ann Archer", role: "agent", extension: "1001" },
  { username: "bob", password: "bob-pass-123", displayName: "Bob Baker", role: "agent", extension: "1002" },
  { username: "cid", password: "cid-pass-123", displayName: "Cid Cole", role: "agent", extension: "1003" },
];

/**
 * 1,200 inbound calls over the last 40 days (UTC), 07:00-17:00: a ninth abandoned, a ninth short
 * abandons, the rest answered by three agents in two queues from two advertised numbers.
 */
const journal = `
INSERT INTO calls (linkedid, direction, caller_number, called_number, queue, agent_extension, started_at, answered_at, ended_at,
  wait_seconds, talk_seconds, hold_seconds, transfers, outcome, wrapped_at, disposition, segments)
SELECT 'r' || g, 'inbound', '+1415555' || lpad((g % 10000)::text, 4, '0'),
  CASE WHEN g % 3 = 0 THEN '8005552000' ELSE '8005551000' END,
  CASE WHEN g % 3 = 0 THEN 'sales' ELSE 'support' END,
  CASE WHEN g % 9 IN (0, 1) THEN NULL ELSE '100' || (1 + g % 3) END,
  t,
  CASE WHEN g % 9 IN (0, 1) THEN NULL ELSE t + make_interval(secs => w) END,
  t + make_interval(secs => w + CASE WHEN g % 9 IN (0, 1) THEN 0 ELSE talk END),
  w,
  CASE WHEN g % 9 IN (0, 1) THEN NULL ELSE talk END,
  CASE WHEN g % 9 IN (0, 1) OR g % 5 <> 0 THEN 0 ELSE 25 END,
  CASE WHEN g % 17 = 0 THEN 1 ELSE 0 END,
  CASE WHEN g % 9 IN (0, 1) THEN 'abandoned' ELSE 'answered' END,
  CASE WHEN g % 9 IN (0, 1) THEN NULL ELSE t + make_interval(secs => w + talk + g % 40) END,
  CASE WHEN g % 9 IN (0, 1) THEN NULL ELSE (ARRAY['Resolved', 'Sale', 'Follow-up needed', 'Resolved'])[1 + g % 4] END,
  CASE WHEN g % 9 IN (0, 1) THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object('agent', '100' || (1 + g % 3), 'answeredAt',
    to_char(t + make_interval(secs => w), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'talkSeconds', talk, 'holdSeconds', CASE WHEN g % 5 <> 0 THEN 0 ELSE 25 END, 'result', 'completed')) END
FROM generate_series(1, 1200) AS g,
  LATERAL (SELECT date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => g % 40) + make_interval(mins => 420 + (g * 37) % 600) AS t,
    CASE WHEN g % 9 = 1 THEN 2 WHEN g % 9 = 0 THEN 10 + g % 90 ELSE (g * 7) % 45 END AS w,
    60 + (g * 13) % 400 AS talk) AS x`;

describe.skipIf(skipBrowserTests)("reports and API access in Chromium", () => {
  let s: TestServer;
  let browser: Browser;
  let ui: BrowserSession;

  beforeAll(async () => {
    checkBrowserPrerequisites();
    s = await startTestServer({ env: { UI_DIR: uiDir } });
    for (const u of [max, ...agents]) expect((await s.api("POST", "/api/users", { token: s.adminToken, body: u })).status).toBe(201);
    await s.app.db.query(journal);
    // Ann's status yesterday: available 08:00, lunch 12:00-13:00, available until 17:00.
    for (const [state, reason, hour] of [["available", null, 8], ["paused", "lunch", 12], ["available", null, 13], ["logged-out", null, 17]] as const)
      await s.app.db.query(
        "INSERT INTO agent_state_log (pbx, agent, state, reason, started_at) VALUES ('main', '1001', $1, $2, date_trunc('day', now()) - interval '1 day' + make_interval(hours => $3::int))",
        [state, reason, hour],
      );
    // Twenty leads over the last 20 days, a third of them converted the day after (the Business tab).
    await s.app.db.exec(`
      INSERT INTO clients (name, name_lower, stage, created_at, updated_at)
        SELECT 'Lead ' || g, 'lead ' || g, (CASE WHEN g % 3 = 0 THEN 'active' ELSE 'prospect' END)::"LifecycleStage",
          (now() AT TIME ZONE 'UTC') - make_interval(days => g), now() AT TIME ZONE 'UTC' FROM generate_series(1, 20) AS g;
      INSERT INTO stage_changes (client_id, from_stage, to_stage, at) SELECT id, NULL, 'prospect', created_at FROM clients WHERE name LIKE 'Lead %';
      INSERT INTO stage_changes (client_id, from_stage, to_stage, at)
        SELECT id, 'prospect', 'active', created_at + interval '1 day' FROM clients WHERE name LIKE 'Lead %' AND stage = 'active';`);
    browser = await launchChromium();
    ui = new BrowserSession(browser, () => s.url, { context: { timezoneId: "UTC" } });
  });
  afterAll(async () => {
    await ui?.close();
    await browser?.close();
    await s?.close();
  });

  it("a manager opens the reports page, sees the charts with their tables, changes the range, and the figures follow", async () => {
    const p = await ui.page();
    await ui.signIn(p, max, "/#/reports");
    await p.getByTestId("reports-page").waitFor();
    // The last 7 days by default: the charts are drawn (ECharts canvases) with a table under each.
    for (const chart of ["chart-volume", "chart-hour", "chart-queue", "chart-agent", "chart-did", "chart-abandons"]) await p.getByTestId(chart).locator("canvas").waitFor();
    const week = Number(await p.getByTestId("kpi-offered").textContent());
    const api7 = await s.api("GET", `/api/reports/calls?groupBy=day&${await rangeOf(p)}`, { token: await s.login(max.username, max.password) });
    expect(week).toBe(api7.body.totals.offered);
    expect(week).toBeGreaterThan(150);
    expect(await p.getByTestId("table-day").locator("tbody tr").count()).toBe(api7.body.rows.length + 1);
    await expect(p.getByTestId("table-agent").getByText("Ann Archer · 1001").count()).resolves.toBe(1);
    await expect(p.getByTestId("table-did").getByText("Sales line (radio spot) · 8005552000").count()).resolves.toBe(1);
    // Agent activity: Ann's pause by reason from her status history.
    await p.getByTestId("table-activity").getByText("lunch 1:00").waitFor();
    await p.getByTestId("table-activity").screenshot({ path: path.join(shotsDir, "reports-agent-activity.png") });
    await p.screenshot({ path: path.join(shotsDir, "reports-7-days.png"), fullPage: true });

    // Thirty days: more calls, and the same totals as the API for that range.
    await p.getByTestId("reports-30").click();
    await p.waitForFunction(`Number(document.querySelector('[data-testid="kpi-offered"]')?.textContent) > ${week}`);
    const month = Number(await p.getByTestId("kpi-offered").textContent());
    const api30 = await s.api("GET", `/api/reports/calls?groupBy=day&${await rangeOf(p)}`, { token: await s.login(max.username, max.password) });
    expect(month).toBe(api30.body.totals.offered);
    expect(await p.getByTestId("table-day").locator("tbody tr").count()).toBe(31);
    await p.getByTestId("chart-volume").scrollIntoViewIfNeeded();
    await p.screenshot({ path: path.join(shotsDir, "reports-30-days.png"), fullPage: true });

    // A queue filter: only sales.
    await p.getByTestId("reports-queue").fill("sales");
    await p.getByTestId("reports-apply").click();
    await p.waitForFunction(`Number(document.querySelector('[data-testid="kpi-offered"]')?.textContent) < ${month}`);
    expect(await p.getByTestId("table-queue").locator("tbody tr").first().textContent()).toContain("sales");

    // The CSV of a table is a file download with the JSON field names as its header.
    const download = p.waitForEvent("download");
    await p.getByTestId("table-queue-csv").click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^calls-by-queue-.*\.csv$/);
    const text = fs.readFileSync(await file.path(), "utf8").replace(/^\uFEFF/, "");
    expect(text.split(/\r?\n/)[0]).toMatch(/^key,offered,answered,abandoned,shortAbandoned,serviceLevel,serviceLevelWithAbandons,/);
    expect(text).toContain("sales,");

    // The Business tab: conversion and growth charts with their tables, the same figures as the API, CSV per table.
    const businessRange = await rangeOf(p);
    await p.getByTestId("reports-tab-business").click();
    for (const chart of ["chart-conversion", "chart-growth"]) await p.getByTestId(chart).locator("canvas").waitFor();
    const business = await s.api("GET", `/api/reports/business?${businessRange}`, { token: await s.login(max.username, max.password) });
    expect(business.body.conversion.leads).toBe(20);
    expect(Number(await p.getByTestId("kpi-leads").textContent())).toBe(20);
    expect(await p.getByTestId("table-conversion").locator("tbody tr").count()).toBe(business.body.conversionByMonth.length);
    await p.screenshot({ path: path.join(shotsDir, "reports-business.png"), fullPage: true });
    const businessCsv = p.waitForEvent("download");
    await p.getByTestId("table-conversion-csv").click();
    const conversion = fs.readFileSync(await (await businessCsv).path(), "utf8").replace(/^\uFEFF/, "");
    expect(conversion.split(/\r?\n/)[0]).toBe("month,leads,converted,rate");
    expect(ui.errors).toEqual([]);
  });

  it("an agent has no reports; an admin makes an API token, sees it once, and the API reference page lists the routes", async () => {
    const a = await ui.page();
    await ui.signIn(a, agents[0]!);
    expect(await a.getByTestId("nav-reports").count()).toBe(0);

    const p = await ui.page();
    await ui.signIn(p, { username: "admin", password: "admin-password-1" }, "/#/admin/api");
    await p.getByTestId("token-name").fill("Data warehouse");
    await p.getByTestId("token-create").click();
    const shown = (await p.getByTestId("token-shown").locator("code").textContent()) ?? "";
    expect(shown).toMatch(/^crmapi_/);
    await p.getByTestId("token-list").getByText("Data warehouse").waitFor();
    expect(await p.getByTestId("token-list").textContent()).not.toContain(shown);
    expect((await s.api("GET", "/api/calls", { token: shown })).status).toBe(200);
    await p.screenshot({ path: path.join(shotsDir, "api-access.png"), fullPage: true });

    const ref = await ui.page();
    await ref.goto(`${s.url}/api-reference`);
    await ref.locator("details.op").first().waitFor();
    expect(await ref.locator("details.op").count()).toBeGreaterThan(60);
    await ref.locator("#filter").fill("reports");
    const op = ref.locator("details.op:not([hidden])").first();
    await op.locator("summary").click();
    await ref.locator("#token").fill(shown);
    await ref.locator("#token").dispatchEvent("change");
    await op.getByRole("button", { name: "Send" }).click();
    // The token has calls:read only: the reports route refuses it, and the page shows that answer.
    await op.locator("pre").last().getByText("403").waitFor();
    await ref.screenshot({ path: path.join(shotsDir, "api-reference.png"), fullPage: false });
    expect(ui.errors.filter((e) => !/403/.test(e))).toEqual([]);
  });
});

/** The range the page asked for, read back from its own request: the same query for the API. */
async function rangeOf(p: Page): Promise<string> {
  const range = (await p.getByTestId("reports-kpis").getAttribute("data-range")) ?? "";
  const [from, to] = range.split("..") as [string, string];
  const end = new Date(`${to}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  return `from=${from}T00:00:00Z&to=${end.toISOString()}&tz=UTC`;
}
