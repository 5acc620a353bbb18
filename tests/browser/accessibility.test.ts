// Every page of each role passes axe-core's WCAG 2 A and AA rules in Chromium, and the screen pop
// is announced (a live region) and can be answered, wrapped up and dismissed with the keyboard
// alone, with visible focus. axe-core is injected through playwright; the console's CSP allows no
// injected script, so this file's browser contexts bypass the CSP (bypassCSP) for axe alone.
// Build the console first: npx vite build --config agent-ui/vite.config.ts
// Screenshots land in tests/browser/screenshots/ (gitignored). SKIP_BROWSER_TESTS=1 skips this file.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Locator, type Page } from "playwright-core";
import { adminPassword, startTestServer, type TestServer } from "../support/test-server.js";
import { BrowserSession, checkBrowserPrerequisites, launchChromium, shotsDir, skipBrowserTests, uiDir } from "../support/browser.js";
import { axeViolations, type Violation } from "../support/axe.js";
import { expectEventually } from "../support/eventually.js";

const maria = { username: "maria", password: "maria-pass-1", displayName: "Maria Lopez", role: "agent", extension: "1001" };
const mona = { username: "mona", password: "mona-pass-12", displayName: "Mona Reyes", role: "manager" };
const sam = { username: "sam", password: "sam-pass-123", displayName: "Sam Carter", role: "supervisor" };
const GRACE = "+14155550123";
const SUPPORT_DID = "8005551000";

/** Whether the element has the keyboard focus. */
const focused = (l: Locator): Promise<boolean> => l.evaluate((el) => el === el.ownerDocument.activeElement);

