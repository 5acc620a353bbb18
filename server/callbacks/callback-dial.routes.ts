import type { Router } from "express";
import { pathId } from "../platform/http/validate.js";
import { AppError } from "../platform/errors.js";
import { currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { extensionOf } from "../agents/workspace.routes.js";
import type { Database } from "../platform/db/database.js";
import type { PbxSet } from "../calls/pbx-set.js";
import type { CallbacksService } from "./callbacks.service.js";
import type { CallbackDispatcher } from "./callback-dispatcher.js";
import { toCallback, type CallbackRow } from "./callback.types.js";

export interface CallbackDialDeps {
  db: Database;
  service: CallbacksService;
  pbxes: PbxSet;
  dispatcherOf: (extension: string) => CallbackDispatcher;
}

/**
 * POST /api/callbacks/:id/dial: an agent dials one of their own pending callbacks now ("My
 * callbacks", one click). The callback is offered to the agent's own extension in one conditional
 * step (pending → offered, only if it is theirs or nobody's and still pending), then dialled as an
 * accepted offer: the PBX rings the agent's phone, then the customer. The agent must be available
 * (or in wrap-up): not while another call rings or is up on their phone.
 */
export function callbackDialRoutes(d: CallbackDialDeps): Router {
  const r = guardedRouter();
  r.post("/callbacks/:id/dial", async (req, res) => {
    const user = currentUser(req);
    const ext = extensionOf(user);
    const id = pathId(req.params);
    const cb = await d.service.get(id);
    if (cb.assigneeId !== null && cb.assigneeId !== user.id) throw new AppError("FORBIDDEN", "this callback is someone else's");
    if (cb.status !== "pending") throw new AppError("CONFLICT", `callback ${id} is ${cb.status}`);
    const state = d.pbxes.ofAgent(ext).agents.all().find((s) => s.agent === ext)?.state;
    if (state !== "available" && state !== "wrap-up" && state !== "paused") throw new AppError("CONFLICT", `your phone is ${state ?? "unknown"}: dial when it is free`);
    const [row] = await d.db.query<CallbackRow>(
      `UPDATE callbacks SET status = 'offered', offered_to = $2, offered_at = now(), updated_at = now() WHERE id = $1 AND status = 'pending' AND (assignee_id IS NULL OR assignee_id = $3) RETURNING *`,
      [id, ext, user.id],
    );
    if (!row) throw new AppError("CONFLICT", `callback ${id} changed meanwhile`);
    d.service.emit("changed", toCallback(row));
    res.status(202).json(await d.dispatcherOf(ext).dial(id, ext, "accepted"));
  });
  return r;
}
