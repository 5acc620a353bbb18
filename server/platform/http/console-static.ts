import fs from "node:fs";
import path from "node:path";
import express from "express";
import { AppError } from "../errors.js";
import type { Logger } from "../logger.js";

/**
 * The built Svelte console. Other page paths get index.html (the console routes by hash); a
 * missing file (a path with an extension, or under /assets/) is a 404, not a page. Source maps are
 * never served, even when a build left some in the folder: they would publish the console's
 * source. Whatever is not served ends in the JSON error handler, never Express's HTML page.
 */
export function serveConsole(app: express.Express, uiDir: string, log: Logger): void {
  const index = path.join(uiDir, "index.html");
  if (!fs.existsSync(index)) {
    log.warn({ uiDir }, "console not built (npm run build:ui); serving the API only");
    return;
  }
  app.use((req, _res, next) => {
    if (/\.map$/i.test(req.path)) throw new AppError("NOT_FOUND", `no file ${req.path}`);
    next();
  });
  app.use(express.static(uiDir, { index: false, maxAge: "1h", dotfiles: "ignore" }));
  app.get(/^\/(?!api\/|socket\.io\/|assets\/)(?:[^.]*|index\.html)$/, (_req, res) => {
    res.setHeader("Cache-Control", "no-cache");
    res.sendFile(index);
  });
}
