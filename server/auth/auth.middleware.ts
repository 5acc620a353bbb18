import type { Request, RequestHandler } from "express";
import { AppError } from "../platform/errors.js";
import type { AuthService } from "./auth.service.js";
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

export function currentUser(req: Request): PublicUser {
  if (!req.user) throw new AppError("UNAUTHENTICATED", "a bearer token is required");
  return req.user;
}

export function actorOf(req: Request): Actor {
  const u = currentUser(req);
  return { id: u.id, username: u.username, ip: req.ip };
}
