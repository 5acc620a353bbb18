// What every browser test shares: where the built console and the screenshots are, and how
// Debian's Chromium is started through playwright-core.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const repoRoot = path.resolve(import.meta.dirname, "../..");
export const uiDir = path.join(repoRoot, "agent-ui", "dist");
export const shotsDir = path.join(repoRoot, "tests", "browser", "screenshots");
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** SKIP_BROWSER_TESTS=1 skips the browser tests on machines without Chromium. */
export const skipBrowserTests = process.env.SKIP_BROWSER_TESTS === "1";

/** Fails clearly when the console is not built or Chromium is missing; makes the screenshot folder. */
export function checkBrowserPrerequisites(): void {
  if (!fs.existsSync(path.join(uiDir, "index.html")))
    throw new Error(`the console is not built (${uiDir}): npx vite build --config agent-ui/vite.config.ts`);
  if (!fs.existsSync(chromiumPath))
    throw new Error(`${chromiumPath} is missing: apt-get install chromium (or set CHROMIUM_PATH, or SKIP_BROWSER_TESTS=1)`);
  fs.mkdirSync(shotsDir, { recursive: true });
}

/** Headless Chromium on a fresh temporary profile, without the network calls this machine refuses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
}

/**
 * The pages of one browser test: each in its own context (its own login), with page errors and
 * console errors collected (4xx answers the console handles are not errors), signing in through
 * the login form, and screenshots into shotsDir.
 */
export class BrowserSession {
  readonly errors: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseUrl: () => string,
  ) {}

  async page(permissions: string[] = []): Promise<Page> {
    const ctx = await this.browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: "en-US", permissions });
    this.contexts.push(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(10_000);
    p.on("pageerror", (err) => this.errors.push(`${err.message}\n${err.stack ?? ""}`));
    p.on("console", (msg) => {
      if (msg.type() === "error" && !/the server responded with a status of 4\d\d/.test(msg.text())) this.errors.push(msg.text());
    });
    return p;
  }

  /** Signs in through the login form at `at` (the console's address the user typed). */
  async signIn(p: Page, u: { username: string; password: string }, at = "/#/clients"): Promise<void> {
    await p.goto(`${this.baseUrl()}${at}`);
    await p.getByTestId("login-username").fill(u.username);
    await p.getByTestId("login-password").fill(u.password);
    await p.getByTestId("login-submit").click();
    await p.getByTestId("nav-clients").waitFor();
  }

  /** A screenshot once entrance animations are over. */
  async shot(name: string, p: Page): Promise<void> {
    await p.waitForTimeout(450);
    await p.screenshot({ path: path.join(shotsDir, `${name}.png`) });
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => {});
  }
}
