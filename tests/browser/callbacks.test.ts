// Callbacks in a real browser: the website widget on a plain page served from another origin
// creates a callback that pops on the only free agent's console ("Call now", countdown, reason,
// client card); "Call now" makes the PBX ring the agent's phone; the supervisor's Callbacks page
// shows it and reschedules and cancels others. Build the console first:
// npx vite build --config agent-ui/vite.config.ts. Screenshots land in tests/browser/screenshots/.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser } from "playwright-core";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { BrowserSession, checkBrowserPrerequisites, launchChromium, skipBrowserTests, uiDir } from "../support/browser.js";
import { expectEventually } from "../support/eventually.js";

const maria = { username: "maria", password: "maria-pass-1", displayName: "Maria Lopez", role: "agent", extension: "1001" };
const sue = { username: "sue", password: "sue-pass-123", displayName: "Sue Supervisor", role: "supervisor" };
/** Every hour of every day: the test must not depend on when it runs. */
const always = { minAbandonSeconds: 1, timezone: "UTC", hours: null, holidays: [], callWindow: ["00:00", "24:00"], maxAttempts: 3, targetMinutes: 60 };

describe.skipIf(skipBrowserTests)("callbacks in Chromium", () => {
  let s: TestServer;
  let browser: Browser;
  let site: http.Server;
  let siteOrigin = "";
  let siteKey = "";
  let mariaId = 0;
  let ui: BrowserSession;
  const pbx = () => s.app.telephony.sim!.pbx;

  beforeAll(async () => {
    checkBrowserPrerequisites();
    // The offer waits long enough for the test to look at it and click "Call now".
    s = await startTestServer({ env: { UI_DIR: uiDir, SIM_SPEED: "1", WRAPUP_SECONDS: "5", CALLBACK_AUTODIAL_SECONDS: "300" } });
    for (const u of [maria, sue]) {
      const r = await s.api("POST", "/api/users", { token: s.adminToken, body: u });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      if (u === maria) mariaId = r.body.id;
    }
    for (const ext of ["1001", "1002", "1003"]) pbx().agent(ext)!.autoAnswer = false;
    // Maria is the only available member of the site's queue (sales): the others are on a break.
    for (const ext of ["1002", "1003"]) pbx().pauseMember(`PJSIP/${ext}`, undefined, true, "break");
    for (const q of ["sales", "support"]) expect((await s.api("PUT", `/api/callbacks/settings/${q}`, { token: s.adminToken, body: always })).status).toBe(200);
    await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Linus Pauling", phones: ["+1 415 555 0177"], company: "Caltech", stage: "active", vip: true } });

    // The company website: a plain page on another origin with the one script tag, under a strict
    // Content-Security-Policy that names the CRM for the script and its requests, and allows no inline style.
    site = http.createServer((req, res) => {
      if (req.url === "/site.css") return void res.writeHead(200, { "content-type": "text/css" }).end("body { font-family: Georgia, serif; margin: 40px; background: #f6f3ee }");
      if (req.url !== "/") return void res.writeHead(404).end();
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": `default-src 'none'; style-src 'self'; script-src ${s.url}; connect-src ${s.url}`,
      });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme Widgets</title><link rel="stylesheet" href="/site.css"></head>
<body>
<h1>Acme Widgets</h1><p>Questions about your order? Leave your number and we call you back.</p>
<script src="${s.url}/widget/callback.js" data-site-key="${siteKey}" async></script>
</body></html>`);
    });
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", () => r()));
    const port = (site.address() as { port: number }).port;
    siteOrigin = `http://localhost:${port}`;
    const reg = await s.api("POST", "/api/callbacks/sites", { token: s.adminToken, body: { name: "Acme", origins: [siteOrigin], queue: "sales" } });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    siteKey = reg.body.siteKey;

    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true), 10_000);
    browser = await launchChromium();
    ui = new BrowserSession(browser, () => s.url);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await browser?.close().catch(() => {});
    await new Promise((r) => site?.close(r));
    await s?.close();
  }, 60_000);

  it("the widget on another origin creates a callback that pops on the agent's console; Call now rings the agent's phone", async () => {
    const a = await ui.page();
    await ui.signIn(a, maria);
    await a.getByTestId("phone-dock").waitFor();
    await expectEventually(async () => expect(await a.getByTestId("agent-status").getAttribute("data-state")).toBe("available"), 15_000, 100);

    // The widget is served for other sites: a script from another origin may load it.
    const js = await fetch(`${s.url}/widget/callback.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(js.headers.get("content-type")).toContain("javascript");

    const w = await ui.page();
    await w.goto(`${siteOrigin}/`);
    const form = w.locator("form.crmcb");
    await form.waitFor();
    // Accessible: every visible field has a label; the honeypot is hidden from people.
    await w.getByLabel("Phone number").waitFor();
    // Styled in spite of the host's CSP (no inline style allowed): the button has the widget's colour.
    expect(await w.getByRole("button", { name: "Call me back" }).evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).backgroundColor)).toBe("rgb(47, 95, 208)");
    const hp = w.locator('input[name="website"]');
    expect((await hp.boundingBox())!.x).toBeLessThan(0);
    expect(await hp.getAttribute("tabindex")).toBe("-1");
    // A number that cannot be called: the form says which field.
    await w.getByLabel("Phone number").fill("12");
    await w.getByRole("button", { name: "Call me back" }).click();
    await w.locator('form.crmcb[data-state="error"]').waitFor();
    expect(await w.getByLabel("Phone number").getAttribute("aria-invalid")).toBe("true");
    await ui.shot("cb01-widget-error", w);
    await w.getByLabel(/Your name/).fill("Linus Pauling");
    await w.getByLabel("Phone number").fill("(415) 555-0177");
    await w.getByRole("button", { name: "Call me back" }).click();
    await w.locator('form.crmcb[data-state="sent"]').waitFor();
    expect(await form.textContent()).toContain("Thank you");
    await ui.shot("cb02-widget-sent", w);

    // It pops on Maria's console, the only free agent of the site's queue.
    const offer = a.getByTestId("callback-offer");
    await offer.waitFor({ timeout: 20_000 });
    expect(await offer.getByTestId("callback-reason").textContent()).toContain("website");
    expect(await offer.getByTestId("callback-number").textContent()).toBe("+1 415 555 0177");
    expect(await offer.getByTestId("callback-client").textContent()).toContain("Linus Pauling");
    expect(await offer.getByTestId("callback-countdown").textContent()).toMatch(/^[45]:\d\d$/);
    await ui.shot("cb03-offer-in-dock", a);

    await offer.getByTestId("callback-call-now").click();
    // The PBX rings Maria's phone: the normal call card takes over from the offer.
    await a.locator('[data-testid="call-card"][data-direction="outbound"]').waitFor({ timeout: 15_000 });
    await expectEventually(async () => expect(await a.getByTestId("callback-offer").count()).toBe(0), 10_000, 100);
    const cb = (await s.api("GET", "/api/callbacks?number=%2B14155550177", { token: s.adminToken })).body.items[0];
    expect(cb).toMatchObject({ source: "web", queue: "sales", status: "dialing", attempts: 1 });
    await ui.shot("cb04-call-now-rings", a);
    expect(ui.errors).toEqual([]);
  }, 90_000);

  it("the supervisor's Callbacks page shows the queues live and reschedules and cancels callbacks", async () => {
    const later = new Date(Date.now() + 2 * 3600_000).toISOString();
    const mk = async (number: string, name: string) => {
      const r = await s.api("POST", "/api/callbacks", { token: s.adminToken, body: { number, name, queue: "support", dueAt: later, note: "asked by mail", assigneeId: mariaId } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as number;
    };
    const first = await mk("+1 415 555 0161", "Rosalind Franklin");
    const second = await mk("+1 415 555 0162", "Barbara McClintock");

    const p = await ui.page();
    p.on("dialog", (d) => void d.accept());
    await ui.signIn(p, sue);
    await p.getByTestId("nav-callbacks-board").click();
    await p.locator('[data-testid="callbacks-summary-row"][data-queue="sales"]').waitFor();
    await p.locator('[data-testid="callbacks-summary-row"][data-queue="support"]').waitFor();
    expect(await p.locator('[data-testid="callbacks-summary-row"][data-queue="support"] [data-testid="sum-scheduled"]').textContent()).toBe("2");
    // The website callback is being dialled: in progress in sales.
    expect(await p.locator('[data-testid="callbacks-summary-row"][data-queue="sales"] [data-testid="sum-in-progress"]').textContent()).toBe("1");
    await p.locator(`[data-testid="callback-row"][data-status="dialing"]`).waitFor();
    await ui.shot("cb05-supervisor-board", p);

    // Live: a callback created elsewhere appears without a reload.
    const third = await mk("+1 415 555 0163", "Dorothy Hodgkin");
    await p.locator(`[data-testid="callback-row"][data-callback-id="${third}"]`).waitFor();

    // Reschedule the first to tomorrow 10:00 (local time of the browser).
    const row1 = p.locator(`[data-testid="callback-row"][data-callback-id="${first}"]`);
    await row1.getByTestId("callback-reschedule").click();
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const pad = (n: number) => String(n).padStart(2, "0");
    const local = `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T10:00`;
    await row1.getByTestId("callback-reschedule-at").fill(local);
    await ui.shot("cb06-reschedule", p);
    await row1.getByTestId("callback-edit-save").click();
    await expectEventually(async () => {
      const cb = (await s.api("GET", `/api/callbacks/${first}`, { token: s.adminToken })).body;
      expect(new Date(cb.dueAt).getTime()).toBe(new Date(local).getTime());
    }, 5000, 100);

    // Reassign the third to the queue (anyone), cancel the second.
    const row3 = p.locator(`[data-testid="callback-row"][data-callback-id="${third}"]`);
    await row3.getByTestId("callback-reassign").click();
    await row3.getByTestId("callback-reassign-to").selectOption("");
    await row3.getByTestId("callback-edit-save").click();
    await expectEventually(async () => expect((await s.api("GET", `/api/callbacks/${third}`, { token: s.adminToken })).body.assigneeId).toBeNull(), 5000, 100);
    await p.locator(`[data-testid="callback-row"][data-callback-id="${second}"]`).getByTestId("callback-cancel").click();
    await expectEventually(async () => expect((await s.api("GET", `/api/callbacks/${second}`, { token: s.adminToken })).body).toMatchObject({ status: "cancelled", outcome: "cancelled" }), 5000, 100);
    await p.locator(`[data-testid="callback-row"][data-callback-id="${second}"]`).waitFor({ state: "detached" });
    await expectEventually(async () => expect(await p.locator('[data-testid="callbacks-summary-row"][data-queue="support"] [data-testid="sum-scheduled"]').textContent()).toBe("2"), 5000, 100);
    await ui.shot("cb07-after-cancel", p);

    // Maria's "My callbacks" lists her own, with one-click dial.
    const a = await ui.page();
    await ui.signIn(a, maria);
    await a.getByTestId("nav-callbacks").click();
    await a.locator(`[data-testid="my-callback"][data-callback-id="${first}"]`).waitFor();
    expect(await a.locator(`[data-testid="my-callbacks-later"] [data-testid="my-callback"]`).count()).toBe(1);
    await ui.shot("cb08-my-callbacks", a);
    expect(ui.errors).toEqual([]);
  }, 90_000);
});
