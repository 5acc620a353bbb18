import type { Request, RequestHandler } from "express";
import { AppError } from "../platform/errors.js";
import type { AuthService } from "./auth.service.js";
import { allowed, type Permission, type Role } from "./roles.js";
import type { Actor, PublicUser } from "./users.service.js";

declare module "express-serve-static-core" {
  interface Request {
    user?: PublicUser;
    token?: string;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(header ?? "");
  return m?.[1];
}

/** Every /api route behind this needs a valid session. */
export function requireAuth(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.headers.authorization);
    req.user = await auth.authenticate(token);
    req.token = token;
    next();
  };
}

export function requirePermission(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (!req.user || !allowed(req.user.role, permission))
      throw new AppError("FORBIDDEN", `your role may not do this (${permission})`);
    next();
  };
}

export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user || (req.user.role !== "admin" && !roles.includes(req.user.role)))
      throw new AppError("FORBIDDEN", `this needs one of the roles: ${["admin", ...roles].join(", ")}`);
    next();
  };
}

export function currentUser(req: Request): PublicUser {
  if (!req.user) throw new AppError("UNAUTHENTICATED", "a bearer token is required");
  return req.user;
}

export function actorOf(req: Request): Actor {
  const u = currentUser(req);
  return { id: u.id, username: u.username, ip: req.ip };
}
