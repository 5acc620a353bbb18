import { defuseCell } from "../crm/csv-cells.js";
import { stepOrder, type PathEntry, type ScriptGraph } from "./script-graph.js";
import type { Breakdown, Funnel, FunnelStep } from "./scripts.schemas.js";

export interface RunFacts {
  path: PathEntry[];
  outcome: string | null;
  completed: boolean;
  queue: string | null;
  campaign: string | null;
  agent: string | null;
}

/** Outcomes counted as a conversion (sale, appointment): docs/scripts.md. */
export const convertingOutcomes = ["sale", "appointment"];

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const v = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return Math.round(v * 10) / 10;
}

/**
 * Where customers are lost, per step of one version: how many runs reached it (once per run), how
 * many stopped there without finishing, which answers were picked, and the median time spent on it
 * (from reaching it to the next step; a step visited twice in a run counts both stays).
 */
export function computeFunnel(graph: ScriptGraph, runs: RunFacts[]): Funnel {
  const order = stepOrder(graph);
  const steps = new Map<string, FunnelStep>(
    order.map((id) => [id, { step: id, type: graph.steps[id]!.type, title: graph.steps[id]!.title ?? null, reached: 0, left: 0, byAnswer: {}, medianSeconds: null }]),
  );
  const durations = new Map<string, number[]>();
  const outcomes: Record<string, number> = {};
  let completed = 0;
  for (const run of runs) {
    if (run.completed) completed++;
    if (run.completed && run.outcome) outcomes[run.outcome] = (outcomes[run.outcome] ?? 0) + 1;
    const spent = new Map<string, number>();
    const answers = new Map<string, Set<string>>();
    run.path.forEach((e, i) => {
      const next = run.path[i + 1];
      if (next) spent.set(e.step, (spent.get(e.step) ?? 0) + (Date.parse(next.at) - Date.parse(e.at)) / 1000);
      if (e.answer !== undefined) answers.set(e.step, (answers.get(e.step) ?? new Set()).add(e.answer));
    });
    for (const id of new Set(run.path.map((e) => e.step))) {
      const s = steps.get(id);
      if (!s) continue;
      s.reached++;
      for (const a of answers.get(id) ?? []) s.byAnswer[a] = (s.byAnswer[a] ?? 0) + 1;
    }
    for (const [id, secs] of spent) durations.set(id, [...(durations.get(id) ?? []), Math.max(0, secs)]);
    const last = run.path[run.path.length - 1];
    if (!run.completed && last) {
      const s = steps.get(last.step);
      if (s) s.left++;
    }
  }
  for (const s of steps.values()) s.medianSeconds = median(durations.get(s.step) ?? []);
  const by = (key: (r: RunFacts) => string | null): Breakdown[] => {
    const m = new Map<string, Breakdown>();
    for (const r of runs) {
      const k = key(r) ?? "(none)";
      const b = m.get(k) ?? { key: k, runs: 0, completed: 0, converted: 0 };
      b.runs++;
      if (r.completed) b.completed++;
      if (r.completed && r.outcome && convertingOutcomes.includes(r.outcome.toLowerCase())) b.converted++;
      m.set(k, b);
    }
    return [...m.values()].sort((a, b) => b.runs - a.runs || a.key.localeCompare(b.key));
  };
  return { runs: runs.length, completed, outcomes, steps: [...steps.values()], byQueue: by((r) => r.queue), byCampaign: by((r) => r.campaign), byAgent: by((r) => r.agent) };
}

const csvCell = (v: string | number | null): string => {
  const s = v === null ? "" : defuseCell(String(v));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The funnel as CSV: one line per step (what a spreadsheet needs to chart it). */
export function funnelCsv(f: Funnel): string {
  const lines = [["step", "type", "title", "reached", "left", "left_share", "median_seconds", "answers"].join(",")];
  for (const s of f.steps)
    lines.push(
      [s.step, s.type, s.title, s.reached, s.left, s.reached ? (s.left / s.reached).toFixed(3) : "", s.medianSeconds, Object.entries(s.byAnswer).map(([a, n]) => `${a}: ${n}`).join("; ")]
        .map(csvCell)
        .join(","),
    );
  return lines.join("\r\n") + "\r\n";
}
