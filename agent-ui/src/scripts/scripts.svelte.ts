// The call-script runner's state per call, kept outside the card so a re-render keeps it, saved to
// the server after every move (the whole path: saving twice changes nothing) and read back after
// a reload. The graph logic is the server's own file, so both sides agree on every move.
import { ApiError, api, errorMessage } from "../lib/api";
import { currentStep, runBack, runChoose, runNext, runStart, type FillContext, type PathEntry, type ScriptGraph } from "../../../server/scripts/script-graph";

export type { GraphProblem, PathEntry, ScriptGraph, ScriptStep } from "../../../server/scripts/script-graph";

export interface CardScript {
  scriptId: number;
  version: number;
  name: string;
  graph: ScriptGraph;
}

export interface SavedRun {
  scriptId: number;
  version: number;
  path: PathEntry[];
  problems?: Record<string, string>;
}

export interface RunState {
  callId: string;
  script: CardScript;
  path: PathEntry[];
  /** Problems of captured values by step, as the server judged them. */
  problems: Record<string, string>;
  /** Nothing saved yet (the run begins when the call is answered or the agent first moves). */
  started: boolean;
  loading: boolean;
  error: string | null;
}

const runs = $state<Record<string, RunState>>({});

export function runOf(callId: string): RunState | undefined {
  return runs[callId];
}

/** The call's run: the saved one (pinned to its version) after a reload, else a fresh one on the card's script. */
export async function openRun(callId: string, card: CardScript): Promise<RunState> {
  const known = runs[callId];
  if (known) return known;
  runs[callId] = { callId, script: card, path: runStart(card.graph, new Date().toISOString()), problems: {}, started: false, loading: true, error: null };
  const run = runs[callId]!;
  try {
    const items = await savedRuns(callId);
    const saved = items.find((i) => i.scriptId === card.scriptId) ?? items[items.length - 1];
    if (saved) {
      let script = card;
      if (saved.scriptId !== card.scriptId || saved.version !== card.version) {
        const s = await api.get<{ version: CardScript & { graph: ScriptGraph } }>(`/api/scripts/${saved.scriptId}`, { version: String(saved.version) });
        script = { scriptId: saved.scriptId, version: saved.version, name: s.version.name, graph: s.version.graph };
      }
      run.script = script;
      run.path = saved.path;
      run.started = true;
    }
  } catch (err) {
    // Not knowing what was saved, saving now could overwrite it: nothing is saved until the agent moves.
    run.started = true;
    run.error = `The saved run could not be read (${errorMessage(err)}).`;
  }
  run.loading = false;
  return run;
}

/** The call's saved runs, asked again a few times (a reload lands while the server is busy). */
async function savedRuns(callId: string): Promise<SavedRun[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await api.get<{ items: SavedRun[] }>(`/api/calls/${encodeURIComponent(callId)}/script-run`)).items;
    } catch (err) {
      if (attempt >= 4 || (err instanceof ApiError && err.status >= 400 && err.status < 500)) throw err;
      await new Promise((r) => setTimeout(r, 400 * attempt));
    }
  }
}

async function save(run: RunState): Promise<void> {
  run.started = true;
  const body = { scriptId: run.script.scriptId, version: run.script.version, path: run.path };
  try {
    const r = await api.post<SavedRun>(`/api/calls/${encodeURIComponent(run.callId)}/script-run`, body);
    run.problems = r.problems ?? {};
    run.error = null;
  } catch (err) {
    run.error = errorMessage(err);
  }
}

const now = () => new Date().toISOString();

export function begin(run: RunState): void {
  if (!run.started && !run.loading) void save(run);
}

export function choose(run: RunState, index: number): void {
  const next = runChoose(run.script.graph, run.path, index, now());
  if (next === run.path) return;
  run.path = next;
  void save(run);
}

export function goOn(run: RunState, value?: string): void {
  const next = runNext(run.script.graph, run.path, now(), value);
  if (next === run.path) return;
  run.path = next;
  void save(run);
}

export function back(run: RunState): void {
  if (run.path.length <= 1) return;
  run.path = runBack(run.path);
  void save(run);
}

export function restart(run: RunState): void {
  run.path = runStart(run.script.graph, now());
  void save(run);
}

/** A jump: the next script's published version takes over the runner (the first run stays saved). */
export async function jump(run: RunState, scriptId: number): Promise<void> {
  try {
    const s = await api.get<{ publishedVersion: number | null; name: string }>(`/api/scripts/${scriptId}`);
    if (!s.publishedVersion) throw new Error("that script is not published");
    const v = await api.get<{ version: CardScript }>(`/api/scripts/${scriptId}`, { version: String(s.publishedVersion) });
    run.script = { scriptId, version: v.version.version, name: v.version.name, graph: v.version.graph };
    run.path = runStart(run.script.graph, now());
    run.problems = {};
    await save(run);
  } catch (err) {
    run.error = errorMessage(err);
  }
}

export const stepNow = (run: RunState) => currentStep(run.path);

export function forgetRun(callId: string): void {
  delete runs[callId];
}

/** What the placeholders are filled from, out of the card and the signed-in agent. */
export function fillContext(
  client: { name: string; company?: string | null; stage?: string | null; owner?: { displayName: string } | string | null } | null,
  caller: string | null,
  dialed: { number: string | null; label: string | null } | null,
  agentName: string | null | undefined,
  queue: string | null,
): FillContext {
  const owner = client?.owner;
  return {
    client: client ? { name: client.name, company: client.company ?? null, stage: client.stage ?? null, owner: typeof owner === "string" ? { displayName: owner } : (owner ?? null) } : null,
    caller: { number: caller },
    dialed,
    agent: { name: agentName ?? null },
    queue,
  };
}
