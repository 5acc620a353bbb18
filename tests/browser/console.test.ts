// The agent console in a real browser: Debian Chromium driven by playwright-core against the real
// server (fresh embedded database, built console served at /). Build the console first:
//   npx vite build --config agent-ui/vite.config.ts
// Screenshots land in tests/browser/screenshots/ (gitignored) for a look at the design.
// SKIP_BROWSER_TESTS=1 skips this file on machines without Chromium.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { checkBrowserPrerequisites, launchChromium, shotsDir, skipBrowserTests, uiDir } from "../support/browser.js";


const agent = { username: "maria", password: "maria-pass-1", displayName: "Maria Lopez", role: "agent", extension: "1001" };
const supervisor = { username: "sam", password: "sam-pass-123", displayName: "Sam Carter", role: "supervisor" };

describe.skipIf(skipBrowserTests)("agent console in Chromium", () => {
  let s: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let graceId: number;
  const pageErrors: string[] = [];

  async function shot(name: string, p: Page = page): Promise<void> {
    await p.evaluate("window.scrollTo(0, 0)");
    await p.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true });
  }

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: "en-US" });
    const p = await ctx.newPage();
    p.setDefaultTimeout(10_000);
    p.on("pageerror", (err) => pageErrors.push(err.message));
    p.on("console", (msg) => {
      // A 4xx answer the UI handles (a wrong password) is logged by Chromium as a failed resource.
      if (msg.type() === "error" && !/the server responded with a status of 4\d\d/.test(msg.text())) pageErrors.push(msg.text());
    });
    return { context: ctx, page: p };
  }

  async function signIn(p: Page, username: string, password: string): Promise<void> {
    await p.getByTestId("login-username").fill(username);
    await p.getByTestId("login-password").fill(password);
    await p.getByTestId("login-submit").click();
  }

  beforeAll(async () => {
    checkBrowserPrerequisites();

    // Reminders are swept every second so the reminder test need not wait the default 30 s.
    s = await startTestServer({ env: { UI_DIR: uiDir, TASK_REMINDER_SECONDS: "1" } });
    const admin = s.adminToken;
    for (const u of [agent, supervisor]) {
      const r = await s.api("POST", "/api/users", { token: admin, body: u });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const users = (await s.api("GET", "/api/users", { token: admin })).body.items as { id: number; username: string }[];
    const agentId = users.find((u) => u.username === agent.username)!.id;

    // The client the test looks for, plus a few neighbours so the list looks like a working day.
    const grace = await s.api("POST", "/api/clients", {
      token: admin,
      body: {
        name: "Grace Hopper",
        phones: ["+1 415 555 0123", { number: "+1 212 555 0199", type: "work" }],
        emails: ["grace@example.com"],
        company: "Remington Rand",
        city: "Arlington",
        region: "VA",
        country: "US",
        tags: ["navy", "renewal"],
        leadSource: "Referral",
        vip: true,
        ownerId: agentId,
      },
    });
    expect(grace.status, JSON.stringify(grace.body)).toBe(201);
    graceId = grace.body.id;
    const others = [
      { name: "Acme Logistics", kind: "company", phones: ["+1 312 555 0142"], stage: "active", tags: ["freight", "enterprise"] },
      { name: "Ada Lovelace", phones: ["+44 20 7946 0958"], stage: "regular", tags: ["analytics"], ownerId: agentId },
      { name: "Blaise Pascal", phones: ["+33 1 42 68 53 00"], stage: "lost" },
      { name: "Katherine Johnson", phones: ["(757) 555-0110"], stage: "active", tags: ["nasa", "renewal"], vip: true },
      { name: "Linus Torvalds", phones: ["+1 503 555 0177"], stage: "prospect", tags: ["kernel"] },
    ];
    for (const body of others) {
      const r = await s.api("POST", "/api/clients", { token: admin, body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // Open tasks for the agent: one overdue, one later today or tomorrow, one next week.
    const hour = 3600_000;
    for (const [title, offset] of [
      ["Call back about the invoice", -2 * hour],
      ["Send the renewal quote", 20 * hour],
      ["Quarterly check-in", 7 * 24 * hour],
    ] as const) {
      const r = await s.api("POST", "/api/tasks", {
        token: admin,
        body: { title, clientId: graceId, assigneeId: agentId, dueAt: new Date(Date.now() + offset).toISOString() },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }

    // playwright-core starts Chromium on a fresh temporary profile of its own.
    browser = await launchChromium();
    ({ context, page } = await newPage());
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await s?.close();
  }, 60_000);

  it("refuses a wrong password on the login screen", async () => {
    await page.goto(`${s.url}/#/clients`);
    await page.getByTestId("login-username").waitFor();
    await shot("01-login");
    await signIn(page, agent.username, "not-the-password");
    const error = page.getByTestId("login-error");
    await error.waitFor();
    expect(await error.textContent()).toContain("Wrong username or password");
    await shot("02-login-error");
  }, 60_000);

  it("finds a client by a differently written number, opens the card and adds a note", async () => {
    await signIn(page, agent.username, agent.password);
    await page.getByTestId("search-input").waitFor();
    expect(await page.getByTestId("current-user").textContent()).toContain(agent.displayName);
    await page.getByTestId("client-row").first().waitFor();
    expect(await page.getByTestId("client-row").count()).toBe(6);
    // Import is for managers and administrators.
    expect(await page.getByTestId("import-open").count()).toBe(0);
    await shot("03-clients");

    // Stored as +14155550123; typed the way a caller reads it out.
    await page.getByTestId("search-input").fill("(415) 555-0123");
    await expect.poll(() => page.getByTestId("client-row").allTextContents()).toEqual([expect.stringContaining("Grace Hopper")]);
    expect(await page.getByTestId("search-mode").textContent()).toBe("Phone");
    await shot("04-search-by-phone");

    await page.getByTestId("client-row").first().click();
    await page.waitForURL(`**/#/clients/${graceId}`);
    const name = page.getByTestId("client-name");
    await name.waitFor();
    expect(await name.textContent()).toBe("Grace Hopper");
    expect(await page.getByTestId("phone-list").textContent()).toContain("+1 415 555 0123");
    expect(await page.getByTestId("delete-client").count()).toBe(0);
    // The three tasks created through the API are on the timeline already.
    await page.getByTestId("timeline-item").first().waitFor();

    const note = `Called about the renewal; she wants the quote by Friday (${Date.now()}).`;
    await page.getByTestId("note-input").fill(note);
    await page.getByTestId("note-submit").click();
    const added = page.getByTestId("timeline-item").filter({ hasText: note });
    await added.waitFor();
    expect(await added.getAttribute("data-type")).toBe("note");
    expect(await added.textContent()).toContain(agent.displayName);
    // Newest first: the note heads the timeline, and the box is cleared for the next one.
    expect(await page.getByTestId("timeline-item").first().textContent()).toContain(note);
    expect(await page.getByTestId("note-input").inputValue()).toBe("");
    await shot("05-client-card");

    const timeline = await s.api("GET", `/api/clients/${graceId}/timeline`, { token: s.adminToken });
    expect(timeline.body.items[0]).toMatchObject({ type: "note", body: note, author: { displayName: agent.displayName } });
  }, 60_000);

  it("changes the stage from the card and shows it on the timeline", async () => {
    await page.getByTestId("stage-select").selectOption("active");
    const stageItem = page.locator('[data-testid="timeline-item"][data-type="stage"]').filter({ hasText: "Active" });
    await stageItem.waitFor();
    expect(await stageItem.textContent()).toContain("Prospect");
    expect(await page.getByTestId("stage-select").inputValue()).toBe("active");
    const client = await s.api("GET", `/api/clients/${graceId}`, { token: s.adminToken });
    expect(client.body.stage).toBe("active");
  }, 60_000);

  it("adds a tag and schedules a task from the card, then ticks the task done", async () => {
    await page.getByTestId("tag-add").click();
    await page.getByTestId("tag-add-input").fill("Priority");
    await page.getByTestId("tag-add-submit").click();
    await page.getByTestId("client-tags").getByText("priority").waitFor();

    await page.getByTestId("tab-task").click();
    await page.getByTestId("task-title").fill("Email the signed contract");
    await page.getByTestId("task-submit").click();
    const item = page.locator('[data-testid="timeline-item"][data-type="task"]').filter({ hasText: "Email the signed contract" });
    await item.waitFor();
    expect(await item.textContent()).toContain(`Assigned to ${agent.displayName}`);
    await item.getByTestId("task-done").check();
    await expect
      .poll(async () => {
        const done = await s.api("GET", `/api/tasks?clientId=${graceId}&status=done`, { token: s.adminToken });
        return (done.body.items as { title: string }[]).map((t) => t.title);
      })
      .toContain("Email the signed contract");
    const client = await s.api("GET", `/api/clients/${graceId}`, { token: s.adminToken });
    expect(client.body.tags).toEqual(["navy", "renewal", "priority"]);
    await page.getByTestId("tab-note").click();
  }, 60_000);

  it("pops a reminder over the socket when a task assigned to me falls due", async () => {
    const r = await s.api("POST", "/api/tasks", {
      token: s.adminToken,
      body: { title: "Ring Grace back", clientId: graceId, assigneeId: await me(agent), dueAt: new Date(Date.now() + 1500).toISOString() },
    });
    expect(r.status).toBe(201);
    const reminder = page.getByTestId("toast").filter({ hasText: "Reminder: Ring Grace back" });
    await reminder.waitFor({ timeout: 15_000 });
    expect(await reminder.textContent()).toContain("Grace Hopper");
    await shot("06-reminder-toast");
    await reminder.getByRole("button", { name: "Dismiss" }).click();
    await reminder.waitFor({ state: "detached" });
  }, 60_000);

  it("shows the server's validation message next to the phone it names", async () => {
    await page.goto(`${s.url}/#/clients`);
    await page.getByTestId("new-client").click();
    await page.getByTestId("client-form-name").fill("Margaret Hamilton");
    await page.getByTestId("phone-number").first().fill("call me maybe");
    await page.getByTestId("client-form-submit").click();
    const fieldError = page.getByTestId("phone-rows").getByTestId("field-error");
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain("call me maybe");
    await shot("07-client-form-error");

    await page.getByTestId("phone-number").first().fill("617.555.0166");
    await page.getByTestId("client-form-submit").click();
    await page.getByTestId("client-name").waitFor();
    expect(await page.getByTestId("client-name").textContent()).toBe("Margaret Hamilton");
    expect(await page.getByTestId("phone-list").textContent()).toContain("+1 617 555 0166");

    // Edit: the form comes back filled in; a second number joins as the new primary.
    await page.getByTestId("edit-client").click();
    expect(await page.getByTestId("client-form-name").inputValue()).toBe("Margaret Hamilton");
    expect(await page.getByTestId("phone-number").first().inputValue()).toBe("+1 617 555 0166");
    await page.getByTestId("add-phone").click();
    await page.getByTestId("phone-number").nth(1).fill("+44 20 7946 0958");
    await page.getByTestId("phone-type").nth(1).selectOption("work");
    await page.getByTestId("phone-primary").nth(1).check();
    await shot("08-client-edit");
    await page.getByTestId("client-form-submit").click();
    await page.getByTestId("client-name").waitFor();
    const phones = page.getByTestId("phone-item");
    expect(await phones.count()).toBe(2);
    expect(await phones.first().textContent()).toContain("+44 20 7946 0958");
  }, 60_000);

  it("adds a contact with a phone to a company client", async () => {
    await page.goto(`${s.url}/#/clients`);
    await page.getByTestId("search-input").fill("acme");
    await page.getByTestId("client-row").filter({ hasText: "Acme Logistics" }).click();
    await page.getByTestId("add-contact").click();
    await page.getByTestId("contact-name").fill("Wile E. Coyote");
    await page.getByTestId("contact-phone").fill("312-555-0143");
    await page.getByTestId("contact-submit").click();
    const contact = page.getByTestId("contact-item").filter({ hasText: "Wile E. Coyote" });
    await contact.waitFor();
    expect(await contact.textContent()).toContain("+1 312 555 0143");
    await shot("09-company-card");
  }, 60_000);

  it("lists my open tasks by due group and ticks one done", async () => {
    await page.getByTestId("nav-tasks").click();
    await page.getByTestId("task-item").first().waitFor();
    expect(await page.getByTestId("task-group-overdue").textContent()).toContain("Call back about the invoice");
    expect(await page.getByTestId("task-group-later").textContent()).toContain("Quarterly check-in");
    await shot("10-my-tasks");
    await page.getByTestId("task-group-overdue").getByTestId("task-done").first().check();
    await page.getByTestId("toast").filter({ hasText: "Task done" }).waitFor();
    const open = await s.api("GET", "/api/tasks?status=open&assignee=" + (await me(agent)), { token: s.adminToken });
    expect(open.body.items.map((t: { title: string }) => t.title)).not.toContain("Call back about the invoice");
  }, 60_000);

  it("gives the administrator the users and audit pages, and hides them from agents", async () => {
    expect(await page.getByTestId("nav-admin-users").count()).toBe(0);
    await page.getByTestId("logout").click();
    await page.getByTestId("login-username").waitFor();

    await signIn(page, "admin", "admin-password-1");
    await page.getByTestId("nav-admin-users").click();
    await page.getByTestId("user-row").first().waitFor();
    expect(await page.getByTestId("users-table").textContent()).toContain(agent.displayName);
    await page.getByTestId("new-user").click();
    await page.getByTestId("user-username").fill("kim");
    await page.getByTestId("user-display-name").fill("Kim Park");
    await page.getByTestId("user-extension").fill("1001");
    await page.getByTestId("user-password").fill("kim-pass-123");
    await page.getByTestId("user-submit").click();
    // Extension 1001 is Maria's: the server's 409 is shown on the form.
    await page.getByTestId("user-form").getByRole("alert").first().waitFor();
    await page.getByTestId("user-extension").fill("1002");
    await page.getByTestId("user-submit").click();
    const kim = page.getByTestId("user-row").filter({ hasText: "Kim Park" });
    await kim.waitFor();
    await kim.getByTestId("user-row-role").selectOption("supervisor");
    await kim.getByTestId("user-row-save").click();
    await kim.getByTestId("user-row-save").waitFor({ state: "detached" });
    const users = (await s.api("GET", "/api/users", { token: s.adminToken })).body.items as { username: string; role: string; extension: string }[];
    expect(users.find((u) => u.username === "kim")).toMatchObject({ role: "supervisor", extension: "1002" });
    await page.getByTestId("new-user").click();
    await shot("11-admin-users");

    await page.getByTestId("nav-admin-audit").click();
    await page.getByTestId("audit-row").first().waitFor();
    expect(await page.getByTestId("audit-table").textContent()).toContain("auth.login_failed");
    await shot("12-admin-audit");

    // Deleting clients is for supervisors and up: agents get no Delete button on the card.
    const sup = await newPage();
    await sup.page.goto(`${s.url}/#/clients/${graceId}`);
    await signIn(sup.page, supervisor.username, supervisor.password);
    await sup.page.getByTestId("client-name").waitFor();
    expect(await sup.page.getByTestId("delete-client").count()).toBe(1);
    await sup.context.close();

    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("checks a CSV file, imports it in the background with progress, and lists the new clients", async () => {
    // Signed in as the administrator since the previous test.
    await page.goto(`${s.url}/#/clients`);
    // The search box keeps what an earlier test typed.
    await page.getByTestId("search-input").fill("");
    await page.getByTestId("import-open").click();
    const csv = ["name,phone,stage,tags", "Hedy Lamarr,+1 310 555 0101,active,inventor", "Alan Turing,+44 20 7946 0101,,", "No Number,call me,,"].join("\n");
    await page.getByTestId("import-file").setInputFiles({ name: "clients.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByTestId("import-check").click();
    await page.locator('[data-testid="import-status"][data-status="done"]').waitFor();
    expect(await page.getByTestId("import-counts").textContent()).toMatch(/2\s*to create.*1\s*with problems/s);
    expect(await page.getByTestId("import-errors").textContent()).toContain("phones.0");
    expect((await s.api("GET", "/api/clients?q=hedy", { token: s.adminToken })).body.items).toEqual([]);
    await shot("13-import-checked");

    await page.getByTestId("import-commit").click();
    await page.locator('[data-testid="import-status"][data-status="done"]').filter({ hasText: "Import finished" }).waitFor();
    expect(await page.getByTestId("import-counts").textContent()).toMatch(/2\s*created/);
    await page.getByTestId("client-row").filter({ hasText: "Hedy Lamarr" }).waitFor();
    await page.getByTestId("client-row").filter({ hasText: "Alan Turing" }).waitFor();
    await shot("14-import-done");
    await page.getByTestId("import-again").click();
    await page.getByTestId("import-file").waitFor();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  async function me(u: { username: string }): Promise<number> {
    const users = (await s.api("GET", "/api/users", { token: s.adminToken })).body.items as { id: number; username: string }[];
    return users.find((x) => x.username === u.username)!.id;
  }
});