describe.skipIf(skipBrowserTests)("accessibility (axe-core, WCAG 2 A and AA)", () => {
  let s: TestServer;
  let browser: Browser;
  let ui: BrowserSession;
  let graceId: number;
  const results: Record<string, number> = {};
  const details: Record<string, Violation[]> = {};
  const pbx = () => s.app.telephony.sim!.pbx;

  /** axe-core's WCAG 2 A/AA violations on the page, kept for the summary file. */
  async function axe(p: Page, name: string): Promise<Violation[]> {
    const violations = await axeViolations(p);
    results[name] = violations.reduce((n, v) => n + v.nodes, 0);
    details[name] = violations;
    return violations;
  }

  async function expectClean(p: Page, name: string): Promise<void> {
    const v = await axe(p, name);
    expect(v, `${name}: ${JSON.stringify(v, null, 2)}`).toEqual([]);
  }

  async function goto(p: Page, hash: string, ready: string): Promise<void> {
    await p.goto(`${s.url}/${hash}`);
    await p.locator(ready).first().waitFor();
    await p.waitForTimeout(300);
  }

  beforeAll(async () => {
    checkBrowserPrerequisites();
    s = await startTestServer({ env: { UI_DIR: uiDir, WRAPUP_SECONDS: "30", SIM_SPEED: "1" } });
    for (const u of [maria, mona, sam]) {
      const r = await s.api("POST", "/api/users", { token: s.adminToken, body: u });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // Nobody answers by themselves (the support queue rings 1001 and 1002 at once).
    for (const ext of ["1001", "1002"]) pbx().agent(ext)!.autoAnswer = false;
    const users = (await s.api("GET", "/api/users", { token: s.adminToken })).body.items as { id: number; username: string }[];
    const mariaId = users.find((u) => u.username === maria.username)!.id;
    const grace = await s.api("POST", "/api/clients", {
      token: s.adminToken,
      body: { name: "Grace Hopper", phones: ["+1 415 555 0123"], emails: ["grace@example.com"], company: "Remington Rand", stage: "active", tags: ["navy", "renewal"], vip: true, ownerId: mariaId },
    });
    expect(grace.status).toBe(201);
    graceId = grace.body.id;
    for (const body of [
      { name: "Acme Logistics", kind: "company", phones: ["+1 312 555 0142"], stage: "active", tags: ["freight"] },
      { name: "Ada Lovelace", phones: ["+44 20 7946 0958"], stage: "regular", ownerId: mariaId },
      { name: "Blaise Pascal", phones: ["+33 1 42 68 53 00"], stage: "lost" },
      { name: "Linus Torvalds", phones: ["+1 503 555 0177"], stage: "prospect" },
    ]) expect((await s.api("POST", "/api/clients", { token: s.adminToken, body })).status).toBe(201);
    await s.api("POST", `/api/clients/${graceId}/notes`, { token: s.adminToken, body: { body: "Prefers morning calls." } });
    await s.api("POST", "/api/tasks", { token: s.adminToken, body: { title: "Send the renewal quote", clientId: graceId, assigneeId: mariaId, dueAt: new Date(Date.now() - 3600_000).toISOString() } });
    await s.api("POST", "/api/callbacks", { token: s.adminToken, body: { number: "+1 415 555 0123", name: "Grace Hopper", queue: "support", note: "Wants the renewal quote" } });
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true), 10_000);
    browser = await launchChromium();
    // axe-core is injected: the contexts bypass the console's CSP for it.
    ui = new BrowserSession(browser, () => s.url, { context: { bypassCSP: true, reducedMotion: "reduce" } });
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await browser?.close().catch(() => {});
    await s?.close();
    fs.mkdirSync(shotsDir, { recursive: true });
    fs.writeFileSync(path.join(shotsDir, "axe-results.json"), JSON.stringify({ results, details }, null, 2));
    console.log("axe violations (elements) per page:", results);
  });

  it("the login page", async () => {
    const p = await ui.page();
    await p.goto(`${s.url}/`);
    await p.getByTestId("login-username").waitFor();
    await expectClean(p, "login");
  });

  describe("an agent", () => {
    let p: Page;
    beforeAll(async () => {
      p = await ui.page();
      await ui.signIn(p, maria);
      await p.getByTestId("phone-dock").waitFor();
      // The demo phone switched to "I'll answer myself": the simulator no longer answers for the agent.
      await p.locator('[data-testid="demo-manual"][data-applied="true"]').waitFor();
    });

    it("clients list with the phone dock", async () => {
      await goto(p, "#/clients", "text=Grace Hopper");
      await expectClean(p, "clients");
      await p.screenshot({ path: path.join(shotsDir, "a11y-clients.png") });
    });

    it("a client's card", async () => {
      await goto(p, `#/clients/${graceId}`, "text=Prefers morning calls.");
      await expectClean(p, "client-card");
    });

    it("the new-client form and the edit form", async () => {
      await goto(p, "#/clients/new", "form input");
      await expectClean(p, "client-new");
      await goto(p, `#/clients/${graceId}/edit`, "form input");
      await expectClean(p, "client-edit");
    });

    it("My calls, My tasks, My callbacks", async () => {
      await goto(p, "#/calls", "main h1, main h2");
      await expectClean(p, "my-calls");
      await goto(p, "#/tasks", "text=Send the renewal quote");
      await expectClean(p, "my-tasks");
      await goto(p, "#/callbacks", "main h1, main h2");
      await expectClean(p, "my-callbacks");
    });

    it("the screen pop is announced, and answered, wrapped up and dismissed with the keyboard alone", async () => {
      await goto(p, "#/clients", "text=Grace Hopper");
      pbx().inboundCall({ from: GRACE, name: "GRACE HOPPER", did: SUPPORT_DID, talkSeconds: 600 });
      const card = p.locator('[data-testid="call-card"][data-phase="ringing"]');
      await card.waitFor();
      await p.waitForTimeout(500);
      // A live region says who is calling, in words (not the whole card read out).
      await expect.poll(() => p.getByTestId("call-announcer").textContent(), { timeout: 15_000 }).toMatch(/Incoming call.*Grace Hopper/);
      expect(await p.getByTestId("call-announcer").getAttribute("aria-live")).toBe("assertive");
      await expectClean(p, "screen-pop-ringing");
      await p.screenshot({ path: path.join(shotsDir, "a11y-screen-pop.png") });

      // Keyboard only: Tab until the answer button has the focus, with a visible focus ring.
      const answer = card.getByTestId("call-answer");
      for (let i = 0; i < 80 && !(await focused(answer)); i++) await p.keyboard.press("Tab");
      expect(await focused(answer)).toBe(true);
      const ring = await answer.evaluate((el) => {
        const cs = el.ownerDocument.defaultView!.getComputedStyle(el);
        return { outline: cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0, shadow: cs.boxShadow !== "none" };
      });
      expect(ring.outline || ring.shadow, "visible focus on the answer button").toBe(true);
      await p.keyboard.press("Enter");
      const talking = p.locator('[data-testid="call-card"][data-phase="talking"]');
      await talking.waitFor();
      await p.waitForTimeout(500);
      await expect.poll(() => p.getByTestId("call-announcer").textContent(), { timeout: 15_000 }).toMatch(/Grace Hopper/);
      await expectClean(p, "screen-pop-talking");

      // Transfer is reachable too: the button opens its form, whose number field takes the focus next.
      const transfer = talking.getByTestId("call-transfer");
      for (let i = 0; i < 20 && !(await focused(transfer)); i++) await p.keyboard.press("Tab");
      expect(await focused(transfer)).toBe(true);
      await p.keyboard.press("Enter");
      expect(await transfer.getAttribute("aria-expanded")).toBe("true");
      await p.keyboard.press("Tab");
      expect(await focused(talking.getByTestId("transfer-to"))).toBe(true);
      await p.keyboard.press("Shift+Tab");
      await p.keyboard.press("Enter");
      expect(await transfer.getAttribute("aria-expanded")).toBe("false");

      // The customer hangs up: wrap-up with the keyboard (disposition, save).
      expect(pbx().agentHangup("1001")).toBe(true);
      const wrap = p.locator('[data-testid="call-card"][data-phase="wrapup"]');
      await wrap.waitFor();
      await p.waitForTimeout(500);
      await expectClean(p, "screen-pop-wrapup");
      const disposition = wrap.getByTestId("wrapup-disposition");
      await disposition.focus();
      await p.keyboard.press("ArrowDown");
      const save = wrap.getByTestId("wrapup-save");
      for (let i = 0; i < 20 && !(await focused(save)); i++) await p.keyboard.press("Tab");
      expect(await focused(save)).toBe(true);
      await p.keyboard.press("Enter");
      await wrap.waitFor({ state: "detached", timeout: 10_000 });
    });
  });

  describe("a manager", () => {
    let p: Page;
    beforeAll(async () => {
      p = await ui.page();
      await ui.signIn(p, mona, "/#/recordings");
    });

    it("the recordings list", async () => {
      await goto(p, "#/recordings", "main h1, main h2");
      await expectClean(p, "recordings");
    });

    it("the callbacks board", async () => {
      await goto(p, "#/callbacks/queues", "main h1, main h2");
      await p.waitForTimeout(700);
      await expectClean(p, "callbacks-board");
    });
  });

  describe("an administrator", () => {
    let p: Page;
    beforeAll(async () => {
      p = await ui.page();
      await ui.signIn(p, { username: "admin", password: adminPassword }, "/#/admin/users");
    });

    it("users and the audit log", async () => {
      await goto(p, "#/admin/users", "text=maria");
      await expectClean(p, "admin-users");
      await p.screenshot({ path: path.join(shotsDir, "a11y-admin-users.png") });
      await goto(p, "#/admin/audit", "main h1, main h2");
      await expectClean(p, "admin-audit");
    });
  });

  describe("a supervisor", () => {
    let p: Page;
    beforeAll(async () => {
      p = await ui.page();
      await ui.signIn(p, sam, "/#/wallboard");
    });

    it("the wallboard and the call scripts", async () => {
      await goto(p, "#/wallboard", "main h1, main h2");
      await p.waitForTimeout(1000);
      await expectClean(p, "wallboard");
      await goto(p, "#/scripts", "main h1, main h2");
      await p.waitForTimeout(1000);
      await expectClean(p, "scripts");
    });

    it("the reports", async () => {
      await goto(p, "#/reports", "main h1, main h2");
      await p.waitForTimeout(1500);
      await expectClean(p, "reports");
    });
  });
});
