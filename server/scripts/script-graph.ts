/**
 * The call-script graph and everything about it that needs no server: the checks the designer
 * shows before publishing, placeholder filling, and the runner's moves. No imports: the console
 * (agent-ui/src/scripts/) uses this very file, so the designer's validation panel, the live
 * preview and the agent's runner agree with the server.
 */

export const stepTypes = ["say", "question", "input", "end", "jump"] as const;
export type StepType = (typeof stepTypes)[number];
export const inputFormats = ["text", "number", "email", "phone", "date"] as const;
export type InputFormat = (typeof inputFormats)[number];

export interface ScriptOption {
  label: string;
  next: string;
}

export interface ScriptStep {
  type: StepType;
  /** Short name for the designer and the funnel (the step id otherwise). */
  title?: string;
  /** What the agent says; {{placeholders}} are filled from the card. */
  text?: string;
  options?: ScriptOption[];
  next?: string;
  /** Input: where the value goes: client.<field>, custom.<key> or call.<key>. */
  field?: string;
  format?: InputFormat;
  outcome?: string;
  tip?: string;
  /** An image shown with the step: a path on this server or a data:image/…;base64 URL (the CSP allows no other). */
  image?: string;
  /** Jump: the script to continue with (its published version). */
  script?: number;
}

export interface ScriptGraph {
  start: string;
  steps: Record<string, ScriptStep>;
}

export interface PathEntry {
  step: string;
  answer?: string;
  value?: string;
  at: string;
}

export type ProblemCode =
  | "missing-start"
  | "dangling-link"
  | "unreachable"
  | "dead-end"
  | "loop-without-exit"
  | "unknown-placeholder"
  | "input-without-field"
  | "bad-field"
  | "no-options"
  | "jump-without-script";

export interface GraphProblem {
  step: string | null;
  code: ProblemCode;
  message: string;
}

/** Client fields an input step may write (the same names as PATCH /api/clients/:id). */
export const clientFields = ["name", "company", "email", "city", "region", "country", "postalCode", "addressLine", "leadSource", "notes", "stage"] as const;

export const placeholders: Record<string, string> = {
  "client.name": "the client's name",
  "client.firstName": "the client's first name",
  "client.company": "the client's company",
  "client.stage": "the client's stage",
  "client.owner": "the client's owner",
  "caller.number": "the caller's number",
  "dialed.number": "the number dialled",
  "dialed.campaign": "the campaign",
  "agent.name": "your name",
  queue: "the queue",
};

const placeholderPattern = /\{\{\s*([A-Za-z.]+)\s*(?:\|([^}]*))?\}\}/g;

/** Why a field target is not one an input can write, or null when it is. */
export function fieldProblem(field: string): string | null {
  const [kind, key, ...rest] = field.split(".");
  if (rest.length > 0 || !key) return "must be client.<field>, custom.<key> or call.<key>";
  if (kind === "client") return (clientFields as readonly string[]).includes(key) ? null : `client has no field "${key}" (one of: ${clientFields.join(", ")})`;
  if (kind === "custom" || kind === "call") return /^[a-z][A-Za-z0-9_]{0,39}$/.test(key) ? null : "the key is a letter then letters, digits or _ (40 at most)";
  return "must be client.<field>, custom.<key> or call.<key>";
}

const isTerminal = (s: ScriptStep | undefined) => s?.type === "end" || s?.type === "jump";

/** Where a step can lead. */
export function successors(step: ScriptStep): string[] {
  if (step.type === "question") return (step.options ?? []).map((o) => o.next);
  if (step.type === "say" || step.type === "input") return step.next ? [step.next] : [];
  return [];
}

/** Steps in reading order: breadth first from the start, then the ones nothing reaches. */
export function stepOrder(graph: ScriptGraph): string[] {
  const seen = new Set<string>();
  const queue = graph.steps[graph.start] ? [graph.start] : [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const n of successors(graph.steps[id]!)) if (graph.steps[n] && !seen.has(n)) queue.push(n);
  }
  return [...seen, ...Object.keys(graph.steps).filter((id) => !seen.has(id))];
}

/**
 * Everything that keeps a graph from being published, each naming its step: a start that is not a
 * step, links to no step, steps nothing reaches, steps that stop without an outcome, loops with no
 * way out to an end, placeholders nobody fills, inputs with no (or no valid) target field.
 */
