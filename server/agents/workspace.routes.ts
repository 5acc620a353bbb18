import type { Router } from "express";
import { z } from "zod";
import { parse } from "../platform/http/validate.js";
import { AppError } from "../platform/errors.js";
import { currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import type { PublicUser } from "../auth/users.service.js";
import type { ScreenPop } from "../screenpop/screenpop.service.js";
import type { AgentStatusHub } from "./agent-status-hub.js";

export interface WorkspaceDeps {
  status: AgentStatusHub;
  screenPop: ScreenPop;
  pauseCodes: string[];
  dispositions: string[];
  wrapupSeconds: number;
  demoPhone: boolean;
}

export function extensionOf(user: PublicUser): string {
  if (!user.extension) throw new AppError("NO_EXTENSION", "your user has no phone extension; an administrator can set one");
  return user.extension;
}

export const statusBody = z
  .object({ state: z.enum(["available", "paused", "logged-out"]), reason: z.string().max(30).optional() })
  .strict();

export function workspaceRoutes(d: WorkspaceDeps): Router {
  const r = guardedRouter();
  /** Everything a console needs after a (re)connect: status, current calls, the lists it offers. */
  r.get("/me/workspace", async (req, res) => {
    const user = currentUser(req);
    const ext = user.extension;
    res.json({
      user,
      status: ext ? d.status.status(ext) : null,
      pbx: ext ? d.status.pbx(ext) : null,
      calls: ext ? await d.screenPop.currentFor(ext) : [],
      pauseCodes: d.pauseCodes,
      dispositions: d.dispositions,
      wrapupSeconds: d.wrapupSeconds,
      demoPhone: d.demoPhone && !!ext,
    });
  });
  r.post("/me/status", async (req, res) => {
    const ext = extensionOf(currentUser(req));
    const body = parse(statusBody, req.body);
    res.json(await d.status.set(ext, body.state, body.reason));
  });
  return r;
}
