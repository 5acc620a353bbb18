// What every browser test shares: where the built console and the screenshots are, and how
// Debian's Chromium is started through playwright-core.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

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
