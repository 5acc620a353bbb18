import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { AppError, validationError } from "../platform/errors.js";
import { parse } from "../platform/http/validate.js";
import type { Actor } from "../auth/users.service.js";
import type { ClientsService } from "../crm/clients.service.js";
import { clientChangesBody } from "../crm/clients.schemas.js";
import type { TasksService } from "../crm/tasks.service.js";
import type { TimelineService } from "../crm/timeline.service.js";
import type { CallbacksService } from "../callbacks/callbacks.service.js";
import { runFinished, runOutcome, successors, valueProblem, type PathEntry, type ScriptGraph } from "./script-graph.js";
import { computeFunnel } from "./script-funnel.js";
import type { ScriptFunnel } from "./scripts.schemas.js";
import type { ScriptsService } from "./scripts.service.js";

/** The call a run belongs to, as the route found it (live in a tracker, or in the journal). */
export interface RunCall {
  linkedid: string;
  queue: string | null;
  did: string | null;
  campaign: string | null;
  agentExtension: string | null;
  agentId: number | null;
}

interface RunRow {
  id: number;
  linkedid: string;
  script_id: number;
  version: number;
  path: PathEntry[];
  outcome: string | null;
  completed: boolean;
  client_id: number | null;
  applied_at: Date | null;
  captured: unknown;
  started_at: Date;
  updated_at: Date;
  [k: string]: unknown;
}

const toRun = (r: RunRow) => ({
  id: r.id,
  callId: r.linkedid,
  scriptId: r.script_id,
  version: r.version,
  path: r.path,
  outcome: r.outcome,
  completed: r.completed,
  captured: r.captured,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
  appliedAt: r.applied_at,
});

export interface RunDeps {
  db: Database;
  scripts: ScriptsService;
  clients: ClientsService;
  tasks: TasksService;
  timeline: TimelineService;
  callbacks: CallbacksService;
  log: Logger;
}

const norm = (o: string | null) => (o ?? "").toLowerCase().replace(/[-_]+/g, " ").trim();

/** Problems of the values typed into input steps, by step id (shown at the step by the runner). */
export function captureProblems(graph: ScriptGraph, path: PathEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of path) {
    const step = graph.steps[e.step];
    if (step?.type !== "input" || e.value === undefined || !step.field) continue;
    const p = valueProblem(step, e.value);
    if (p) {
      out[e.step] = `${step.title ?? e.step}: the value ${p}`;
      continue;
    }
    const [kind, key] = step.field.split(".") as [string, string];
    if (kind === "client") {
      try {
        parse(clientChangesBody, key === "email" ? { emails: [e.value] } : { [key]: e.value });
      } catch (err) {
        out[e.step] = `${step.title ?? e.step}: ${(err as Error).message}`;
      }
    }
  }
  return out;
}

/**
 * Runs of scripts on calls: saved as the agent goes (the whole path each time, so a repeat changes
 * nothing and a reload resumes), pinned to the version they began on, written out at wrap-up
 * (captured values, the outcome's action, a note on the client's timeline), and counted in funnels.
 */
export class ScriptRunsService {
  constructor(private readonly d: RunDeps) {}

