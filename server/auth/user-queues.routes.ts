import type { Router } from "express";
import { z } from "zod";
import type { Database } from "../platform/db/database.js";
import { parse, pathId } from "../platform/http/validate.js";
import { notFound } from "../platform/errors.js";
import { actorOf } from "./auth.middleware.js";
import { guardedRouter } from "./guarded-router.js";
import type { AuditService } from "../audit/audit.service.js";

export const queuesBody = z.object({ queues: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name")).max(200) }).strict();

/**
 * The queues a supervisor is responsible for: they replay those queues' recordings (and, with the
 * supervisor console, watch them). Set by administrators.
 */
export function userQueuesRoutes(db: Database, audit: AuditService, onChange: () => void = () => {}): Router {
  const r = guardedRouter();
  const exists = async (id: number) => {
    if (!(await db.query("SELECT 1 FROM users WHERE id = $1", [id])).length) throw notFound(`user ${id}`);
  };
  const queuesOf = async (id: number) => (await db.query<{ queue: string }>("SELECT queue FROM user_queues WHERE user_id = $1 ORDER BY queue", [id])).map((q) => q.queue);

  r.get("/users/:id/queues", async (req, res) => {
    const id = pathId(req.params);
    await exists(id);
    res.json({ queues: await queuesOf(id) });
  });

  r.put("/users/:id/queues", async (req, res) => {
    const id = pathId(req.params);
    const { queues } = parse(queuesBody, req.body);
    await exists(id);
    await db.query("DELETE FROM user_queues WHERE user_id = $1", [id]);
    for (const q of new Set(queues)) await db.query("INSERT INTO user_queues (user_id, queue) VALUES ($1, $2)", [id, q]);
    const actor = actorOf(req);
    await audit.record({ actorId: actor.id, actorName: actor.username, action: "user.queues", target: `user:${id}`, details: { queues }, ip: actor.ip ?? null });
    onChange();
    res.json({ queues: await queuesOf(id) });
  });
  return r;
}
