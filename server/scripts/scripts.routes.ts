import type { Request, Router } from "express";
import { z } from "zod";
import type { Database } from "../platform/db/database.js";
import { parse, pathId } from "../platform/http/validate.js";
import { AppError, notFound } from "../platform/errors.js";
import { actorOf, currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { allowed } from "../auth/roles.js";
import type { PbxSet } from "../calls/pbx-set.js";
import { callId } from "../calls/call-control.routes.js";
import type { ScriptsService } from "./scripts.service.js";
import type { RunCall, ScriptRunsService } from "./script-runs.service.js";
import { funnelCsv } from "./script-funnel.js";
import { draftBody, funnelQuery, importBody, newScriptBody, ruleBody, runBody, versionQuery } from "./scripts.schemas.js";

export interface ScriptsDeps {
  db: Database;
  pbxes: PbxSet;
  scripts: ScriptsService;
  runs: ScriptRunsService;
  didLabels: Record<string, string>;
}

export function scriptsRoutes(d: ScriptsDeps): Router {
  const r = guardedRouter();

  r.get("/scripts", async (_req, res) => {
    res.json({ items: await d.scripts.list() });
  });

  r.post("/scripts", async (req, res) => {
    const body = parse(newScriptBody, req.body);
    res.status(201).json(await d.scripts.create(body.name, body.graph, actorOf(req)));
  });

  r.post("/scripts/import", async (req, res) => {
    const body = parse(importBody, req.body);
    res.status(201).json(await d.scripts.import(body.name, body.graph, actorOf(req)));
  });

  /** The script with its draft; `?version=N` adds that frozen version (what a pinned run needs). */
  r.get("/scripts/:id", async (req, res) => {
    const id = pathId(req.params);
    const { version } = parse(versionQuery, req.query);
    const s = await d.scripts.get(id);
    res.json(version !== undefined ? { ...s, version: await d.scripts.version(id, version) } : s);
  });

  r.put("/scripts/:id/draft", async (req, res) => {
    const body = parse(draftBody, req.body);
    res.json(await d.scripts.saveDraft(pathId(req.params), body.graph, body.name));
  });

  r.post("/scripts/:id/publish", async (req, res) => {
    res.json(await d.scripts.publish(pathId(req.params), actorOf(req)));
  });

  r.get("/scripts/:id/export", async (req, res) => {
    const id = pathId(req.params);
    const { version } = parse(versionQuery, req.query);
    const file = await d.scripts.export(id, version);
    res.setHeader("content-disposition", `attachment; filename="script-${id}${version ? `-v${version}` : ""}.json"`);
    res.json(file);
  });

  r.get("/scripts/:id/funnel", async (req, res) => {
    const id = pathId(req.params);
    const q = parse(funnelQuery, req.query);
    const f = await d.runs.funnel(id, q);
    if (q.format === "csv") {
      res.setHeader("content-type", "text/csv; charset=utf-8");
      res.setHeader("content-disposition", `attachment; filename="script-${id}-v${f.version}-funnel.csv"`);
      res.send(funnelCsv(f));
      return;
    }
    res.json(f);
  });

  r.get("/script-rules", (_req, res) => {
    res.json({ items: d.scripts.rules() });
  });

  r.post("/script-rules", async (req, res) => {
    res.status(201).json(await d.scripts.addRule(parse(ruleBody, req.body)));
  });

  r.delete("/script-rules/:id", async (req, res) => {
    await d.scripts.removeRule(pathId(req.params));
    res.status(204).end();
  });

  /** The call as a run needs it; agents only on a call they are (or were) on, supervisors+ any. */
  const runCall = async (req: Request): Promise<RunCall> => {
    const user = currentUser(req);
    const id = parse(z.object({ callId }), req.params).callId;
    const any = allowed(user.role, "wrapUpAnyCall");
    const live = d.pbxes.ofCall(id);
    if (live) {
      const c = live.call;
      const mine = user.extension !== null && [...c.legs.values()].some((l) => l.ext === user.extension);
      if (!mine && !any) throw new AppError("FORBIDDEN", "you are not on this call");
      const did = c.direction === "outbound" ? (c.customerNumber ?? c.calledNumber) : c.calledNumber;
      const agentExtension = mine ? user.extension : c.agent;
      return { linkedid: id, queue: c.queue, did, campaign: d.didLabels[did] ?? null, agentExtension, agentId: mine ? user.id : await userOf(agentExtension) };
    }
    const [row] = await d.db.query<{ queue: string | null; called_number: string; customer_number: string | null; direction: string; agent_extension: string | null; agent_id: number | null }>(
      `SELECT queue, called_number, customer_number, direction, agent_extension, agent_id FROM calls WHERE linkedid = $1`,
      [id],
    );
    if (!row) throw notFound(`call ${id}`);
    if ((user.extension === null || row.agent_extension !== user.extension) && !any) throw new AppError("FORBIDDEN", "this is not your call");
    const did = row.direction === "outbound" ? (row.customer_number ?? row.called_number) : row.called_number;
    return { linkedid: id, queue: row.queue, did, campaign: d.didLabels[did] ?? null, agentExtension: row.agent_extension, agentId: row.agent_id ?? (await userOf(row.agent_extension)) };
  };
  const userOf = async (ext: string | null): Promise<number | null> => {
    if (!ext) return null;
    const [u] = await d.db.query<{ id: number }>(`SELECT id FROM users WHERE extension = $1`, [ext]);
    return u?.id ?? null;
  };

  /** Saved as the agent goes: the whole path each time (a repeat changes nothing). */
  r.post("/calls/:callId/script-run", async (req, res) => {
    const body = parse(runBody, req.body);
    const path = body.path.map((e) => ({ ...e, at: e.at.toISOString() }));
    res.json(await d.runs.save(await runCall(req), { ...body, path }));
  });

  /** The call's saved runs: a reloaded console resumes where it was. */
  r.get("/calls/:callId/script-run", async (req, res) => {
    const call = await runCall(req);
    res.json({ items: await d.runs.ofCall(call.linkedid) });
  });

  return r;
}
