// The replay page in a real browser: a manager finds a recorded call by the client's name, opens
// it, sees the caller and the agent on two lanes, clicks the middle of the waveform and plays from
// there (the audio is fetched by HTTP Range through a short-lived link, never the bearer token in a
// URL), and changes speed. The server runs the built-in PBX simulator; the test places the call
// and writes the WAVs where Asterisk's MixMonitor would, as tests/api/recordings.test.ts does.
// Build the console first: npx vite build --config agent-ui/vite.config.ts
// Screenshots land in tests/browser/screenshots/. SKIP_BROWSER_TESTS=1 skips this file.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { BrowserSession, checkBrowserPrerequisites, launchChromium, shotsDir, skipBrowserTests, uiDir } from "../support/browser.js";
import { expectEventually } from "../support/eventually.js";
import { writeCallRecording } from "../support/wav.js";
import { axeViolations } from "../support/axe.js";

/** What the test reads of the page's <audio> element (the test code has no DOM types). */
type MediaLike = { currentTime: number; paused: boolean; playbackRate: number };

const GRACE = "+14155550123";
const max = { username: "max", password: "max-password-1", displayName: "Max Moss", role: "manager" };
const SECONDS = 40;

describe.skipIf(skipBrowserTests)("recordings replay in Chromium", () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let managerToken: string;
  let recordingId: number;
  const pageErrors: string[] = [];
  const sim = () => s.app.telephony.sim!.pbx;

  beforeAll(async () => {
    checkBrowserPrerequisites();
    s = await startTestServer({ env: { UI_DIR: uiDir, SIM_SPEED: "0.05", WRAPUP_SECONDS: "0" } });
    const users = [{ username: "ann", password: "ann-password-1", displayName: "Ann Lee", role: "agent", extension: "1001" }, max];
    for (const u of users) expect((await s.api("POST", "/api/users", { token: s.adminToken, body: u })).status).toBe(201);
    managerToken = await s.login(max.username, max.password);
    for (const ext of ["1001", "1002", "1003"]) sim().agent(ext)!.autoAnswer = false;
    for (const ext of ["1002", "1003"]) sim().pauseMember(`PJSIP/${ext}`, undefined, true, "break");
    expect((await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Grace Hopper", phones: [GRACE] } })).status).toBe(201);
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true));

    // A call to the support queue answered by 1001; caller and agent take turns for 40 seconds.
    const linkedid = sim().inboundCall({ from: GRACE, talkSeconds: 600 });
    await expectEventually(() => expect(sim().answer("1001")).toBe(true));
    const caller = [0, 10, 20, 30].map((t) => ({ start: t + 0.5, end: t + 4.5, hz: 300 }));
    const agent = [5, 15, 25, 35].map((t) => ({ start: t + 0.5, end: t + 4.5, hz: 520 }));
    writeCallRecording(s.app.config.monitorDir, linkedid, caller, agent, SECONDS);
    expect(sim().agentHangup("1001")).toBe(true);
    await expectEventually(async () => {
      const r = await s.api("GET", "/api/recordings?status=ready", { token: managerToken });
      const rec = (r.body.items as { id: number; linkedid: string }[]).find((x) => x.linkedid === linkedid);
      expect(rec).toBeDefined();
      recordingId = rec!.id;
    }, 60_000, 200);

    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: "en-US" });
    page = await ctx.newPage();
    page.setDefaultTimeout(10_000);
    page.on("pageerror", (err) => pageErrors.push(`${err.message}\n${err.stack ?? ""}`));
    page.on("console", (msg) => {
      // wavesurfer.js puts a <style> in its shadow root, which the console's CSP refuses by design;
      // the player gives it the same rules as a constructed stylesheet (recordings/wavesurfer-styles.ts).
      // Unlike BrowserSession, no 4xx is expected here: every request of the replay page must succeed.
      if (msg.type() === "error" && !/Applying inline style violates the following Content Security Policy directive 'style-src 'self''/.test(msg.text())) pageErrors.push(msg.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it("a manager finds the call by the client's name, plays it from the middle by Range, sees both speakers, changes speed", async () => {
    // Every audio request the page makes, with its Range header and the answer's status.
    const audio: { url: string; range: string | undefined; status: number }[] = [];
    page.on("response", async (res) => {
      if (!/\/api\/recordings\/\d+\/(stream|audio)(\?|$)/.test(res.url())) return;
      const headers = await res.request().allHeaders();
      audio.push({ url: res.url(), range: headers.range, status: res.status() });
    });

    await page.goto(`${s.url}/#/recordings`);
    await page.getByTestId("login-username").fill(max.username);
    await page.getByTestId("login-password").fill(max.password);
    await page.getByTestId("login-submit").click();
    await page.getByTestId("nav-recordings").click();
    await page.getByTestId("rec-q").fill("grace");
    await page.getByTestId("rec-search").click();
    const row = page.getByTestId("recording-row");
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toMatch(/Grace Hopper[\s\S]*\+1 415 555 0123[\s\S]*Ann Lee \(1001\)[\s\S]*Support[\s\S]*Answered[\s\S]*0:40[\s\S]*Ready/);
    await page.screenshot({ path: path.join(shotsDir, "recordings-search.png") });

    await row.click();
    await page.waitForURL(new RegExp(`#/recordings/${recordingId}$`));
    await page.locator('[data-testid="player"][data-ready="true"]').waitFor();
    // The two speakers, each on a lane of their own, and their turns.
    expect(await page.getByTestId("player").getAttribute("data-lanes")).toBe("2");
    expect(await page.getByTestId("lane").allInnerTexts()).toEqual(["Caller", "Agent"]);
    expect(await page.locator(".turn-caller").count()).toBe(4);
    expect(await page.locator(".turn-agent").count()).toBe(4);
    expect(await page.getByTestId("recording-client").innerText()).toBe("Grace Hopper");

    // Click the middle of the waveform, then play from there.
    const wave = page.getByTestId("waveform");
    const box = (await wave.boundingBox())!;
    // The waveform's own width excludes the container's right padding (10 px).
    await page.mouse.click(box.x + (box.width - 10) / 2, box.y + box.height / 2);
    const time = () => page.getByTestId("player-audio").evaluate((a: MediaLike) => a.currentTime);
    await expect.poll(time).toBeGreaterThan(SECONDS / 2 - 1.5);
    expect(await time()).toBeLessThan(SECONDS / 2 + 1.5);
    await page.getByTestId("player-toggle").click();
    // The function runs in the page: the bound comes in as its argument.
    const playingFrom = (from: number) => page.getByTestId("player-audio").evaluate((a: MediaLike, f: number) => !a.paused && a.currentTime > f, from);
    await expect.poll(() => playingFrom(SECONDS / 2 - 1.5), { timeout: 10_000 }).toBe(true);
    await page.waitForTimeout(800);
    expect(await time()).toBeGreaterThan(SECONDS / 2 - 1.5);
    expect(await time()).toBeLessThan(SECONDS / 2 + 4);

    // The audio came by Range through the short-lived link: no bearer token in any URL.
    expect(audio.length).toBeGreaterThan(0);
    expect(audio.every((a) => /\/stream\?t=[A-Za-z0-9_-]{32}$/.test(new URL(a.url).pathname + new URL(a.url).search))).toBe(true);
    expect(audio.every((a) => !a.url.includes(managerToken))).toBe(true);
    expect(audio.some((a) => a.range?.startsWith("bytes=") || a.status === 206), JSON.stringify(audio)).toBe(true);
    expect(audio.every((a) => a.status === 206 || a.status === 200)).toBe(true);

    // Speed.
    await page.getByTestId("speed-1.5").click();
    expect(await page.getByTestId("player-audio").evaluate((a: MediaLike) => a.playbackRate)).toBe(1.5);
    expect(await page.getByTestId("speed-1.5").getAttribute("aria-pressed")).toBe("true");

    // Next turn of the agent from the middle (20.x s): the agent's turn at 25.5 s.
    await page.getByTestId("player-toggle").click();
    await page.getByTestId("next-agent").click();
    await expect.poll(time).toBeGreaterThan(25);
    expect(await time()).toBeLessThan(26.5);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(shotsDir, "recordings-player.png") });

    expect(pageErrors).toEqual([]);
  }, 60_000);

  // The replay page is the one console page the accessibility test cannot reach (it needs a
  // recording): axe-core runs here, in a context that bypasses the CSP for axe alone.
  it("the replay page passes axe-core's WCAG 2 A and AA rules", async () => {
    const axeUi = new BrowserSession(browser, () => s.url, { context: { bypassCSP: true, reducedMotion: "reduce" } });
    const p = await axeUi.page();
    await axeUi.signIn(p, max, `/#/recordings/${recordingId}`);
    await p.locator('[data-testid="player"][data-ready="true"]').waitFor();
    const violations = await axeViolations(p);
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
    await axeUi.close();
  }, 60_000);
});
