// What every browser test shares: where the built console and the screenshots are, and how
// Debian's Chromium is started through playwright-core.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

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
 * Waits until the page is still: nothing is marked aria-busy (a list being refreshed is dimmed) and
 * no finite animation or transition runs (a card's entrance, the dock's scroll). An endless one,
 * like the ringing pulse, is part of the look and is not waited for.
 */
export async function settle(p: Page): Promise<void> {
  // A function, not a string: the console's CSP refuses eval. Test code has no DOM types.
  interface StillDocument {
    querySelector(selector: string): unknown;
    getAnimations(): { playState: string; effect: { getTiming(): { iterations?: number } } | null }[];
  }
  await p.waitForFunction(
    () => {
      const doc = (globalThis as unknown as { document: StillDocument }).document;
      return !doc.querySelector('[aria-busy="true"]') && doc.getAnimations().every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity);
    },
    undefined,
    { timeout: 30_000 },
  );
}

/** A 4xx answer the console handles (a wrong password, a dialing rule) is logged as a failed resource. */
const handled4xx = /the server responded with a status of 4\d\d/;

/**
 * For a test that shows the recording player: its wavesurfer.js adds a <style> element the CSP
 * refuses by design (recordings/wavesurfer-styles.ts gives it the same rules); inline style
 * attributes are still caught.
 */
export const wavesurferStyleRefused = /style-src-elem|^Applying inline style(?!.*style attributes)/;

export interface SessionOptions {
  /** Options of every page's browser context (a time zone, reduced motion, CSP bypass for axe-core). */
  context?: BrowserContextOptions;
  /** Console errors this test causes on purpose (a reconnect while the test cut the network). */
  ignore?: RegExp;
}

/**
 * The pages of one browser test: each in its own context (its own login), with page errors and
 * console errors collected (with where a CSP violation came from), signing in through the login
 * form, and screenshots into shotsDir once the page is still.
 */
export class BrowserSession {
  readonly errors: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseUrl: () => string,
    private readonly opts: SessionOptions = {},
  ) {}

  async page(permissions: string[] = []): Promise<Page> {
    const ctx = await this.browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: "en-US", permissions, ...this.opts.context });
    this.contexts.push(ctx);
    const p = await ctx.newPage();
    p.setDefaultTimeout(15_000);
    // A style or script the Content-Security-Policy blocks is reported with where it came from.
    await p.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP ' + e.violatedDirective + ' blocked at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber))",
    );
    p.on("pageerror", (err) => this.errors.push(`${err.message}\n${err.stack ?? ""}`));
    p.on("console", (msg) => {
      const text = msg.text();
      if (msg.type() !== "error" || handled4xx.test(text) || this.opts.ignore?.test(text)) return;
      this.errors.push(text);
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

  /** A screenshot once the page is still (see settle). */
  async shot(name: string, p: Page): Promise<void> {
    await settle(p);
    await p.screenshot({ path: path.join(shotsDir, `${name}.png`) });
  }

  async close(): Promise<void> {
    for (const c of this.contexts) await c.close().catch(() => {});
  }
}
