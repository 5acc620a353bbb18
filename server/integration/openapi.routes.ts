import fs from "node:fs";
import path from "node:path";
import type express from "express";
import type { Router } from "express";
import { guardedRouter } from "../auth/guarded-router.js";
import { buildOpenApi } from "./openapi.js";

/** GET /api/openapi.json: public, like health (built once, on first request). */
export function openapiRoutes(version: string): Router {
  const r = guardedRouter();
  let doc: string | null = null;
  r.get("/openapi.json", (_req, res) => {
    doc ??= JSON.stringify(buildOpenApi(version));
    res.type("application/json").send(doc);
  });
  return r;
}

const pages: Record<string, [file: string, type: string]> = {
  "/api-reference": ["index.html", "text/html; charset=utf-8"],
  "/api-reference/reference.js": ["reference.js", "text/javascript; charset=utf-8"],
  "/api-reference/reference.css": ["reference.css", "text/css; charset=utf-8"],
};

/** The interactive reference page at /api-reference: self-hosted files, no CDN (the CSP allows 'self' only). */
export function serveApiReference(app: express.Express): void {
  for (const [url, [file, type]] of Object.entries(pages)) {
    const body = fs.readFileSync(path.resolve(import.meta.dirname, "reference", file), "utf8");
    app.get(url, (_req, res) => {
      res.type(type).set("Cache-Control", "no-cache").send(body);
    });
  }
}
