import { Router, type RequestHandler } from "express";
import { AppError } from "../platform/errors.js";
import { accessOf, scopesAllow, type Access } from "./roles.js";

const methods = ["get", "post", "put", "patch", "delete"] as const;

/**
 * An express Router whose get/post/put/patch/delete look the route up in the role matrix
 * (roles.ts `routeAccess`) and put its role check in front of the handlers. Registering a route
 * the matrix does not list throws, so the server does not start with an unguarded route.
 * Paths are the ones under /api (every feature router is mounted there without a sub-path).
 */
export function guardedRouter(): Router {
  const r = Router();
  for (const m of methods) {
    const register = r[m].bind(r) as (path: string, ...handlers: RequestHandler[]) => Router;
    (r as unknown as Record<string, unknown>)[m] = (path: string, ...handlers: RequestHandler[]) => {
      const access = accessOf(m, path);
      if (access === undefined)
        throw new Error(`route ${m.toUpperCase()} ${path} has no entry in the role matrix (server/auth/roles.ts routeAccess)`);
      return register(path, guard(access, m, path), ...handlers);
    };
  }
  return r;
}

function guard(access: Access, method: string, path: string): RequestHandler {
  return (req, _res, next) => {
    if (access === "public") return next();
    if (!req.user) throw new AppError("UNAUTHENTICATED", "a bearer token is required");
    // An API token (a system): its scopes decide, route by route (roles.ts apiScopes).
    if (req.apiToken) {
      if (!scopesAllow(req.apiToken.scopes, method, path)) throw new AppError("FORBIDDEN", `this API token's scopes (${req.apiToken.scopes.join(", ")}) do not include ${method.toUpperCase()} ${path}`);
      return next();
    }
    if (!access.includes(req.user.role)) throw new AppError("FORBIDDEN", `this needs one of the roles: ${access.join(", ")}`);
    next();
  };
}
