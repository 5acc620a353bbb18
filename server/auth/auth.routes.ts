import type { Router } from "express";
import { z } from "zod";
import { parse, pathId } from "../platform/http/validate.js";
import { idParam, queryInt } from "../platform/http/input.js";
import type { AuditService } from "../audit/audit.service.js";
import type { AuthService } from "./auth.service.js";
import { actorOf, currentUser } from "./auth.middleware.js";
import { guardedRouter } from "./guarded-router.js";
import { roles } from "./roles.js";
import type { UsersService } from "./users.service.js";

export const loginBody = z.object({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(1000),
});

const extension = z
  .string()
  .regex(/^[0-9]{2,8}$/, "an extension is 2 to 8 digits (it names the phone PJSIP/<extension>)");

const username = z
  .string()
  .regex(/^[a-z0-9._-]{2,50}$/, "2 to 50 lower-case letters, digits, '.', '_' or '-'");

export const newUserBody = z.object({
  username,
  password: z.string().min(8, "at least 8 characters").max(200),
  role: z.enum(roles),
  displayName: z.string().trim().min(1).max(100).optional(),
  extension: extension.nullable().optional(),
});

export const userChangesBody = z
  .object({
    displayName: z.string().trim().min(1).max(100).optional(),
    role: z.enum(roles).optional(),
    extension: extension.nullable().optional(),
    active: z.boolean().optional(),
    password: z.string().min(8, "at least 8 characters").max(200).optional(),
  })
  .strict();

export const auditQuery = z.object({
  action: z.string().max(100).optional(),
  actor: z.string().max(100).optional(),
  limit: queryInt(1, 500).default(100),
  cursor: idParam.optional(),
});

/** Login is public; the rest needs a session (mounted after requireAuth). */
export function authPublicRoutes(auth: AuthService): Router {
  const r = guardedRouter();
  r.post("/auth/login", async (req, res) => {
    const body = parse(loginBody, req.body);
    const result = await auth.login(body.username, body.password, req.ip ?? "unknown", req.headers["user-agent"]);
    res.json(result);
  });
  return r;
}

export function authRoutes(auth: AuthService, users: UsersService, audit: AuditService): Router {
  const r = guardedRouter();
  r.post("/auth/logout", async (req, res) => {
    await auth.logout(req.token ?? "", currentUser(req), req.ip ?? "unknown");
    res.status(204).end();
  });
  r.get("/auth/me", (req, res) => {
    res.json({ user: currentUser(req) });
  });
  // Everyone signed in can list users: assignee and owner pickers need names.
  r.get("/users", async (_req, res) => {
    res.json({ items: await users.list() });
  });
  r.post("/users", async (req, res) => {
    const body = parse(newUserBody, req.body);
    res.status(201).json(await users.create(body, actorOf(req)));
  });
  r.patch("/users/:id", async (req, res) => {
    const id = pathId(req.params);
    const body = parse(userChangesBody, req.body);
    const user = await users.update(id, body, actorOf(req));
    // A new role, a deactivation or a new password ends the user's sockets (and, for the last two,
    // their sessions); other changes only refresh the cached user.
    auth.userChanged(id, body.role !== undefined || body.active === false || body.password !== undefined);
    res.json(user);
  });
  r.get("/audit", async (req, res) => {
    const q = parse(auditQuery, req.query);
    res.json(await audit.list(q));
  });
  return r;
}
