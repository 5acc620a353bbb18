// The console under the server's security headers, in Chromium: it runs under the
// Content-Security-Policy without a single violation, cannot be framed, and follows the session
// when the server ends its socket (role change: reconnects; logout elsewhere: back to sign-in).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Page } from "playwright-core";
import { adminPassword, startTestServer, type TestServer } from "../support/test-server.js";
import { checkBrowserPrerequisites, launchChromium, skipBrowserTests, uiDir } from "../support/browser.js";

/** Runs in the page before the console: records every CSP violation the browser reports. */
const recordViolations = `
  window.cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI));
`;

describe.skipIf(skipBrowserTests)("console under CSP and session ends (Chromium)", () => {
  let s: TestServer;
  let browser: Browser;
  let clientId = 0;
  let agentId = 0;
  const pageErrors: string[] = [];

  async function open(username: string, password: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const p = await ctx.newPage();
    p.setDefaultTimeout(10_000);
    await p.addInitScript(recordViolations);
    p.on("pageerror", (err) => pageErrors.push(err.message));
    p.on("console", (msg) => {
      if (msg.type() === "error" && !/the server responded with a status of 4\d\d/.test(msg.text())) pageErrors.push(msg.text());
    });
    await p.goto(s.url + "/");
    await p.getByTestId("login-username").fill(username);
    await p.getByTestId("login-password").fill(password);
    await p.getByTestId("login-submit").click();
    await p.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    return p;
  }

  beforeAll(async () => {
    checkBrowserPrerequisites();
    s = await startTestServer({ env: { UI_DIR: uiDir } });
    agentId = (await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "cara", password: "cara-password", role: "agent", extension: "1001" } })).body.id;
    clientId = (await s.api("POST", "/api/clients", { token: s.adminToken, body: { name: "Ada Lovelace", phones: ["+1 415 555 0177"], tags: ["vip"] } })).body.id;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it("runs every view without a CSP violation", async () => {
    const p = await open("admin", adminPassword);
    for (const hash of ["#/clients", `#/clients/${clientId}`, "#/calls", "#/tasks", "#/admin/users", "#/admin/audit", "#/clients"]) {
      await p.goto(`${s.url}/${hash}`);
      await p.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    }
    await p.getByText("Ada Lovelace").first().waitFor();
    expect(await p.evaluate("window.cspViolations")).toEqual([]);
    expect(pageErrors).toEqual([]);
    await p.context().close();
  });

  it("cannot be framed by another page", async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    await p.setContent(`<iframe id="f" src="${s.url}/"></iframe>`);
    const frame = await (await p.waitForSelector("#f")).contentFrame();
    // Chromium replaces a refused frame with its error page: the console never loads inside.
    await expect.poll(async () => frame?.url(), { timeout: 10_000 }).toMatch(/^chrome-error:/);
    await ctx.close();
  });

  it("reconnects after a role change, and signs out when the session is ended elsewhere", async () => {
    const p = await open("cara", "cara-password");
    const asked = p.waitForResponse((r) => r.url().endsWith("/api/auth/me"));
    await s.api("PATCH", `/api/users/${agentId}`, { token: s.adminToken, body: { role: "supervisor" } });
    // The server dropped the socket; the console asks whether its session still works (it does)
    // and is live again.
    expect((await asked).status()).toBe(200);
    await p.getByTestId("live-status").filter({ hasText: "Live" }).waitFor();
    const token = (await p.evaluate("sessionStorage.getItem('crm.token')")) as string;
    expect((await s.api("POST", "/api/auth/logout", { token })).status).toBe(204);
    await p.getByTestId("login-username").waitFor();
    expect(await p.evaluate("window.cspViolations")).toEqual([]);
    await p.context().close();
  });
});
