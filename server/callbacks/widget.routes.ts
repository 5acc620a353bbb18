import fs from "node:fs";
import path from "node:path";
import type express from "express";

const widgetFile = path.resolve(import.meta.dirname, "widget", "callback.js");

/**
 * GET /widget/callback.js: the website widget, included by other sites with one script tag. The
 * security headers stay, but this one file may be loaded cross-origin (helmet's default
 * Cross-Origin-Resource-Policy same-origin would block it on the host page). Read once at start.
 */
export function serveCallbackWidget(app: express.Express): void {
  const body = fs.readFileSync(widgetFile, "utf8");
  app.get("/widget/callback.js", (_req, res) => {
    res.set({
      "Content-Type": "text/javascript; charset=utf-8",
      "Cross-Origin-Resource-Policy": "cross-origin",
      "Access-Control-Allow-Origin": "*",
      "Cache-Control": "public, max-age=300",
    });
    res.send(body);
  });
}
