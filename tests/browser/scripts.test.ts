// Call scripts in a real browser: the script chosen by the rules is on the agent's card before
// answer; the agent runs it with the keyboard (Enter, number keys), reloads mid-call and finds the
// run where it was, fills an input, wraps up; the manager sees the run in the funnel; a supervisor
// builds a three-step script in the designer and publishes it. Build the console first
// (npm run build:ui). Screenshots land in tests/browser/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser } from "playwright-core";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { BrowserSession, checkBrowserPrerequisites, launchChromium, skipBrowserTests, uiDir, wavesurferStyleRefused } from "../support/browser.js";
import { expectEventually } from "../support/eventually.js";

const maria = { username: "maria", password: "maria-pass-1", displayName: "Maria Lopez", role: "agent", extension: "1001" };
const sue = { username: "sue", password: "sue-pass-123", displayName: "Sue Supervisor", role: "supervisor" };
const mia = { username: "mia", password: "mia-pass-123", displayName: "Mia Manager", role: "manager" };

const supportGraph = {
  start: "greeting",
  steps: {
    greeting: { type: "say", title: "Greeting", text: "Good morning {{client.firstName|there}}, {{agent.name}} from ACME support. How can I help?", tip: "Use the client's first name once, not in every sentence.", next: "topic" },
    topic: { type: "question", title: "Topic", text: "What is the call about?", options: [{ label: "Billing", next: "invoice" }, { label: "Technical problem", next: "fixed" }, { label: "Complaint", next: "complaint" }] },
    invoice: { type: "input", title: "Invoice number", text: "May I have the invoice number?", field: "call.invoice", format: "number", next: "billing-done" },
    "billing-done": { type: "end", title: "Billing answered", outcome: "resolved" },
    fixed: { type: "end", title: "Fixed", outcome: "resolved" },
    complaint: { type: "end", title: "Complaint", outcome: "complaint" },
  },
};