export function checkGraph(graph: ScriptGraph): GraphProblem[] {
  const out: GraphProblem[] = [];
  const steps = graph.steps;
  if (!steps[graph.start]) out.push({ step: null, code: "missing-start", message: graph.start ? `start: there is no step "${graph.start}"` : "start: no start step" });
  for (const [id, s] of Object.entries(steps)) {
    const at = `step "${id}"`;
    if (s.type === "question" && (s.options ?? []).length === 0) out.push({ step: id, code: "no-options", message: `${at}: a question needs at least one answer` });
    if (s.type === "question")
      (s.options ?? []).forEach((o, i) => {
        if (!steps[o.next]) out.push({ step: id, code: "dangling-link", message: `${at}: answer ${i + 1} ("${o.label}") leads to "${o.next}", which is not a step` });
      });
    if ((s.type === "say" || s.type === "input") && s.next !== undefined && !steps[s.next])
      out.push({ step: id, code: "dangling-link", message: `${at}: next is "${s.next}", which is not a step` });
    if ((s.type === "say" || s.type === "input") && s.next === undefined)
      out.push({ step: id, code: "dead-end", message: `${at}: the conversation stops here without an outcome (add a next step, or make it an end step)` });
    if (s.type === "end" && !s.outcome?.trim()) out.push({ step: id, code: "dead-end", message: `${at}: an end step needs an outcome` });
    if (s.type === "jump" && !s.script) out.push({ step: id, code: "jump-without-script", message: `${at}: a jump needs the script to continue with` });
    if (s.type === "input") {
      if (!s.field) out.push({ step: id, code: "input-without-field", message: `${at}: an input needs a target field (client.<field>, custom.<key> or call.<key>)` });
      else {
        const p = fieldProblem(s.field);
        if (p) out.push({ step: id, code: "bad-field", message: `${at}: field "${s.field}" ${p}` });
      }
    }
    for (const [where, t] of [["text", s.text], ["tip", s.tip]] as const)
      for (const m of (t ?? "").matchAll(placeholderPattern))
        if (!Object.hasOwn(placeholders, m[1]!)) out.push({ step: id, code: "unknown-placeholder", message: `${at}: ${where} uses {{${m[1]}}}, which nothing fills (known: ${Object.keys(placeholders).join(", ")})` });
  }
  if (!steps[graph.start]) return out;
  const reachable = new Set(Object.keys(steps).filter((id) => reaches(graph, graph.start, id)));
  for (const id of Object.keys(steps)) if (!reachable.has(id)) out.push({ step: id, code: "unreachable", message: `step "${id}": no path from the start leads here` });
  // Steps from which no end (or jump) can be reached, sitting on a cycle: a loop without an exit.
  const exits = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, s] of Object.entries(steps))
      if (!exits.has(id) && (isTerminal(s) || successors(s).some((n) => exits.has(n)))) {
        exits.add(id);
        grew = true;
      }
  }
  const looped = [...reachable].filter((id) => !exits.has(id) && successors(steps[id]!).some((n) => steps[n] && reaches(graph, n, id)));
  if (looped.length > 0) {
    const first = looped[0]!;
    out.push({ step: first, code: "loop-without-exit", message: `step "${first}": loops (through ${looped.map((x) => `"${x}"`).join(", ")}) with no way out to an end step` });
  }
  return out;
}

function reaches(graph: ScriptGraph, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id) || !graph.steps[id]) continue;
    seen.add(id);
    stack.push(...successors(graph.steps[id]));
  }
  return false;
}

export interface FillContext {
  client?: { name?: string | null; company?: string | null; stage?: string | null; owner?: { displayName: string } | null } | null;
  caller?: { number?: string | null } | null;
  dialed?: { number?: string | null; label?: string | null } | null;
  agent?: { name?: string | null } | null;
  queue?: string | null;
}

function valueOf(name: string, c: FillContext): string | null {
  const v = (x: string | null | undefined) => (x && x.trim() ? x.trim() : null);
  switch (name) {
    case "client.name":
      return v(c.client?.name);
    case "client.firstName":
      return v(c.client?.name?.trim().split(/\s+/)[0]);
    case "client.company":
      return v(c.client?.company);
    case "client.stage":
      return v(c.client?.stage);
    case "client.owner":
      return v(c.client?.owner?.displayName);
    case "caller.number":
      return v(c.caller?.number);
    case "dialed.number":
      return v(c.dialed?.number);
    case "dialed.campaign":
      return v(c.dialed?.label);
    case "agent.name":
      return v(c.agent?.name);
    case "queue":
      return v(c.queue);
    default:
      return null;
  }
}

