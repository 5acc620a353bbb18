import type { Router } from "express";
import { parse, pathId } from "../platform/http/validate.js";
import { actorOf } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { newApiTokenBody } from "./integration.schemas.js";
import type { ApiTokens } from "./api-tokens.service.js";

/** Admins make, list and revoke the tokens other systems call the API with. */
export function apiTokenRoutes(tokens: ApiTokens): Router {
  const r = guardedRouter();
  r.get("/api-tokens", async (_req, res) => {
    res.json({ items: await tokens.list() });
  });
  r.post("/api-tokens", async (req, res) => {
    const body = parse(newApiTokenBody, req.body);
    res.status(201).json(await tokens.create(body.name, body.scopes, actorOf(req)));
  });
  r.delete("/api-tokens/:id", async (req, res) => {
    await tokens.revoke(pathId(req.params), actorOf(req));
    res.status(204).end();
  });
  return r;
}