  async save(call: RunCall, body: { scriptId: number; version: number; path: PathEntry[] }) {
    const v = await this.d.scripts.version(body.scriptId, body.version).catch(() => {
      throw validationError("version", `script ${body.scriptId} has no published version ${body.version}`);
    });
    const graph = v.graph;
    body.path.forEach((e, i) => {
      const step = graph.steps[e.step];
      if (!step) throw validationError(`path.${i}.step`, `version ${v.version} has no step "${e.step}"`);
      if (i === 0 && e.step !== graph.start) throw validationError("path.0.step", `a run begins at the start step "${graph.start}"`);
      if (e.answer !== undefined && !(step.type === "question" && step.options?.some((o) => o.label === e.answer)))
        throw validationError(`path.${i}.answer`, `step "${e.step}" has no answer "${e.answer}"`);
      const next = body.path[i + 1];
      if (next) {
        const allowed = step.type === "question" ? step.options?.filter((o) => o.label === e.answer).map((o) => o.next) ?? [] : successors(step);
        if (!allowed.includes(next.step)) throw validationError(`path.${i + 1}.step`, `step "${e.step}" does not lead to "${next.step}"`);
      }
    });
    const [existing] = await this.d.db.query<{ version: number; applied_at: Date | null }>(`SELECT version, applied_at FROM script_runs WHERE linkedid = $1 AND script_id = $2`, [call.linkedid, body.scriptId]);
    if (existing && existing.version !== body.version)
      throw new AppError("CONFLICT", `this call's run of script ${body.scriptId} is on version ${existing.version}; it stays on it`, "version");
    if (existing?.applied_at) throw new AppError("CONFLICT", "this call is wrapped up: its script run is closed");
    const finished = runFinished(graph, body.path);
    const [row] = await this.d.db.query<RunRow>(
      `INSERT INTO script_runs (linkedid, script_id, version, path, outcome, completed, queue, did, campaign, agent_extension, agent_id, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (linkedid, script_id) DO UPDATE SET path = EXCLUDED.path, outcome = EXCLUDED.outcome, completed = EXCLUDED.completed, updated_at = now()
       RETURNING *`,
      [call.linkedid, body.scriptId, body.version, JSON.stringify(body.path), finished ? runOutcome(graph, body.path) : null, finished, call.queue, call.did, call.campaign, call.agentExtension, call.agentId, new Date(body.path[0]!.at)],
    );
    return { ...toRun(row!), problems: captureProblems(graph, body.path) };
  }

  async ofCall(linkedid: string) {
    const rows = await this.d.db.query<RunRow>(`SELECT * FROM script_runs WHERE linkedid = $1 ORDER BY id`, [linkedid]);
    return rows.map(toRun);
  }

  /** Before a wrap-up is saved: a value that cannot be written refuses it, naming the step. */
  async checkWrapup(linkedid: string): Promise<void> {
    for (const run of await this.pending(linkedid)) {
      const graph = (await this.d.scripts.version(run.script_id, run.version)).graph;
      const [step, message] = Object.entries(captureProblems(graph, run.path))[0] ?? [];
      if (step && message) throw validationError(`script.${step}`, message);
    }
  }

  private pending(linkedid: string): Promise<RunRow[]> {
    return this.d.db.query<RunRow>(`SELECT * FROM script_runs WHERE linkedid = $1 AND applied_at IS NULL ORDER BY id`, [linkedid]);
  }

