import helmet from "helmet";
import type { RequestHandler } from "express";

/**
 * Security headers on every answer (helmet): a Content-Security-Policy the built console runs
 * under (its own scripts and styles only, no inline code; Socket.IO on the same origin; the
 * inline SVG favicon is a data: image), no framing by anyone (clickjacking), no referrer, no
 * MIME sniffing. No upgrade-insecure-requests and HSTS only for this host: the console is often
 * served over plain HTTP inside the call center, or behind a TLS proxy that owns those decisions.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        mediaSrc: ["'self'"],
        objectSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: { maxAge: 180 * 24 * 3600, includeSubDomains: false },
  });
}