export interface FilledPart {
  text: string;
  /** A placeholder with nothing to fill it: shown as a hint for the agent to adapt. */
  missing?: boolean;
}

/**
 * The text with its placeholders filled. `{{client.name|there}}` falls back to "there"; without a
 * fallback a missing value reads "[the client's name]" and is marked, so the agent sees it.
 */
export function fillParts(text: string, c: FillContext): FilledPart[] {
  const parts: FilledPart[] = [];
  let last = 0;
  for (const m of text.matchAll(placeholderPattern)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    const value = valueOf(m[1]!, c);
    // "{{x|}}" means: nothing when unknown.
    const fallback = m[2]?.trim();
    if (value !== null) parts.push({ text: value });
    else if (fallback !== undefined) parts.push({ text: fallback });
    else parts.push({ text: `[${placeholders[m[1]!] ?? m[1]}]`, missing: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

export const fillText = (text: string, c: FillContext): string => fillParts(text, c).map((p) => p.text).join("");

/** Why a typed value does not fit an input's format (and target), or null when it does. */
export function valueProblem(step: ScriptStep, value: string): string | null {
  const v = value.trim();
  if (v === "") return "is empty";
  if (v.length > 2000) return "is longer than 2000 characters";
  const format = step.format ?? (step.field === "client.email" ? "email" : "text");
  if (format === "number" && !/^-?\d+([.,]\d+)?$/.test(v)) return "is not a number";
  if (format === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return "is not an email address";
  if (format === "phone" && !/^\+?[\d\s().-]{4,30}$/.test(v)) return "is not a phone number";
  if (format === "date" && (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(new Date(v).getTime()))) return "is not a date (YYYY-MM-DD)";
  if (step.field === "client.stage" && !["prospect", "active", "regular", "lost"].includes(v)) return "is not a stage (prospect, active, regular, lost)";
  return null;
}

// The runner: a run is its path; the last entry is the step on screen (no answer yet).

export const currentStep = (path: PathEntry[]): string | null => path[path.length - 1]?.step ?? null;

export const runStart = (graph: ScriptGraph, at: string): PathEntry[] => [{ step: graph.start, at }];

/** Picks answer `index` (0-based) of the question on screen. */
export function runChoose(graph: ScriptGraph, path: PathEntry[], index: number, at: string): PathEntry[] {
  const id = currentStep(path);
  const step = id ? graph.steps[id] : undefined;
  const option = step?.type === "question" ? step.options?.[index] : undefined;
  if (!option || !graph.steps[option.next]) return path;
  return [...path.slice(0, -1), { ...path[path.length - 1]!, answer: option.label }, { step: option.next, at }];
}

/** Goes on from a say or input step (an input takes its value). */
export function runNext(graph: ScriptGraph, path: PathEntry[], at: string, value?: string): PathEntry[] {
  const id = currentStep(path);
  const step = id ? graph.steps[id] : undefined;
  if (!step || (step.type !== "say" && step.type !== "input") || !step.next || !graph.steps[step.next]) return path;
  const here = { ...path[path.length - 1]! };
  if (step.type === "input") here.value = value ?? "";
  return [...path.slice(0, -1), here, { step: step.next, at }];
}

/** One step back: the previous step is on screen again, its answer undone. */
export function runBack(path: PathEntry[]): PathEntry[] {
  if (path.length <= 1) return path;
  const prev = { ...path[path.length - 2]! };
  delete prev.answer;
  return [...path.slice(0, -2), prev];
}

export function runFinished(graph: ScriptGraph, path: PathEntry[]): boolean {
  const id = currentStep(path);
  return isTerminal(id ? graph.steps[id] : undefined);
}

/** The outcome a finished run ended with ("jump" for a jump), else null. */
export function runOutcome(graph: ScriptGraph, path: PathEntry[]): string | null {
  const id = currentStep(path);
  const step = id ? graph.steps[id] : undefined;
  if (step?.type === "end") return step.outcome?.trim() || null;
  if (step?.type === "jump") return "jump";
  return null;
}
