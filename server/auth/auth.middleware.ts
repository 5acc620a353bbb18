import type { Request, RequestHandler } from "express";
import { AppError } from "../platform/errors.js";
import type { AuthService } from "./auth.service.js";
import type { Actor, PublicUser } from "./users.service.js";

declare module "express-serve-static-core" {
  interface Request {
    user?: PublicUser;
    token?: string;
    /** Set when the bearer is an API token (a system): its scopes limit the routes. */
    apiToken?: { id: number; name: string; scopes: string[] };
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/.exec(header ?? "");
  return m?.[1];
}

/** Tells API tokens (server/integration) from sessions, and authenticates them. */
export interface ApiTokenAuth {
  prefix: string;
  authenticate(token: string): Promise<{ tokenId: number; name: string; scopes: string[]; user: PublicUser }>;
}

/** Every /api route behind this needs a valid session, or an API token (scoped per route). */
export function requireAuth(auth: AuthService, apiTokens?: ApiTokenAuth): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (apiTokens && token?.startsWith(apiTokens.prefix)) {
      const p = await apiTokens.authenticate(token);
      req.user = p.user;
      req.apiToken = { id: p.tokenId, name: p.name, scopes: p.scopes };
      next();
      return;
    }
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
