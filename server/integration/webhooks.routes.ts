import type { Router } from "express";
import { parse, pathId } from "../platform/http/validate.js";
import { actorOf } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { newWebhookBody, type Webhooks } from "./webhooks.js";

/** Admins manage outgoing webhooks and read their delivery log. */
export function webhookRoutes(hooks: Webhooks): Router {
  const r = guardedRouter();
  r.get("/webhooks", async (_req, res) => {
    res.json({ items: await hooks.list() });
  });
  r.post("/webhooks", async (req, res) => {
    res.status(201).json(await hooks.create(parse(newWebhookBody, req.body), actorOf(req)));
  });
  r.delete("/webhooks/:id", async (req, res) => {
    await hooks.remove(pathId(req.params), actorOf(req));
    res.status(204).end();
  });
  r.get("/webhooks/:id/deliveries", async (req, res) => {
    res.json({ items: await hooks.deliveries(pathId(req.params)) });
  });
  return r;
}
