// The supervisor console in a real browser: the supervisor lands on the wallboard, which follows
// the simulator's traffic live (a caller waiting, then answered, the day's counts); they listen in
// on the agent's call and the agent's console says so; the TV screen shows the board without a
// login. Build the console first: npx vite build --config agent-ui/vite.config.ts. Screenshots land
// in tests/browser/screenshots/.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { BrowserSession, checkBrowserPrerequisites, launchChromium, skipBrowserTests, uiDir } from "../support/browser.js";
import { expectEventually } from "../support/eventually.js";

const maria = { username: "maria", password: "maria-pass-1", displayName: "Maria Lopez", role: "agent", extension: "1001" };
const sam = { username: "sam", password: "sam-pass-123", displayName: "Sam Supervisor", role: "supervisor", extension: "1010" };

describe.skipIf(skipBrowserTests)("supervisor console in Chromium", () => {
  let s: TestServer;
  let browser: Browser;
  let b: BrowserSession;
  const pbx = () => s.app.telephony.sim!.pbx;
  let supervisor: Page;
  let agent: Page;

  beforeAll(async () => {
    checkBrowserPrerequisites();
    s = await startTestServer({ env: { UI_DIR: uiDir, SIM_SPEED: "1", WRAPUP_SECONDS: "0", SPY_NOTICE: "true" } });
    for (const u of [maria, sam]) {
      const r = await s.api("POST", "/api/users", { token: s.adminToken, body: u });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      if (u === sam) await s.api("PUT", `/api/users/${r.body.id}/queues`, { token: s.adminToken, body: { queues: ["support", "sales"] } });
    }
    await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace Hopper", phones: ["+1 415 555 0142"], company: "US Navy", stage: "active" } });
    for (const ext of ["1001", "1002", "1003"]) pbx().agent(ext)!.autoAnswer = false;
    // One agent on a break: the board shows a pause with its reason.
    pbx().pauseMember("PJSIP/1003", undefined, true, "lunch");
    browser = await launchChromium();
    b = new BrowserSession(browser, () => s.url);
  });

  afterAll(async () => {
    await b?.close();
    await browser?.close();
    await s?.close();
  });

  it("the supervisor lands on the wallboard, which follows a caller waiting and then answered", async () => {
    supervisor = await b.page();
    await b.signIn(supervisor, sam, "/");
    await supervisor.waitForURL(/#\/wallboard$/);
    await supervisor.locator('[data-testid="queue-tile"][data-queue="support"]').waitFor();
    await expectEventually(async () => expect(await supervisor.locator('[data-testid="agent-row"][data-agent="1003"]').getAttribute("data-state")).toBe("paused"));
    pbx().inboundCall({ from: "+14155550142", did: "8005551000", talkSeconds: 600 });
    const tile = supervisor.locator('[data-testid="queue-tile"][data-queue="support"]');
    await expectEventually(async () => expect(await tile.getByTestId("tile-waiting").textContent()).toBe("1"));
    await expectEventually(async () => expect(await supervisor.getByTestId("waiting-row").first().textContent()).toContain("Grace Hopper"));
    await b.shot("supervisor-wallboard-waiting", supervisor);
    expect(pbx().answer("1001")).toBe(true);
    const row = supervisor.locator('[data-testid="agent-row"][data-agent="1001"]');
    await expectEventually(async () => expect(await row.getAttribute("data-state")).toBe("on-call"));
    await expectEventually(async () => expect(await row.getByTestId("agent-call").textContent()).toContain("Grace Hopper"));
    expect(await tile.getByTestId("tile-waiting").textContent()).toBe("0");
  });

  it("the supervisor listens in; the agent's console says a supervisor is listening", async () => {
    agent = await b.page();
    await b.signIn(agent, maria);
    const row = supervisor.locator('[data-testid="agent-row"][data-agent="1001"]');
    await row.getByTestId("spy-listen").click();
    // The supervisor's own (simulated) phone rings: they answer it in the demo phone panel.
    await supervisor.locator('[data-testid="demo-answer"]:not([disabled])').click();
    await expectEventually(async () => expect(await row.getByTestId("agent-spy").textContent()).toContain("listen: Sam Supervisor"));
    await supervisor.getByTestId("my-spy").waitFor();
    await agent.getByTestId("spy-notice").waitFor();
    expect(await agent.getByTestId("spy-notice").textContent()).toContain("Sam Supervisor is listening to your call");
    await b.shot("supervisor-wallboard-listening", supervisor);
    await b.shot("agent-spy-notice", agent);
    await supervisor.getByTestId("spy-stop").click();
    await agent.getByTestId("spy-notice").waitFor({ state: "detached" });
  });

  it("today's counts move as calls end, and the TV screen shows the board without a login", async () => {
    const tile = supervisor.locator('[data-testid="queue-tile"][data-queue="support"]');
    const before = Number(await tile.getByTestId("tile-offered").textContent());
    expect(pbx().agentHangup("1001")).toBe(true);
    await expectEventually(async () => expect(Number(await tile.getByTestId("tile-offered").textContent())).toBe(before + 1));
    await expectEventually(async () => expect(await tile.getByTestId("tile-sl").textContent()).toBe("100%"));
    // Pausing an agent asks why, in the agent's row; the pause shows with its reason.
    const bob = supervisor.locator('[data-testid="agent-row"][data-agent="1002"]');
    await bob.getByTestId("agent-pause").click();
    await bob.getByTestId("agent-act-code").selectOption("coaching");
    await bob.getByTestId("agent-act-reason").fill("Side-by-side on the new offer");
    await b.shot("supervisor-pause-form", supervisor);
    await bob.getByTestId("agent-act-confirm").click();
    await expectEventually(async () => expect(await bob.getAttribute("data-state")).toBe("paused"));
    expect(await bob.textContent()).toContain("coaching");
    const mgr = await s.login("admin", "admin-password-1");
    const created = await s.api("POST", "/api/wallboard/tokens", { token: mgr, body: { name: "Floor 2 TV", queues: ["support", "sales"] } });
    const tv = await b.page();
    await tv.goto(`${s.url}/#/tv?token=${created.body.token}`);
    await expectEventually(async () => expect(await tv.getByTestId("tv-queue").count()).toBe(2));
    expect(await tv.locator("h1").textContent()).toBe("Floor 2 TV");
    await b.shot("supervisor-tv", tv);
    expect(b.errors).toEqual([]);
  });
});