  /** After the wrap-up is saved: values to the client and the call, the outcome's action, the timeline. */
  async applyWrapup(w: { linkedid: string; clientId: number | null; number: string | null; queue: string | null; actor: Actor }): Promise<void> {
    for (const run of await this.pending(w.linkedid)) {
      const v = await this.d.scripts.version(run.script_id, run.version);
      const callValues: Record<string, string> = {};
      const changes: Record<string, unknown> = {};
      const custom: [string, string][] = [];
      const actions: string[] = [];
      for (const e of run.path) {
        const step = v.graph.steps[e.step];
        if (step?.type !== "input" || !step.field || e.value === undefined) continue;
        const [kind, key] = step.field.split(".") as [string, string];
        const value = e.value.trim();
        if (kind === "call") callValues[key] = value;
        else if (kind === "custom") custom.push([key, value]);
        else if (key === "email") changes.emails = [value];
        else changes[key] = value;
      }
      if (w.clientId) {
        if (changes.emails) {
          const c = await this.d.clients.get(w.clientId);
          changes.emails = [...new Set([...(c.emails ?? []), ...(changes.emails as string[]).map((x) => x.toLowerCase())])];
        }
        if (Object.keys(changes).length > 0) {
          await this.d.clients.update(w.clientId, parse(clientChangesBody, changes), w.actor);
          actions.push(`client: ${Object.keys(changes).join(", ")}`);
        }
        for (const [key, value] of custom)
          await this.d.db.query(
            `INSERT INTO client_custom_fields (client_id, key, value) VALUES ($1, $2, $3) ON CONFLICT (client_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [w.clientId, key, value],
          );
        if (custom.length > 0) actions.push(`custom: ${custom.map(([k]) => k).join(", ")}`);
      }
      const outcome = norm(run.outcome);
      if (run.completed && outcome === "complaint") actions.push(await this.complaintTask(w, v.name, run));
      if (run.completed && (outcome === "callback needed" || outcome === "callback")) actions.push(await this.callbackFor(w, callValues));
      await this.d.db.query(`UPDATE script_runs SET applied_at = now(), client_id = $2, captured = $3 WHERE id = $1`, [
        run.id,
        w.clientId,
        JSON.stringify({ values: callValues, custom: Object.fromEntries(custom), client: changes, actions }),
      ]);
      if (w.clientId) await this.d.timeline.addNote(w.clientId, this.summary(v.name, v.version, v.graph, run), w.actor.id);
    }
  }

  private summary(name: string, version: number, graph: ScriptGraph, run: RunRow): string {
    const start = Date.parse(run.path[0]!.at);
    const end = Date.parse(run.path[run.path.length - 1]!.at);
    const secs = Math.max(0, Math.round((end - start) / 1000));
    const lines = run.path.map((e, i) => {
      const s = graph.steps[e.step];
      const what = s?.title ?? e.step;
      const extra = e.answer !== undefined ? ` → ${e.answer}` : e.value !== undefined ? ` = ${e.value}` : "";
      return `${i + 1}. ${what}${extra}`;
    });
    const head = `Call script «${name}» v${version} · ${run.completed ? `outcome: ${run.outcome}` : "not finished"} · ${Math.floor(secs / 60)}m ${secs % 60}s`;
    return [head, ...lines].join("\n");
  }

  /** "complaint": a task for the supervisor of the call's queue (else a manager), about the client. */
  private async complaintTask(w: { clientId: number | null; queue: string | null; actor: Actor }, scriptName: string, run: RunRow): Promise<string> {
    const [sup] = await this.d.db.query<{ id: number }>(
      `SELECT u.id FROM users u JOIN user_queues q ON q.user_id = u.id WHERE q.queue = $1 AND u.role = 'supervisor' AND u.active ORDER BY u.id LIMIT 1`,
      [w.queue ?? ""],
    );
    const [mgr] = sup ? [sup] : await this.d.db.query<{ id: number }>(`SELECT id FROM users WHERE role = 'manager' AND active ORDER BY id LIMIT 1`);
    const task = await this.d.tasks.create(
      { title: "Complaint to follow up", body: `Raised on call ${run.linkedid} (script «${scriptName}»).`, clientId: w.clientId, assigneeId: mgr?.id ?? null, dueAt: new Date(Date.now() + 24 * 3600_000) },
      { id: w.actor.id },
    );
    return `task ${task.id}`;
  }

  /** "callback needed": a callback to the customer's number, when call.callbackAt says or in an hour. */
  private async callbackFor(w: { clientId: number | null; number: string | null; queue: string | null; actor: Actor }, values: Record<string, string>): Promise<string> {
    if (!w.number) return "callback: no customer number";
    const wanted = values.callbackAt ? new Date(values.callbackAt) : null;
    const dueAt = wanted && !Number.isNaN(wanted.getTime()) ? wanted : new Date(Date.now() + 3600_000);
    try {
      const { callback } = await this.d.callbacks.create(
        { number: w.number, queue: w.queue ?? undefined, dueAt, clientId: w.clientId, assigneeId: w.actor.id, note: "Promised in the call script", source: "agent" },
        w.actor,
      );
      return `callback ${callback.id}`;
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, "script outcome could not schedule a callback");
      return `callback refused: ${(err as Error).message}`;
    }
  }

  async funnel(scriptId: number, q: { version?: number | undefined; from?: Date | undefined; to?: Date | undefined; queue?: string | undefined; agent?: string | undefined }): Promise<ScriptFunnel> {
    const v = await this.d.scripts.version(scriptId, q.version);
    const rows = await this.d.db.query<{ path: PathEntry[]; outcome: string | null; completed: boolean; queue: string | null; campaign: string | null; did: string | null; agent_extension: string | null }>(
      `SELECT path, outcome, completed, queue, campaign, did, agent_extension FROM script_runs
        WHERE script_id = $1 AND version = $2 AND ($3::timestamptz IS NULL OR started_at >= $3) AND ($4::timestamptz IS NULL OR started_at < $4)
          AND ($5::text IS NULL OR queue = $5) AND ($6::text IS NULL OR agent_extension = $6)`,
      [scriptId, v.version, q.from ?? null, q.to ?? null, q.queue ?? null, q.agent ?? null],
    );
    const f = computeFunnel(
      v.graph,
      rows.map((r) => ({ path: r.path, outcome: r.outcome, completed: r.completed, queue: r.queue, campaign: r.campaign ?? r.did, agent: r.agent_extension })),
    );
    return { scriptId, version: v.version, name: v.name, ...f };
  }
}
