import type { Router } from "express";
import { parse, pathId } from "../platform/http/validate.js";
import { AppError } from "../platform/errors.js";
import { actorOf, currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { allowed } from "../auth/roles.js";
import { isZone } from "./callback-hours.js";
import type { CallbacksService } from "./callbacks.service.js";
import type { CallbackDispatcher } from "./callback-dispatcher.js";
import { callbackQuery, newCallbackBody, patchCallbackBody, settingsBody, siteBody } from "./callbacks.schemas.js";
import { extensionOf } from "../agents/workspace.routes.js";

export interface CallbacksDeps {
  service: CallbacksService;
  /** The dispatcher of the PBX that has this agent's phone. */
  dispatcherOf: (extension: string) => CallbackDispatcher;
}

export function callbacksRoutes(d: CallbacksDeps): Router {
  const r = guardedRouter();

  /** Agents schedule callbacks for themselves or their queue; supervisors+ for anyone. */
  r.post("/callbacks", async (req, res) => {
    const user = currentUser(req);
    const body = parse(newCallbackBody, req.body);
    if (body.assigneeId && body.assigneeId !== user.id && !allowed(user.role, "allTasks")) throw new AppError("FORBIDDEN", "agents schedule callbacks for themselves or their queue");
    const { callback, merged } = await d.service.create({ ...body, source: "agent" }, actorOf(req));
    res.status(merged ? 200 : 201).json({ ...callback, merged });
  });

  r.get("/callbacks", async (req, res) => {
    res.json(await d.service.list(parse(callbackQuery, req.query), currentUser(req)));
  });

  r.get("/callbacks/summary", async (_req, res) => {
    res.json({ queues: await d.service.summary() });
  });

  r.get("/callbacks/settings/:queue", async (req, res) => {
    res.json(await d.service.settings(queueParam(req.params.queue)));
  });

  r.put("/callbacks/settings/:queue", async (req, res) => {
    const body = parse(settingsBody, req.body);
    if (!isZone(body.timezone)) throw new AppError("VALIDATION", "timezone: not a time zone (e.g. Europe/Paris)", "timezone");
    res.json(await d.service.setSettings({ queue: queueParam(req.params.queue), ...body }, actorOf(req)));
  });

  r.get("/callbacks/sites", async (_req, res) => {
    res.json({ items: await d.service.sites() });
  });

  r.post("/callbacks/sites", async (req, res) => {
    res.status(201).json(await d.service.addSite(parse(siteBody, req.body)));
  });

  r.post("/callbacks/sites/:id/disable", async (req, res) => {
    await d.service.setSiteActive(pathId(req.params), false);
    res.status(204).end();
  });

  r.get("/callbacks/:id", async (req, res) => {
    res.json(await d.service.get(pathId(req.params)));
  });

  /** Reschedule, reassign, cancel, or say the number was wrong. Agents: their own callbacks only. */
  r.patch("/callbacks/:id", async (req, res) => {
    const user = currentUser(req);
    const id = pathId(req.params);
    const body = parse(patchCallbackBody, req.body);
    if (!allowed(user.role, "allTasks")) {
      const cb = await d.service.get(id);
      if (cb.assigneeId !== user.id && (user.extension === null || cb.offeredTo !== user.extension)) throw new AppError("FORBIDDEN", "agents change only their own callbacks");
      if (body.assigneeId !== undefined && body.assigneeId !== user.id && body.assigneeId !== null) throw new AppError("FORBIDDEN", "agents cannot hand callbacks to someone else");
    }
    res.json(await d.service.patch(id, body, actorOf(req)));
  });

  /** The offered agent takes it now (without this it dials by itself after CALLBACK_AUTODIAL_SECONDS). */
  r.post("/callbacks/:id/accept", async (req, res) => {
    const ext = extensionOf(currentUser(req));
    const id = pathId(req.params);
    res.status(202).json(await d.dispatcherOf(ext).dial(id, ext, "accepted"));
  });

  return r;
}

function queueParam(q: unknown): string {
  if (typeof q !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(q)) throw new AppError("VALIDATION", "queue: a queue name", "queue");
  return q;
}
