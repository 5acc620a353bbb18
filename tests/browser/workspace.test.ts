// The agent's workspace in a real browser: screen pops before answer on two agents' consoles
// (ring-all), withdrawal, the working call, wrap-up onto the client's timeline, status, a new
// caller, a reload mid-call and click-to-call. The server runs the built-in PBX simulator; each
// test drives it as the phone network would (a customer calls a DID) and the consoles as agents.
// Build the console first: npx vite build --config agent-ui/vite.config.ts
// Screenshots land in tests/browser/screenshots/ (gitignored). SKIP_BROWSER_TESTS=1 skips this file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Locator, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { BrowserSession, checkBrowserPrerequisites, launchChromium, skipBrowserTests, uiDir } from "../support/browser.js";
import { expectEventually } from "../support/eventually.js";


const maria = { username: "maria", password: "maria-pass-1", displayName: "Maria Lopez", role: "agent", extension: "1001" };
const kim = { username: "kim", password: "kim-pass-123", displayName: "Kim Park", role: "agent", extension: "1002" };
const GRACE = "+14155550123";
const SUPPORT_DID = "8005551000";

describe.skipIf(skipBrowserTests)("agent workspace in Chromium", () => {
  let s: TestServer;
  let browser: Browser;
  let a: Page; // Maria, ext. 1001
  let b: Page; // Kim, ext. 1002
  let graceId: number;
  let mariaToken: string;
  let ui: BrowserSession;
  const pbx = () => s.app.telephony.sim!.pbx;

  const card = (p: Page, phase?: string): Locator =>
    p.locator(phase ? `[data-testid="call-card"][data-phase="${phase}"]` : '[data-testid="call-card"]');
  const status = (p: Page) => p.getByTestId("agent-status").getAttribute("data-state");

  /** The wrap-up POST ends wrap-up on the PBX: back to available for the next test. */
  async function expectAvailable(p: Page): Promise<void> {
    await expectEventually(async () => expect(await status(p)).toBe("available"), 10_000, 100);
  }

  beforeAll(async () => {
    checkBrowserPrerequisites();

    // Real-time simulator (rings time out after 15 s), wrap-up long enough to watch the countdown.
    s = await startTestServer({ env: { UI_DIR: uiDir, WRAPUP_SECONDS: "30", SIM_SPEED: "1" } });
    for (const u of [maria, kim]) {
      const r = await s.api("POST", "/api/users", { token: s.adminToken, body: u });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      pbx().agent(u.extension)!.autoAnswer = false;
    }
    mariaToken = await s.login(maria.username, maria.password);
    const users = (await s.api("GET", "/api/users", { token: s.adminToken })).body.items as { id: number; username: string }[];
    const mariaId = users.find((u) => u.username === maria.username)!.id;

    const grace = await s.api("POST", "/api/clients", {
      token: s.adminToken,
      body: {
        name: "Grace Hopper",
        phones: ["+1 415 555 0123", { number: "+1 212 555 0199", type: "work" }],
        company: "Remington Rand",
        stage: "active",
        tags: ["navy", "renewal"],
        leadSource: "Referral",
        vip: true,
        ownerId: mariaId,
      },
    });
    expect(grace.status, JSON.stringify(grace.body)).toBe(201);
    graceId = grace.body.id;
    await s.api("POST", `/api/clients/${graceId}/notes`, { token: s.adminToken, body: { body: "Prefers morning calls; decision maker for the renewal." } });
    // Due later today (for "Tasks due today" on My calls).
    const endOfDay = new Date();
    endOfDay.setHours(23, 59, 0, 0);
    const due = new Date(Math.min(Date.now() + 2 * 3600_000, Math.max(Date.now() + 60_000, endOfDay.getTime())));
    await s.api("POST", "/api/tasks", {
      token: s.adminToken,
      body: { title: "Send the renewal quote", clientId: graceId, assigneeId: mariaId, dueAt: due.toISOString() },
    });
    const ada = await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Ada Lovelace", phones: ["+44 20 7946 0958"], stage: "regular" } });
    expect(ada.status).toBe(201);
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true), 10_000);

    // An earlier call Maria took and wrapped up: the pop shows it under "Last interactions".
    const earlier = pbx().inboundCall({ from: GRACE, name: "GRACE HOPPER", did: SUPPORT_DID, talkSeconds: 600 });
    await expectEventually(() => expect(pbx().answer("1001")).toBe(true), 5000, 50);
    await new Promise((r) => setTimeout(r, 1200));
    expect(pbx().agentHangup("1001")).toBe(true);
    // Saved once wrap-up has begun on the PBX, so the pop below sees the agent available again.
    await expectEventually(async () => {
      const states = await s.api("GET", "/api/agents/states", { token: mariaToken });
      expect(states.body.items.find((x: { agent: string }) => x.agent === "1001")?.state).toBe("wrap-up");
    }, 10_000, 100);
    await expectEventually(async () => {
      const r = await s.api("POST", `/api/calls/${earlier}/wrapup`, {
        token: mariaToken,
        body: { disposition: "Follow-up needed", note: "Asked about renewal pricing.", clientId: graceId },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }, 10_000, 200);

    browser = await launchChromium();
    ui = new BrowserSession(browser, () => s.url, { ignore: /net::ERR_INTERNET_DISCONNECTED/ });
    a = await ui.page();
    b = await ui.page(["notifications"]);
    for (const [p, u] of [[a, maria], [b, kim]] as const) {
      await ui.signIn(p, u);
      await p.getByTestId("phone-dock").waitFor();
      // The demo phone switched to "I'll answer myself": the simulator no longer answers for the agent.
      await p.locator('[data-testid="demo-manual"][data-applied="true"]').waitFor();
    }
    await expectAvailable(a);
    await expectAvailable(b);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await browser?.close().catch(() => {});
    await s?.close();
  }, 60_000);

  it("pops the caller's card on both ringing agents before answer; the other card is withdrawn when one answers", async () => {
    await ui.shot("w01-dock-idle", a);
    const callId = pbx().inboundCall({ from: GRACE, name: "GRACE HOPPER", did: SUPPORT_DID, talkSeconds: 600 });

    // Ring-all on support: both consoles show Grace's card while the call is still unanswered.
    await card(a, "ringing").getByText("Grace Hopper").waitFor();
    await card(b, "ringing").getByText("Grace Hopper").waitFor();
    expect(s.app.telephony.tracker.calls.get(callId)?.answeredAt ?? null).toBeNull();
    expect(await a.getByTestId("agent-status").getAttribute("data-state")).toBe("ringing");

    const pop = card(a, "ringing");
    expect(await pop.getAttribute("data-direction")).toBe("inbound");
    expect(await pop.getByTestId("call-caller").textContent()).toBe("+1 415 555 0123");
    expect(await pop.getByTestId("call-dialed").textContent()).toContain("Support line");
    expect(await pop.getByTestId("pop-vip").count()).toBe(1);
    expect(await pop.getByTestId("stage-badge").textContent()).toBe("Active");
    const popText = (await pop.textContent()) ?? "";
    expect(popText).toContain("Maria Lopez"); // the owner
    expect(popText).toContain("renewal"); // a tag
    expect(popText).toContain("Support queue");
    expect(await pop.getByTestId("pop-tasks").textContent()).toContain("Send the renewal quote");
    const history = (await pop.getByTestId("pop-history").textContent()) ?? "";
    expect(history).toContain("Prefers morning calls");
    expect(history).toContain("Answered");
    expect(await pop.getByTestId("pop-open-client").getAttribute("href")).toBe(`#/clients/${graceId}`);
    await ui.shot("w02-incoming-pop", a);

    // Maria picks up on the (simulated) phone.
    await a.getByTestId("demo-answer").click();
    await card(a, "talking").waitFor();
    // Kim's card goes away, with a short note in its place.
    await b.getByTestId("call-gone").filter({ hasText: "Answered by a colleague" }).waitFor();
    expect(await card(b).count()).toBe(0);
    await ui.shot("w03-withdrawn-on-colleague", b);

    const working = card(a, "talking");
    await expect.poll(() => working.getByTestId("call-timer").textContent(), { timeout: 15_000 }).not.toBe("0:00");
    await working.getByTestId("call-note").fill("Renewal: wants 20 seats instead of 15.");
    await working.getByTestId("call-disposition").selectOption("Sale");
    await expect.poll(() => status(a)).toBe("on-call");
    await ui.shot("w04-working-call", a);

    // Hang up from the console: the card turns into the wrap-up form, what was typed is kept.
    await working.getByTestId("call-hangup").click();
    const wrap = card(a, "wrapup");
    await wrap.waitFor();
    expect(await wrap.getByTestId("wrapup-note").inputValue()).toBe("Renewal: wants 20 seats instead of 15.");
    await expect.poll(() => status(a), { timeout: 15_000 }).toBe("wrap-up");
    await a.getByTestId("wrapup-countdown").waitFor();
    // The disposition is required.
    await wrap.getByTestId("wrapup-disposition").selectOption("");
    await wrap.getByTestId("wrapup-save").click();
    await wrap.getByTestId("wrapup-error").waitFor();
    await wrap.getByTestId("wrapup-disposition").selectOption("Sale");
    await wrap.getByTestId("wrapup-note").fill("Renewal: wants 20 seats instead of 15. Quote by Friday.");
    await ui.shot("w05-wrapup", a);
    await wrap.getByTestId("wrapup-save").click();
    await a.getByTestId("toast").filter({ hasText: "Wrap-up saved" }).last().waitFor();
    expect(await card(a).count()).toBe(0);
    await expectAvailable(a);

    // The note is on Grace's timeline, in the API and on her card.
    const timeline = await s.api("GET", `/api/clients/${graceId}/timeline`, { token: s.adminToken });
    const bodies = (timeline.body.items as { type: string; body?: string }[]).filter((i) => i.type === "note").map((i) => i.body ?? "");
    expect(bodies.some((x) => x.includes("Quote by Friday") && x.includes("Sale"))).toBe(true);
    await a.getByTestId("dock-idle").waitFor();
    await a.goto(`${s.url}/#/clients/${graceId}`);
    await a.getByTestId("timeline-item").filter({ hasText: "Quote by Friday" }).waitFor();
    const row = await s.api("GET", "/api/calls?agent=1001&limit=1", { token: s.adminToken });
    expect(row.body.items[0]).toMatchObject({ linkedid: callId, outcome: "answered", clientId: graceId });
  }, 90_000);

  it("shows nothing on a paused agent's console while the available agent gets the card", async () => {
    // Desktop alerts are opt-in: the browser is asked only when the agent clicks.
    await b.getByTestId("enable-desktop-alerts").click();
    await b.getByText("Desktop alerts on").waitFor();

    // Kim takes a lunch break from the status menu.
    await b.getByTestId("agent-status").click();
    await b.getByTestId("status-menu").waitFor();
    await ui.shot("w06-status-menu", b);
    await b.locator('[data-testid="status-pause"][data-reason="lunch"]').click();
    await expect.poll(() => status(b), { timeout: 15_000 }).toBe("paused");
    expect(await b.getByTestId("agent-status-label").textContent()).toBe("Paused · Lunch");

    // The caller gives up after 4 s: Maria's card says so and fades.
    pbx().inboundCall({ from: GRACE, name: "GRACE HOPPER", did: SUPPORT_DID, patienceSeconds: 4 });
    await card(a, "ringing").getByText("Grace Hopper").waitFor();
    await new Promise((r) => setTimeout(r, 800));
    expect(await card(b).count()).toBe(0);
    expect(await b.getByTestId("dock-idle").textContent()).toContain("Paused");
    await ui.shot("w07-paused-agent-sees-nothing", b);
    await a.getByTestId("call-gone").filter({ hasText: "Caller hung up" }).waitFor({ timeout: 10_000 });
    expect(await card(b).count()).toBe(0);

    await b.getByTestId("agent-status").click();
    await b.getByTestId("status-available").click();
    await expectAvailable(b);
    await a.getByTestId("call-gone").waitFor({ state: "detached", timeout: 10_000 });
  }, 60_000);

  it("pops a withheld number as such, and a new caller with Create client prefilled and linked to the call", async () => {
    pbx().inboundCall({ from: "anonymous", did: SUPPORT_DID, patienceSeconds: 3 });
    const withheld = card(a, "ringing");
    await withheld.waitFor();
    expect(await withheld.getByTestId("call-caller").textContent()).toBe("Number withheld");
    expect(await withheld.getByTestId("pop-new-caller").textContent()).toContain("Number withheld");
    await a.getByTestId("call-gone").filter({ hasText: "Caller hung up" }).waitFor({ timeout: 10_000 });
    await b.getByTestId("call-gone").waitFor({ state: "detached", timeout: 10_000 });

    const callId = pbx().inboundCall({ from: "+12025550147", name: "WIRELESS CALLER", did: SUPPORT_DID, talkSeconds: 600 });
    const pop = card(a, "ringing");
    await pop.getByTestId("pop-new-caller").waitFor();
    expect(await pop.getByTestId("pop-new-caller").textContent()).toContain("New caller");
    expect(await pop.getByTestId("call-caller").textContent()).toBe("+1 202 555 0147");
    await card(b, "ringing").getByTestId("pop-new-caller").waitFor();
    await ui.shot("w08-new-caller", a);

    await a.getByTestId("demo-answer").click();
    await card(a, "talking").waitFor();
    await card(a, "talking").getByTestId("pop-create-client").click();
    await a.waitForURL(/#\/clients\/new\?/);
    expect(await a.getByTestId("phone-number").first().inputValue()).toBe("+1 202 555 0147");
    await a.getByTestId("client-form-name").fill("Dorothy Vaughan");
    await ui.shot("w09-create-client-from-call", a);
    await a.getByTestId("client-form-submit").click();
    await a.getByTestId("client-name").waitFor();
    const dorothyId = Number(/#\/clients\/(\d+)/.exec(a.url())![1]);
    // The working call is now about the new client.
    expect(await card(a, "talking").getByTestId("pop-client-name").textContent()).toBe("Dorothy Vaughan");

    await a.getByTestId("demo-hangup").click();
    const wrap = card(a, "wrapup");
    await wrap.waitFor();
    await wrap.getByTestId("wrapup-disposition").selectOption("Resolved");
    await wrap.getByTestId("wrapup-note").fill("First call: wants a catalogue.");
    await wrap.getByTestId("wrapup-save").click();
    await a.getByTestId("toast").filter({ hasText: "Wrap-up saved" }).last().waitFor();
    await a.getByTestId("timeline-item").filter({ hasText: "First call: wants a catalogue." }).waitFor();
    const row = await s.api("GET", `/api/calls?clientId=${dorothyId}`, { token: s.adminToken });
    expect(row.body.items[0]).toMatchObject({ linkedid: callId, clientId: dorothyId });
    await expectAvailable(a);
  }, 60_000);

  it("lets the agent pick the caller when several clients share the number", async () => {
    for (const body of [
      { name: "Acme Logistics", kind: "company", phones: ["+1 312 555 0142"], stage: "regular", tags: ["freight"] },
      { name: "Wile E. Coyote", company: "Acme Logistics", phones: ["(312) 555-0142"], stage: "prospect" },
    ]) {
      const r = await s.api("POST", "/api/clients", { token: s.adminToken, body });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    pbx().inboundCall({ from: "+13125550142", did: SUPPORT_DID, patienceSeconds: 6 });
    const pop = card(a, "ringing");
    const pick = pop.getByTestId("pop-client-pick");
    await pick.waitFor();
    expect(await pick.getByTestId("pop-client-option").count()).toBe(2);
    expect(await pick.textContent()).toContain("2 clients share this number");
    // Nobody is assumed until the agent picks.
    expect(await pop.getByTestId("pop-client").count()).toBe(0);
    await pick.locator("label").filter({ hasText: "Wile E. Coyote" }).click();
    expect(await pop.getByTestId("pop-client-name").textContent()).toBe("Wile E. Coyote");
    await ui.shot("w10-several-clients", a);
    await a.getByTestId("call-gone").filter({ hasText: "Caller hung up" }).waitFor({ timeout: 10_000 });
    await a.getByTestId("call-gone").waitFor({ state: "detached", timeout: 10_000 });
  }, 60_000);

  it("brings the working call back at once after a reload mid-call, and the wrap-up after a network drop", async () => {
    const callId = pbx().inboundCall({ from: GRACE, name: "GRACE HOPPER", did: SUPPORT_DID, talkSeconds: 600 });
    await card(a, "ringing").waitFor();
    // Answered on the phone itself (no console click).
    expect(pbx().answer("1001")).toBe(true);
    await card(a, "talking").waitFor();
    await card(a, "talking").getByTestId("call-note").fill("Asked for the invoice copy.");
    await new Promise((r) => setTimeout(r, 1500));

    const t0 = Date.now();
    await a.reload();
    await card(a, "talking").getByText("Grace Hopper").waitFor();
    const restoredIn = Date.now() - t0;
    expect(restoredIn).toBeLessThan(5000);
    expect(await card(a, "talking").getAttribute("data-call-id")).toBe(callId);
    // What she had typed is still there.
    expect(await card(a, "talking").getByTestId("call-note").inputValue()).toBe("Asked for the invoice copy.");
    // The talk timer counts from the real answer time, not from the reload.
    await expect.poll(async () => {
      const [m, sec] = ((await card(a, "talking").getByTestId("call-timer").textContent()) ?? "0:00").split(":").map(Number);
      return m! * 60 + sec!;
    }).toBeGreaterThanOrEqual(1);
    expect(await status(a)).toBe("on-call");

    await a.getByTestId("demo-hold").click();
    await card(a, "held").getByTestId("call-held").waitFor();
    await ui.shot("w11-on-hold", a);
    await a.getByTestId("demo-resume").click();
    await card(a, "talking").waitFor();

    // The network drops; while the console is offline the call ends. Back online, the card is
    // the wrap-up form at once, with the notes typed before.
    await a.context().setOffline(true);
    await expect.poll(() => a.getByTestId("live-status").textContent(), { timeout: 20_000 }).toContain("Offline");
    expect(pbx().agentHangup("1001")).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(await card(a, "talking").count()).toBe(1);
    await a.context().setOffline(false);
    const wrap = card(a, "wrapup");
    await wrap.waitFor({ timeout: 15_000 });
    expect(await wrap.getByTestId("wrapup-note").inputValue()).toBe("Asked for the invoice copy.");
    await expect.poll(() => status(a), { timeout: 15_000 }).toBe("wrap-up");
    await wrap.getByTestId("wrapup-disposition").selectOption("Resolved");
    await wrap.getByTestId("wrapup-save").click();
    await a.getByTestId("toast").filter({ hasText: "Wrap-up saved" }).last().waitFor();
    await expectAvailable(a);
  }, 60_000);

  it("click-to-call from the client card rings the agent's own phone first; dialing rules come back as a toast", async () => {
    await a.goto(`${s.url}/#/clients/${graceId}`);
    await a.getByTestId("phone-item").first().waitFor();
    await a.getByTestId("phone-item").first().getByTestId("call-number").click();
    await a.getByTestId("toast").filter({ hasText: "Calling +1 415 555 0123" }).waitFor();
    const out = a.locator('[data-testid="call-card"][data-direction="outbound"]');
    await out.waitFor();
    expect(await out.getAttribute("data-phase")).toBe("ringing");
    expect(await out.getByTestId("pop-client-name").textContent()).toBe("Grace Hopper");
    // Kim's phone does not ring for Maria's outbound call.
    expect(await card(b).count()).toBe(0);
    await ui.shot("w12-click-to-call", a);

    await a.getByTestId("demo-answer").click();
    await a.locator('[data-testid="call-card"][data-direction="outbound"][data-phase="talking"]').waitFor({ timeout: 15_000 });
    // The card talks from the moment Maria picks up; the customer answers a moment later. A
    // hang-up before that is a call that reached nobody (no wrap-up): wait for the customer.
    await expectEventually(() => {
      const call = [...s.app.telephony.tracker.calls.values()].find((c) => c.direction === "outbound" && c.callerNumber === "1001");
      expect([...(call?.legs.values() ?? [])].some((l) => l.kind === "trunk" && l.up)).toBe(true);
    }, 15_000);
    await a.getByTestId("demo-hangup").click();
    const wrap = card(a, "wrapup");
    await wrap.waitFor();
    await wrap.getByTestId("wrapup-disposition").selectOption("Follow-up needed");
    await wrap.getByTestId("wrapup-save").click();
    await a.getByTestId("toast").filter({ hasText: "Wrap-up saved" }).last().waitFor();
    await expectAvailable(a);

    // A number in a country outside the dialing rules: the server's message, as a toast.
    const ada = (await s.api("GET", "/api/clients?q=Ada", { token: s.adminToken })).body.items[0] as { id: number };
    await a.goto(`${s.url}/#/clients/${ada.id}`);
    await a.getByTestId("phone-item").first().getByTestId("call-number").click();
    const refused = a.getByTestId("toast").filter({ hasText: "Could not place the call" });
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/not allowed/);
  }, 60_000);

  it("rings one agent at a time on the round-robin sales line, and hands the card over on a transfer", async () => {
    // Sales is round robin: the first call goes to Maria only; Kim's console stays quiet.
    pbx().inboundCall({ from: GRACE, name: "GRACE HOPPER", did: "8005552000", patienceSeconds: 4 });
    const pop = card(a, "ringing");
    await pop.waitFor();
    expect(await pop.getByTestId("call-dialed").textContent()).toContain("Sales line (radio spot)");
    expect(await pop.textContent()).toContain("Sales queue");
    await new Promise((r) => setTimeout(r, 800));
    expect(await card(b).count()).toBe(0);
    await a.getByTestId("call-gone").filter({ hasText: "Caller hung up" }).waitFor({ timeout: 10_000 });

    // A support call Maria takes and passes on to the sales queue, whose next agent is Kim.
    const callId = pbx().inboundCall({ from: GRACE, name: "GRACE HOPPER", did: SUPPORT_DID, talkSeconds: 600 });
    await card(a, "ringing").waitFor();
    await a.getByTestId("demo-answer").click();
    await card(a, "talking").waitFor();
    await b.getByTestId("call-gone").waitFor({ state: "detached", timeout: 10_000 });
    await card(a, "talking").getByTestId("call-transfer").click();
    await card(a, "talking").getByTestId("transfer-to").fill("sales");
    await ui.shot("w13-transfer", a);
    await card(a, "talking").getByTestId("transfer-submit").click();
    await a.getByTestId("call-gone").filter({ hasText: "Transferred to sales" }).waitFor();
    const handed = card(b, "ringing");
    await handed.getByText("Grace Hopper").waitFor();
    expect(await handed.getAttribute("data-call-id")).toBe(callId);
    await ui.shot("w14-transferred-to-colleague", b);

    await b.getByTestId("demo-answer").click();
    await card(b, "talking").waitFor();
    await b.getByTestId("demo-hangup").click();
    const wrap = card(b, "wrapup");
    await wrap.waitFor();
    await wrap.getByTestId("wrapup-disposition").selectOption("Escalated");
    await wrap.getByTestId("wrapup-save").click();
    await b.getByTestId("toast").filter({ hasText: "Wrap-up saved" }).last().waitFor();
    await expectAvailable(a);
    await expectAvailable(b);
  }, 60_000);

  it("lists my recent and missed calls and today's tasks on the My calls page", async () => {
    await a.getByTestId("nav-calls").click();
    await a.getByTestId("call-row").first().waitFor();
    const rows = a.getByTestId("call-row");
    expect(await rows.count()).toBeGreaterThanOrEqual(4);
    expect(await a.locator('[data-testid="call-row"][data-direction="outbound"]').count()).toBeGreaterThanOrEqual(1);
    expect(await a.getByTestId("calls-table").textContent()).toContain("Dorothy Vaughan");
    expect(await a.getByTestId("tasks-today").textContent()).toContain("Send the renewal quote");
    await ui.shot("w15-my-calls", a);

    // The calls that rang Maria and that nobody took (the callers who hung up).
    await a.getByTestId("calls-tab-missed").click();
    await expect.poll(() => a.getByTestId("call-row").count()).toBeGreaterThanOrEqual(2);
    await ui.shot("w16-missed-calls", a);

    // The agent hides the idle phone panel to get room; a ringing call brings it back by itself.
    await a.getByTestId("dock-collapse").click();
    await a.getByTestId("phone-rail").waitFor();
    expect(await a.getByTestId("rail-status").getAttribute("data-state")).toBe("available");
    await ui.shot("w17-dock-collapsed", a);
    pbx().inboundCall({ from: GRACE, name: "GRACE HOPPER", did: SUPPORT_DID, patienceSeconds: 3 });
    await card(a, "ringing").getByText("Grace Hopper").waitFor();
    await a.getByTestId("call-gone").filter({ hasText: "Caller hung up" }).waitFor({ timeout: 10_000 });
    await a.getByTestId("phone-rail").waitFor({ timeout: 10_000 });
    await a.getByTestId("dock-expand").click();
    await a.getByTestId("phone-dock").waitFor();

    expect(ui.errors).toEqual([]);
  }, 60_000);

  it("says the phone system is unreachable while the PBX link is down, and shows the status as unknown", async () => {
    const sim = s.app.telephony.sim!;
    sim.faults.refuse = true;
    sim.dropConnections();
    await a.getByTestId("pbx-down").waitFor();
    expect(await a.getByTestId("pbx-down").textContent()).toContain("Phone system unreachable");
    await expect.poll(() => status(a)).toBe("unknown");
    // A console opened during the outage knows it at once.
    await b.reload();
    await b.getByTestId("pbx-down").waitFor();
    await ui.shot("w18-pbx-unreachable", a);

    sim.faults.refuse = false;
    await a.getByTestId("pbx-down").waitFor({ state: "detached", timeout: 30_000 });
    await b.getByTestId("pbx-down").waitFor({ state: "detached", timeout: 30_000 });
    await expectAvailable(a);
    expect(ui.errors).toEqual([]);
  }, 90_000);
});
