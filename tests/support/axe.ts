// axe-core's WCAG 2 A and AA rules, run in a page through playwright. The console's CSP allows no
// injected script, so the page's context must bypass the CSP (bypassCSP) for axe alone.
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { settle } from "./browser.js";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export interface Violation {
  id: string;
  impact: string | null;
  nodes: number;
  targets: string[];
  summary: string;
}

/** The violations on the page once it is still (a dimmed, refreshing list would measure as faded text). */
export async function axeViolations(p: Page): Promise<Violation[]> {
  await settle(p);
  if (!(await p.evaluate("typeof window.axe !== 'undefined'"))) await p.addScriptTag({ path: axePath });
  return (await p.evaluate(`(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] }, resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
      targets: v.nodes.slice(0, 40).map((n) => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(1).join(" ").slice(0, 160)), summary: "" }));
  })()`)) as Violation[];
}