describe.skipIf(skipBrowserTests)("call scripts in Chromium", () => {
  let s: TestServer;
  let browser: Browser;
  let scriptId = 0;
  let graceId = 0;
  let ui: BrowserSession;
  const pbx = () => s.app.telephony.sim!.pbx;

  beforeAll(async () => {
    checkBrowserPrerequisites();
    s = await startTestServer({ env: { UI_DIR: uiDir, SIM_SPEED: "1", WRAPUP_SECONDS: "60" } });
    for (const u of [maria, sue, mia]) expect((await s.api("POST", "/api/users", { token: s.adminToken, body: u })).status).toBe(201);
    for (const ext of ["1001", "1002", "1003"]) pbx().agent(ext)!.autoAnswer = false;
    pbx().pauseMember("PJSIP/1002", undefined, true, "break");
    const c = await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace Hopper", company: "Navy", stage: "regular", phones: ["+1 415 555 0123"] } });
    graceId = c.body.id;
    const created = await s.api("POST", "/api/scripts", { token: s.adminToken, body: { name: "Support greeting", graph: supportGraph } });
    scriptId = created.body.id;
    expect((await s.api("POST", `/api/scripts/${scriptId}/publish`, { token: s.adminToken })).body).toEqual({ version: 1 });
    expect((await s.api("POST", "/api/script-rules", { token: s.adminToken, body: { queue: "support", scriptId } })).status).toBe(201);
    browser = await launchChromium();
    ui = new BrowserSession(browser, () => s.url, { ignore: wavesurferStyleRefused });
  });
  afterAll(async () => {
    await ui?.close();
    await browser?.close();
    await s?.close();
  });

  it("the agent runs the script on a call (keyboard, reload), wraps up, and the manager sees it in the funnel", async () => {
    const a = await ui.page();
    await ui.signIn(a, maria);
    await a.locator('[data-testid="demo-manual"][data-applied="true"]').waitFor();
    const callId = pbx().inboundCall({ from: "+14155550123", talkSeconds: 600 });
    const card = a.locator(`[data-testid="call-card"][data-call-id="${callId}"]`);
    await card.locator('[data-phase="ringing"], [data-testid="script-runner"]').first().waitFor();
    // Before answer: the script is there, filled for Grace, its answers not yet clickable.
    const runner = card.getByTestId("script-runner");
    await runner.waitFor();
    expect(s.app.telephony.tracker.calls.get(callId)?.answeredAt ?? null).toBeNull();
    expect(await runner.getByTestId("script-name").textContent()).toBe("Support greeting");
    expect(await runner.getByTestId("script-text").textContent()).toBe("Good morning Grace, Maria Lopez from ACME support. How can I help?");
    expect(await runner.getByTestId("script-next").isDisabled()).toBe(true);
    expect(await runner.getByRole("alert").count()).toBe(0);
    await ui.shot("s01-script-before-answer", a);

    expect(pbx().answer("1001")).toBe(true);
    await a.locator(`[data-testid="call-card"][data-call-id="${callId}"][data-phase="talking"]`).waitFor();
    await expectEventually(async () => expect(await runner.getByTestId("script-next").isDisabled()).toBe(false), 10_000, 50);
    // Keyboard only: Enter goes on from the greeting, 1 picks "Billing".
    await a.locator("body").click({ position: { x: 700, y: 500 } });
    await a.keyboard.press("Enter");
    await a.locator('[data-testid="script-runner"][data-step="topic"]').waitFor();
    await a.keyboard.press("1");
    await a.locator('[data-testid="script-runner"][data-step="invoice"]').waitFor();
    await expectEventually(async () => {
      const r = await s.api("GET", `/api/calls/${callId}/script-run`, { token: s.adminToken });
      expect(r.body.items[0]?.path.map((e: { step: string }) => e.step)).toEqual(["greeting", "topic", "invoice"]);
    }, 10_000, 50);

    // A reload mid-call: the card comes back with the run where it was.
    await a.reload();
    await a.locator(`[data-testid="call-card"][data-call-id="${callId}"] [data-testid="script-runner"][data-step="invoice"]`).waitFor();
    expect(await a.getByTestId("script-path").innerText()).toContain("Topic → Billing");
    // A bad value is shown at its step; a good one goes on.
    await a.getByTestId("script-input").fill("INV-12");
    await a.getByTestId("script-input").press("Enter");
    expect(await a.getByTestId("script-problem").textContent()).toBe("The value is not a number.");
    await a.getByTestId("script-input").fill("4711");
    await ui.shot("s02-script-input", a);
    await a.getByTestId("script-input").press("Enter");
    await a.locator('[data-testid="script-runner"][data-step="billing-done"]').waitFor();
    expect(await a.getByTestId("script-outcome").textContent()).toContain("resolved");
    await ui.shot("s03-script-done", a);

    expect(pbx().agentHangup("1001")).toBe(true);
    const wrap = a.locator(`[data-testid="call-card"][data-call-id="${callId}"]`);
    await wrap.getByTestId("wrapup-form").waitFor();
    await wrap.getByTestId("wrapup-disposition").selectOption("Resolved");
    await wrap.getByTestId("wrapup-save").click();
    await a.getByTestId("toast").filter({ hasText: "Wrap-up saved" }).last().waitFor();
    const run = (await s.api("GET", `/api/calls/${callId}/script-run`, { token: s.adminToken })).body.items[0];
    expect(run).toMatchObject({ completed: true, outcome: "resolved", captured: { values: { invoice: "4711" } } });
    expect(run.appliedAt).not.toBeNull();
    const timeline = await s.api("GET", `/api/clients/${graceId}/timeline`, { token: s.adminToken });
    expect(timeline.body.items.some((i: { type: string; body?: string }) => i.body?.startsWith("Call script «Support greeting» v1 · outcome: resolved"))).toBe(true);

    const m = await ui.page();
    await ui.signIn(m, mia);
    await m.goto(`${s.url}/#/scripts/${scriptId}/funnel`);
    await m.getByTestId("funnel-chart").waitFor();
    await expectEventually(async () => expect(await m.getByTestId("funnel-runs").textContent()).toBe("1"), 10_000, 50);
    expect(await m.getByTestId("funnel-steps").textContent()).toContain("Billing: 1");
    await m.locator('[data-testid="funnel-chart"] canvas').waitFor();
    await ui.shot("s04-funnel", m);
    const [download] = await Promise.all([m.waitForEvent("download"), m.getByTestId("funnel-csv").click()]);
    expect(download.suggestedFilename()).toBe(`script-${scriptId}-v1-funnel.csv`);

    // Beside the call's recording, the path the agent took.
    let recordingId = 0;
    await expectEventually(async () => {
      const r = await s.api("GET", "/api/recordings", { token: s.adminToken });
      recordingId = (r.body.items as { id: number; linkedid: string }[]).find((x) => x.linkedid === callId)?.id ?? 0;
      expect(recordingId).toBeGreaterThan(0);
    }, 20_000, 100);
    await m.goto(`${s.url}/#/recordings/${recordingId}`);
    const path = m.getByTestId("recording-script");
    await path.waitFor();
    expect(await path.innerText()).toContain("Topic → Billing");
    expect(await path.innerText()).toContain("Invoice number = 4711");
    await ui.shot("s05-recording-script-path", m);
  });

  it("a supervisor builds a three-step script in the designer and publishes it", async () => {
    const p = await ui.page();
    await ui.signIn(p, sue);
    await p.getByTestId("nav-scripts").click();
    await p.getByTestId("script-new").click();
    await p.getByTestId("script-graph").waitFor();
    await p.locator('.svelte-flow__node[data-id="greeting"]').waitFor();
    await p.getByTestId("script-name-input").fill("Renewal offer");
    // Select the greeting, insert a question after it, then fix what the checks report.
    await p.locator('.svelte-flow__node[data-id="greeting"]').click();
    await p.getByTestId("step-add").click();
    await p.locator('.svelte-flow__node[data-id="step3"]').waitFor();
    await p.getByTestId("step-type").selectOption("question");
    await p.getByTestId("step-title").fill("Renew?");
    await p.getByTestId("step-text").fill("Shall we renew your plan for {{client.nickname}}?");
    // The question has no answers and an unknown placeholder; greeting leads to it, "done" is unreachable now.
    await p.getByTestId("script-problem-item").first().waitFor();
    const problems = await p.getByTestId("script-problems").textContent();
    expect(problems).toContain('step "step3": a question needs at least one answer');
    expect(problems).toContain("{{client.nickname}}, which nothing fills");
    expect(await p.getByTestId("script-publish").isDisabled()).toBe(true);
    await ui.shot("s06-designer-problems", p);
    await p.getByTestId("step-text").fill("Shall we renew your plan, {{client.firstName|}}?");
    await p.getByTestId("option-add").click();
    await p.getByTestId("option-label").fill("Yes");
    await p.getByTestId("option-next").selectOption("done");
    await p.locator('[data-testid="script-problems"]', { hasText: "Ready to publish" }).waitFor();
    // Live preview with the sample client.
    await p.getByTestId("tab-preview").click();
    await p.locator('[data-testid="script-runner"] [data-testid="script-text"]', { hasText: "Hello Grace" }).waitFor();
    await p.getByTestId("script-next").click();
    await p.locator('[data-testid="script-runner"][data-step="step3"]').waitFor();
    await ui.shot("s07-designer-preview", p);
    await p.getByTestId("script-publish").click();
    await p.getByTestId("toast").filter({ hasText: "Published version 1" }).waitFor();
    await ui.shot("s08-designer-published", p);

    const list = await s.api("GET", "/api/scripts", { token: s.adminToken });
    const made = list.body.items.find((x: { name: string }) => x.name === "Renewal offer");
    expect(made.publishedVersion).toBe(1);
    const v1 = await s.api("GET", `/api/scripts/${made.id}?version=1`, { token: s.adminToken });
    expect(Object.keys(v1.body.version.graph.steps).sort()).toEqual(["done", "greeting", "step3"]);
    expect(v1.body.version.graph.steps.greeting.next).toBe("step3");
    expect(v1.body.version.graph.steps.step3).toMatchObject({ type: "question", title: "Renew?", options: [{ label: "Yes", next: "done" }] });
    expect(ui.errors).toEqual([]);
  });
});
