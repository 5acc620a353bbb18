import type http from "node:http";
import express, { Router } from "express";
import type { Redis } from "ioredis";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import type { AuditService } from "../audit/audit.service.js";
import type { PbxSet } from "../calls/pbx-set.js";
import { ApiTokens } from "./api-tokens.service.js";
import { apiTokenRoutes } from "./api-tokens.routes.js";
import type { EventLog } from "./event-log.js";
import { logPbxEvents } from "./event-sources.js";
import { EventStream } from "./event-stream.js";
import { openapiRoutes, serveApiReference } from "./openapi.routes.js";
import { Webhooks } from "./webhooks.js";
import { webhookRoutes } from "./webhooks.routes.js";

export interface Integration {
  apiTokens: ApiTokens;
  /** The routes behind the bearer check (API tokens). */
  routes: Router;
  /** The routes without login (the OpenAPI document). */
  publicRoutes: Router;
  /** The reference page outside /api (before the console's catch-all). */
  servePages(app: express.Express): void;
  close(): Promise<void>;
}

/**
 * The integration API (docs/api.md "Integration API"): API tokens, the event log filled from every
 * PBX (by its lease holder), the WebSocket /api/stream on the same HTTP server.
 */
export async function startIntegration(d: { db: Database; audit: AuditService; server: http.Server; pbxes: PbxSet; events: EventLog; log: Logger; version: string; redis: Redis; redisPrefix: string; webhookRetrySeconds: number }): Promise<Integration> {
  const apiTokens = new ApiTokens(d.db, d.audit);
  await d.events.start();
  for (const t of d.pbxes.all) logPbxEvents(t, d.events);
  const stream = new EventStream(d.server, d.events, apiTokens, d.log.child({ module: "event-stream" }));
  const webhooks = new Webhooks({ db: d.db, redis: d.redis, redisPrefix: d.redisPrefix, events: d.events, audit: d.audit, log: d.log.child({ module: "webhooks" }), retrySeconds: d.webhookRetrySeconds });
  await webhooks.start();
  const routes = Router();
  routes.use(apiTokenRoutes(apiTokens));
  routes.use(webhookRoutes(webhooks));
  return {
    apiTokens,
    routes,
    publicRoutes: openapiRoutes(d.version),
    servePages: serveApiReference,
    async close() {
      stream.close();
      await webhooks.close();
      await d.events.close();
    },
  };
}
