import crypto from "node:crypto";
import http from "node:http";
import express, { type RequestHandler } from "express";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Logger } from "./logger.js";
import { openQueues } from "./queue.js";
import type { PbxSet } from "../calls/pbx-set.js";

/**
 * The Prometheus figures an operator watches (GET /metrics, text exposition format):
 *   crm_ami_up{pbx}                      1 when this node reaches the PBX's AMI
 *   crm_pbx_events_total{pbx}            PBX events applied on this node (rate() = events/s)
 *   crm_live_calls{pbx}                  calls in progress
 *   crm_screen_pops_total{event}         call:* pushes sent to consoles (call:offer = the pops)
 *   crm_screen_pop_latency_seconds       AMI frame read → call:offer sent, per pop
 *   crm_queue_jobs{queue,state}          bull jobs waiting, active, delayed, failed
 *   crm_socketio_connections             consoles connected to this node
 *   crm_event_loop_stalls_total          times the event loop stalled a second or more (stall-watch.ts)
 *   nodejs_eventloop_lag_seconds ...     prom-client's default process metrics (event-loop lag, heap, GC, CPU)
 * Each App has its own registry (several servers in one test process do not mix).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly pops: Counter<"event">;
  private readonly popLatency: Histogram;
  private readonly stalls: Counter;

  constructor(d: { pbxes: PbxSet; redisPrefix: string; socketCount: () => number }) {
    const registry = this.registry;
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
    new Gauge({
      name: "crm_ami_up",
      help: "1 when this node's AMI link to the PBX is up, 0 when not",
      labelNames: ["pbx"],
      registers: [registry],
      collect() {
        for (const t of d.pbxes.all) this.set({ pbx: t.name }, t.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: "crm_pbx_lease_holder",
      help: "1 when this node holds the PBX's lease (consumes its AMI events), 0 on a standby",
      labelNames: ["pbx"],
      registers: [registry],
      collect() {
        for (const t of d.pbxes.all) this.set({ pbx: t.name }, t.role === "holder" ? 1 : 0);
      },
    });
    const events = new Counter({ name: "crm_pbx_events_total", help: "PBX (AMI) events applied on this node", labelNames: ["pbx"], registers: [registry] });
    for (const t of d.pbxes.all) {
      events.inc({ pbx: t.name }, 0);
      t.pbxEvents.on("event", () => events.inc({ pbx: t.name }));
    }
    new Gauge({
      name: "crm_live_calls",
      help: "Calls in progress",
      labelNames: ["pbx"],
      registers: [registry],
      collect() {
        for (const t of d.pbxes.all) this.set({ pbx: t.name }, t.tracker.calls.size);
      },
    });
    this.pops = new Counter({ name: "crm_screen_pops_total", help: "Call pushes sent to agents' consoles (call:offer is the screen pop)", labelNames: ["event"], registers: [registry] });
    this.pops.inc({ event: "call:offer" }, 0);
    this.popLatency = new Histogram({
      name: "crm_screen_pop_latency_seconds",
      help: "From the AMI frame that rang the agent's phone being read to the screen pop being sent",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    new Gauge({
      name: "crm_queue_jobs",
      help: "Jobs in the bull queues by state",
      labelNames: ["queue", "state"],
      registers: [registry],
      async collect() {
        for (const q of openQueues(d.redisPrefix)) {
          const counts = await Promise.race([q.getJobCounts().catch(() => null), new Promise<null>((r) => setTimeout(r, 1000, null).unref())]);
          if (!counts) continue;
          for (const state of ["waiting", "active", "delayed", "failed"] as const) this.set({ queue: q.name, state }, counts[state] ?? 0);
        }
      },
    });
    this.stalls = new Counter({ name: "crm_event_loop_stalls_total", help: "Times this node's event loop stalled for a second or more (nothing ran: sockets, timers, the PBX lease)", registers: [registry] });
    new Gauge({
      name: "crm_socketio_connections",
      help: "Socket.IO connections (consoles) on this node",
      registers: [registry],
      collect() {
        this.set(d.socketCount());
      },
    });
  }

  /** A call:* push went to a console; a pop's latency is its `timing` (amiAt → sentAt, ms). */
  pushed(event: string, payload: unknown): void {
    this.pops.inc({ event });
    const timing = (payload as { timing?: { amiAt?: number; sentAt?: number } } | null)?.timing;
    if (event === "call:offer" && timing?.amiAt && timing.sentAt) this.popLatency.observe(Math.max(0, timing.sentAt - timing.amiAt) / 1000);
  }

  /** The event loop stalled (StallWatch). */
  stalled(): void {
    this.stalls.inc();
  }

  /** GET /metrics: the token as a Bearer (constant-time compare); with no token, 404 (unless `open`: the 127.0.0.1 port). */
  handler(token: string | null, open = false): RequestHandler {
    return async (req, res) => {
      if (token === null && !open) return void res.status(404).json({ error: { code: "NOT_FOUND", message: "/metrics is served with METRICS_TOKEN, or on 127.0.0.1:METRICS_PORT" } });
      if (token !== null) {
        const given = /^Bearer (.+)$/i.exec(req.get("authorization") ?? "")?.[1];
        if (!given) return void res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').json({ error: { code: "UNAUTHENTICATED", message: "/metrics needs Authorization: Bearer <METRICS_TOKEN>" } });
        if (!sameSecret(given, token)) return void res.status(403).json({ error: { code: "FORBIDDEN", message: "wrong metrics token" } });
      }
      res.set("Content-Type", this.registry.contentType).set("Cache-Control", "no-store").send(await this.registry.metrics());
    };
  }

  /** METRICS_PORT: /metrics alone on 127.0.0.1 (no token; only this host reaches it). */
  async serveAdminPort(port: number, log: Logger): Promise<http.Server> {
    const app = express();
    app.disable("x-powered-by");
    app.get("/metrics", this.handler(null, true));
    const server = http.createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    const addr = server.address();
    log.info({ port: typeof addr === "object" && addr ? addr.port : port }, "metrics on 127.0.0.1");
    return server;
  }
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => crypto.createHash("sha256").update(s).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}
