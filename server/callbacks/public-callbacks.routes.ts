import type { RequestHandler, Response, Router } from "express";
import type { Logger } from "../platform/logger.js";
import { parse } from "../platform/http/validate.js";
import { AppError } from "../platform/errors.js";
import type { Budget } from "../platform/rate-limit.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { phoneKey } from "../crm/phone-numbers.js";
import type { CallbacksService } from "./callbacks.service.js";
import { publicCallbackBody } from "./callbacks.schemas.js";

export interface PublicCallbackDeps {
  service: CallbacksService;
  /** Per client address, per number asked for, per site: limits that hold across nodes (Redis). */
  limits: { ip: Budget; number: Budget; site: Budget };
  defaultCountry: string;
  log: Logger;
}

/** Every origin some active site allows (the preflight carries no site key). */
async function knownOrigin(service: CallbacksService, origin: string | undefined): Promise<boolean> {
  if (!origin) return false;
  const sites = (await service.sites()) as { origins: string[]; active: boolean }[];
  return sites.some((s) => s.active && s.origins.includes(origin));
}

function allowOrigin(res: Response, origin: string): void {
  res.set({ "Access-Control-Allow-Origin": origin, Vary: "Origin", "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600" });
}

/**
 * The CORS preflight of the widget's POST (a JSON body makes browsers ask first): a middleware,
 * not a route, since it carries no site key and does nothing but say which origin may post.
 */
export function publicCallbackPreflight(service: CallbacksService): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "OPTIONS" || req.path !== "/public/callbacks") return next();
    const origin = req.get("origin");
    knownOrigin(service, origin).then((known) => {
      if (!known) return void res.status(403).end();
      allowOrigin(res, origin!);
      res.status(204).end();
    }, next);
  };
}

/**
 * The website widget's endpoint, without login: the site key names a site, the browser's Origin
 * must be one of that site's, and three limits apply (address, number, site). A filled-in honeypot
 * is answered like a success and creates nothing. The number passes the dialing rules before
 * anything is stored; nothing from the form reaches the PBX unchecked.
 */
export function publicCallbackRoutes(d: PublicCallbackDeps): Router {
  const r = guardedRouter();
  r.post("/public/callbacks", async (req, res) => {
    const origin = req.get("origin");
    const body = parse(publicCallbackBody, req.body);
    const site = await d.service.siteByKey(body.siteKey);
    if (!site || !site.active) throw new AppError("FORBIDDEN", "unknown site key");
    if (!origin || !site.origins.includes(origin)) throw new AppError("FORBIDDEN", "this site key is not allowed from this origin");
    allowOrigin(res, origin);
    const limited = async (b: Budget, key: string) => {
      const t = await b.take(key);
      if (!t.ok) {
        res.set("Retry-After", String(t.retryAfterSeconds));
        throw new AppError("RATE_LIMITED", `too many callback requests; try again in ${t.retryAfterSeconds} s`);
      }
    };
    await limited(d.limits.ip, req.ip ?? "unknown");
    await limited(d.limits.site, String(site.id));
    if (body.website) {
      d.log.info({ site: site.id, ip: req.ip }, "widget honeypot filled in: ignored");
      res.status(202).json({ ok: true });
      return;
    }
    const key = phoneKey(body.number, d.defaultCountry);
    if (key) await limited(d.limits.number, key);
    try {
      await d.service.create({ number: body.number, name: body.name ?? null, queue: site.queue, dueAt: body.preferredAt, source: "web", siteId: site.id, note: "Asked on the website" });
    } catch (err) {
      // A number outside the dialing rules is a bad field here (403 means key or origin).
      if (err instanceof AppError && err.code === "DIALING_RULES") throw new AppError("VALIDATION", `number: ${err.message}`, "number");
      throw err;
    }
    res.status(202).json({ ok: true });
  });
  return r;
}
