import http from "node:http";
import path from "node:path";
import express from "express";
import type { Config } from "./platform/config.js";
import type { Logger } from "./platform/logger.js";
import { openDatabase, type Database } from "./platform/db/database.js";
import { createRedis } from "./platform/redis.js";
import { createQueue } from "./platform/queue.js";
import { Realtime } from "./platform/realtime/realtime.js";
import { errorHandler, notFoundHandler } from "./platform/http/error-handler.js";
import { securityHeaders } from "./platform/http/security-headers.js";
import { serveConsole } from "./platform/http/console-static.js";
import { rejectMalformedPath } from "./platform/http/path-guard.js";
import { listRoutes, type RouteInfo } from "./platform/http/route-list.js";
import { AuditService } from "./audit/audit.service.js";
import { AuthService } from "./auth/auth.service.js";
import { LoginLimiter } from "./auth/login-limiter.js";
import { UsersService } from "./auth/users.service.js";
import { requireAuth } from "./auth/auth.middleware.js";
import { authPublicRoutes, authRoutes } from "./auth/auth.routes.js";
import { PhoneIndex } from "./crm/phone-index.js";
import { ClientsService } from "./crm/clients.service.js";
import { ContactsService } from "./crm/contacts.service.js";
import { TimelineService } from "./crm/timeline.service.js";
import { TasksService } from "./crm/tasks.service.js";
import { ClusterBus } from "./platform/cluster/cluster-bus.js";
import { scheduleTaskReminders } from "./crm/task-reminders.js";
import { crmRoutes } from "./crm/crm.routes.js";
import { BulkReadBudget } from "./crm/bulk-read-budget.js";
import { CsvImports } from "./crm/csv-import-jobs.js";
import { startTelephony, type Telephony } from "./calls/telephony.js";
import { callsRoutes } from "./calls/calls.routes.js";
import { callControlRoutes } from "./calls/call-control.routes.js";
import { ExtensionDirectory } from "./auth/extension-directory.js";
import { CardBuilder } from "./screenpop/card-builder.js";
import { ClientCardCache } from "./screenpop/client-card-cache.js";
import { warmRingPath } from "./screenpop/ring-path-warmup.js";
import { ScreenPop } from "./screenpop/screenpop.service.js";
import { AgentStatusService } from "./agents/agent-status.service.js";
import { AgentStatusHub } from "./agents/agent-status-hub.js";
import { AgentPresenceStore } from "./agents/agent-presence.store.js";
import { FfmpegMedia } from "./recordings/media.js";
import { LocalRecordingStorage } from "./recordings/recording-storage.js";
import { RecordingProcessor } from "./recordings/recording-processor.js";
import { RecordingJobs } from "./recordings/recording-jobs.js";
import { RecordingsService } from "./recordings/recordings.service.js";
import { captureRecordings } from "./recordings/recording-capture.js";
import { recordingStreamRoutes, recordingsRoutes } from "./recordings/recordings.routes.js";
import { AudioTickets } from "./recordings/audio-tickets.js";
import { userQueuesRoutes } from "./auth/user-queues.routes.js";
import { CallbacksService } from "./callbacks/callbacks.service.js";
import { OpenCallbacks } from "./callbacks/open-callbacks.js";
import { CallbackDispatcher } from "./callbacks/callback-dispatcher.js";
import { followCallbackSources } from "./callbacks/callback-sources.js";
import { callbackAsCall } from "./callbacks/callback-card.js";
import { callbacksRoutes } from "./callbacks/callbacks.routes.js";
import { publicCallbackPreflight, publicCallbackRoutes } from "./callbacks/public-callbacks.routes.js";
import { callbackDialRoutes } from "./callbacks/callback-dial.routes.js";
import { serveCallbackWidget } from "./callbacks/widget.routes.js";
import type { Callback } from "./callbacks/callback.types.js";
import { redisBudget } from "./platform/rate-limit.js";
import { PbxSet } from "./calls/pbx-set.js";
import { workspaceRoutes } from "./agents/workspace.routes.js";
import { demoPhoneRoutes } from "./demo/demo-phone.routes.js";
import type { AgentState } from "./calls/agent-states.js";
import { startSupervisor, type Supervisor } from "./supervisor/supervisor.module.js";
import { startScripts, type ScriptsModule } from "./scripts/scripts.module.js";
import { scriptsRoutes } from "./scripts/scripts.routes.js";
import { ReportsService } from "./reports/reports.service.js";
import { reportsRoutes } from "./reports/reports.routes.js";
import { BusinessReportsService } from "./reports/business.service.js";
import { EventLog } from "./integration/event-log.js";
import { startIntegration } from "./integration/integration.module.js";
import { buildInfo } from "./platform/build-info.js";
import { Metrics } from "./platform/metrics.js";
import { StallWatch } from "./platform/stall-watch.js";
import { followCallLog } from "./calls/call-log.js";

export const version = buildInfo().version;

export interface App {
  config: Config;
  db: Database;
  server: http.Server;
  users: UsersService;
  clients: ClientsService;
  phoneIndex: PhoneIndex;
  /** Call scripts (the demo seed reloads their catalog). */
  scripts: ScriptsModule;
  /** The first PBX's telephony (the only one with a single PBX). */
  telephony: Telephony;
  pbxes: PbxSet;
  /** The supervisor console's live wallboard, its pushes and spy sessions. */
  supervisor: Supervisor;
  /** The call reports, with the sums they keep (tests wait for a rebuild of them). */
  reports: ReportsService;
  /** Every route the HTTP server declares (the role-matrix test checks each has an entry). */
  routes(): RouteInfo[];
  /** Listens on config.port (0 picks a free one); resolves with the bound port. */
  listen(): Promise<number>;
  /** Stops taking requests, ends sockets and jobs, then closes Redis and the database. */
  close(): Promise<void>;
}

/** The composition root: builds every module and wires them; nothing else constructs services. */
export async function createApp(config: Config, log: Logger): Promise<App> {
  const startedAt = new Date();
  const db = await openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? null : path.join(config.dataDir, "pgdata") });
  const redis = createRedis(config.redisUrl, log);
  // The domain event log behind /api/stream and webhooks (server/integration).
  const events = new EventLog(redis, config.redisPrefix, config.streamRetentionEvents, log.child({ module: "event-log" }));

  const audit = new AuditService(db);
  const users = new UsersService(db, audit);
  const auth = new AuthService(db, audit, config.sessionTtlHours, new LoginLimiter(redis, config.redisPrefix));
  await bootstrapAdmin(users, config, log);

  const expressApp = express();
  const server = http.createServer(expressApp);
  const realtime = new Realtime(server, auth, redis, config.redisPrefix, log);

  // Other nodes keep the same things in memory (phone index, extension directory): they hear of changes.
  const bus = new ClusterBus(redis, config.redisPrefix, log);
  const phoneIndex = new PhoneIndex(db);
  // What each client's card shows, kept warm; told of every change here and by the other nodes.
  const cards = new ClientCardCache(db);
  const clients = new ClientsService({
    db,
    audit,
    phoneIndex,
    defaultCountry: config.defaultCountry,
    onChange: (clientId) => {
      cards.invalidate(clientId);
      bus.publish("client-changed", String(clientId));
      realtime.toAll("client:changed", { clientId });
      void events.append("client.changed", { clientId });
    },
  });
  bus.on("client-changed", (id) => {
    if (!/^\d+$/.test(id)) return;
    cards.invalidate(Number(id));
    phoneIndex.refreshClient(Number(id)).catch((err: Error) => log.error({ err, clientId: id }, "phone index refresh failed"));
  });
  // A call another node journaled: the client's history on its card changed.
  bus.on("client-history", (id) => {
    if (/^\d+$/.test(id)) cards.invalidate(Number(id));
  });
  // Messages sent while this node's bus link was down are lost: nothing kept from before can be trusted.
  bus.onResubscribed(() => cards.clear());
  const indexLoad = phoneIndex
    .load()
    .then(() => log.info({ numbers: phoneIndex.size }, "phone index loaded"))
    .catch((err: Error) => log.error({ err }, "phone index load failed; lookups use SQL"));
  const contacts = new ContactsService(db, clients, config.defaultCountry);
  const timeline = new TimelineService(db, clients);
  const tasks = new TasksService(db, clients);

  const maintenance = createQueue<{ kind: string }>("crm-maintenance", redis, config.redisPrefix);
  maintenance.on("error", (err) => log.warn({ err: err.message }, "maintenance queue error"));
  scheduleTaskReminders(maintenance, tasks, realtime, log, config.taskReminderSeconds * 1000).catch((err: Error) =>
    log.error({ err }, "could not schedule task reminders"),
  );
  const directory = new ExtensionDirectory(db);
  await directory.start();
  // One telephony per PBX (AMI_URL names each); `telephony` is the first, for one-PBX settings.
  const pbxes = new PbxSet(await Promise.all(config.pbxes.map((p) => startTelephony(config, p, db, redis, bus.nodeId, phoneIndex, directory, log))));
  const telephony = pbxes.first;
  const reloadDirectory = () => void directory.reload().catch((err: Error) => log.error({ err }, "extension directory reload failed"));
  // Names of owners, agents and note authors are on cards.
  users.onChange = () => {
    reloadDirectory();
    cards.clear();
    bus.publish("users-changed", "");
  };
  bus.on("users-changed", () => {
    reloadDirectory();
    cards.clear();
  });
  // Each PBX's pushes come from the node holding that PBX's lease, once.
  const pushesFor = (t: Telephony) => () => t.role === "holder";
  // Callbacks: the database is the truth; each node keeps the open ones by number for the cards.
  const dialRules = { defaultCountry: config.defaultCountry, countries: config.dialCountries, allowPremium: config.dialAllowPremium };
  const callbacks = new CallbacksService(db, dialRules, config.callbackDefaultQueue, log.child({ module: "callbacks" }));
  const openCallbacks = new OpenCallbacks(db);
  await openCallbacks.load();
  callbacks.on("changed", (cb: Callback) => {
    openCallbacks.apply(cb);
    bus.publish("callback-changed", String(cb.id));
    realtime.toAll("callback:changed", cb);
  });
  bus.on("callback-changed", (id) => {
    if (/^\d+$/.test(id)) void openCallbacks.refresh(Number(id)).catch(() => {});
  });
  bus.onResubscribed(() => void openCallbacks.load().catch(() => {}));
  const scripts = await startScripts({ db, bus, clients, tasks, timeline, callbacks, log: log.child({ module: "scripts" }) });
  const cardBuilder = new CardBuilder(phoneIndex, cards, config.defaultCountry, config.didLabels, (n) => openCallbacks.of(n), (card) => scripts.catalog.choose(card));
  const screenPop = new ScreenPop(
    pbxes.all.map((t) => ({ tracker: t.tracker, active: pushesFor(t) })),
    cardBuilder,
    directory,
    realtime,
    log.child({ module: "screenpop" }),
    config.wrapupSeconds,
  );
  const metrics = new Metrics({ pbxes, redisPrefix: config.redisPrefix, socketCount: () => realtime.io.engine.clientsCount });
  screenPop.onPush = (event, payload) => metrics.pushed(event, payload);
  const stallWatch = new StallWatch({ log: log.child({ module: "stall-watch" }), onStall: () => metrics.stalled() });
  for (const t of pbxes.all) followCallLog(t.tracker, pushesFor(t), log.child({ module: "calls", pbx: t.name }));
  // The first call after a start pops as fast as the others: the card's statement is prepared and
  // planned, and the ring path's code has run once, before any phone rings.
  const warmed = indexLoad
    .then(async () => {
      const sample = phoneIndex.sampleNumbers(1).find((n) => n.startsWith("+"));
      await cards.warm(sample ? (phoneIndex.lookupSync(sample)?.[0]?.clientId ?? 0) : 0);
      await warmRingPath(cardBuilder, sample ?? "+14155550123");
    })
    .catch((err: Error) => log.warn({ err }, "ring path warm-up failed"));
  const statusByPbx = new Map<string, AgentStatusService>();
  for (const t of pbxes.all) {
    t.journal.onStored = (_linkedid, clientId) => {
      if (!clientId) return;
      cards.invalidate(clientId);
      bus.publish("client-history", String(clientId));
      realtime.toAll("client:changed", { clientId });
    };
    statusByPbx.set(
      t.name,
      new AgentStatusService({
        commands: t.commands,
        states: t.agents,
        tracker: t.tracker,
        presence: new AgentPresenceStore(db, t.name),
        wrapupSeconds: config.wrapupSeconds,
        pauseCodes: config.pauseCodes,
        log: log.child({ module: "agents", pbx: t.name }),
        active: pushesFor(t),
      }),
    );
    t.agents.on("state", (s: AgentState) => {
      if (t.role !== "holder") return;
      const userId = directory.userOf(s.agent);
      if (userId !== undefined) realtime.toUser(userId, "agent:state", s);
    });
    t.agents.on("reachability", (p: { reachable: boolean; since: Date | null }) => {
      if (t.role === "holder") realtime.toAll("pbx:status", { pbx: t.name, ...p });
    });
  }
  const agentStatus = new AgentStatusHub(pbxes, statusByPbx);
  const dispatchers = new Map<string, CallbackDispatcher>();
  for (const t of pbxes.all) {
    followCallbackSources(t, pushesFor(t), callbacks, log.child({ module: "callbacks", pbx: t.name }));
    const dispatcher = new CallbackDispatcher({
      db,
      service: callbacks,
      pbx: t,
      active: pushesFor(t),
      userOf: (ext) => directory.userOf(ext),
      push: (userId, event, payload) => realtime.toUser(userId, event, payload as never),
      cardFor: (cb) => cardBuilder.build(callbackAsCall(cb)),
      autodialSeconds: config.callbackAutodialSeconds,
      redis,
      redisPrefix: config.redisPrefix,
      nodeId: bus.nodeId,
      log: log.child({ module: "callback-dispatch", pbx: t.name }),
    });
    await dispatcher.start();
    dispatchers.set(t.name, dispatcher);
  }
  // A callback created or changed on another node (due now, say): the holder looks at once
  // rather than at its next tick (kicks on a node that does not dispatch do nothing).
  bus.on("callback-changed", () => {
    for (const d of dispatchers.values()) d.kick();
  });
  const callbackBudgets = {
    ip: redisBudget(redis, { prefix: config.redisPrefix, name: "callback-ip", points: 5, windowSeconds: 600 }),
    number: redisBudget(redis, { prefix: config.redisPrefix, name: "callback-number", points: 3, windowSeconds: 24 * 3600 }),
    site: redisBudget(redis, { prefix: config.redisPrefix, name: "callback-site", points: 300, windowSeconds: 3600 }),
  };

  // Recordings: raw WAVs from MONITOR_DIR become verified Opus files under RECORDINGS_DIR.
  const recordingStorage = new LocalRecordingStorage(config.recordingsDir);
  const recordings = new RecordingsService(db, recordingStorage, audit, log.child({ module: "recordings" }), { defaultCountry: config.defaultCountry, agentAccess: config.recordingsAgentAccess });
  const recordingJobs = new RecordingJobs({
    db,
    redis,
    redisPrefix: config.redisPrefix,
    dataDir: config.dataDir,
    processor: new RecordingProcessor(new FfmpegMedia(), recordingStorage, config.monitorDir, path.join(config.dataDir, "recording-work"), config.recordingsRaw, path.join(config.recordingsDir, "raw")),
    log: log.child({ module: "recording-jobs" }),
    retention: () => recordings.applyRetention(),
    onReady: (_id, linkedid) =>
      void db.query<{ client_id: number | null }>("SELECT client_id FROM calls WHERE linkedid = $1", [linkedid]).then(([c]) => {
        if (c?.client_id) realtime.toAll("client:changed", { clientId: c.client_id });
      }, () => {}),
  });
  await recordingJobs.start();
  for (const t of pbxes.all) captureRecordings({ pbx: t.name, tracker: t.tracker, active: pushesFor(t), db, jobs: recordingJobs, monitorDir: config.monitorDir, log: log.child({ module: "recordings", pbx: t.name }) });
  // The supervisor console: live wallboard pushes, listen/whisper/barge, acting on agents.
  const supervisor = await startSupervisor({ db, redis, redisPrefix: config.redisPrefix, bus, realtime, pbxes, phoneIndex, directory, cards, audit, status: agentStatus, defaultCountry: config.defaultCountry, shortAbandonSeconds: config.shortAbandonSeconds, wrapupSeconds: config.wrapupSeconds, pauseCodes: config.pauseCodes, spyNotice: config.spyNotice, pushesFor: (t) => t.role === "holder", log: log.child({ module: "supervisor" }) });
  const usersChanged = users.onChange;
  users.onChange = () => {
    usersChanged();
    supervisor.scopes.changed();
  };
  bus.on("wrapup-saved", (m) => {
    const [ext, ...rest] = m.split(" ");
    if (ext && /^\d{2,8}$/.test(ext)) supervisor.noteDisposition(ext, rest.join(" "));
  });
  const sessionPurge = setInterval(() => void auth.purgeExpiredSessions().catch(() => {}), 3600_000);
  sessionPurge.unref();

  expressApp.disable("x-powered-by");
  expressApp.set("trust proxy", config.trustProxy);
  expressApp.use(securityHeaders());
  expressApp.use(rejectMalformedPath());
  const api = express.Router();
  api.use(express.json({ limit: "1mb" }));
  api.get("/health", async (_req, res) => {
    const dbOk = await db.query("SELECT 1 AS ok").then(() => true, () => false);
    const journals = pbxes.all.map((t) => t.journal.health());
    const journal = journals[0]!;
    // Failing writes, or ended calls waiting over a minute: a journal is not keeping up.
    const journalOk = journals.every((j) => !j.failing && j.oldestSeconds < 60);
    const ok = dbOk && journalOk;
    const link = (t: Telephony) => (t.connected ? "connected" : "disconnected");
    res.status(ok ? 200 : 503).json({
      status: ok ? "ok" : "degraded",
      version,
      commit: buildInfo().commit,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      // The first PBX's, at the top level; every PBX's in `pbx`.
      ami: link(telephony),
      lease: telephony.role,
      node: bus.nodeId,
      pbx: pbxes.all.map((t) => ({ name: t.name, kind: t.kind, ami: link(t), lease: t.role, liveCalls: t.tracker.calls.size })),
      liveCalls: pbxes.all.reduce((n, t) => n + t.tracker.calls.size, 0),
      db: dbOk ? "ok" : "down",
      dbKind: db.kind,
      redis: redis.status === "ready" ? "ok" : "down",
      phoneIndex: phoneIndex.ready ? "ready" : "loading",
      journal: { state: journal.failing ? "failing" : journal.oldestSeconds < 60 ? "ok" : "behind", ...journal },
      amiLink: (telephony.role === "holder" ? telephony.link.client : telephony.actions).stats,
    });
  });
  api.use(authPublicRoutes(auth));
  api.use(publicCallbackPreflight(callbacks));
  api.use(publicCallbackRoutes({ service: callbacks, limits: callbackBudgets, defaultCountry: config.defaultCountry, log: log.child({ module: "callbacks-web" }) }));
  const audioTickets = new AudioTickets(redis, config.redisPrefix);
  // Before the bearer check: an <audio> element cannot send one; its short-lived ticket stands in.
  api.use(recordingStreamRoutes({ recordings, tickets: audioTickets, redis, redisPrefix: config.redisPrefix }));
  const integration = await startIntegration({ db, audit, server, pbxes, events, log, version, redis, redisPrefix: config.redisPrefix, webhookRetrySeconds: config.webhookRetrySeconds });
  api.use(integration.publicRoutes);
  api.use(supervisor.publicRoutes);
  api.use(requireAuth(auth, integration.apiTokens));
  api.use(authRoutes(auth, users, audit));
  api.use(userQueuesRoutes(db, audit, () => supervisor.scopes.changed()));
  api.use(workspaceRoutes({ status: agentStatus, screenPop, pauseCodes: config.pauseCodes, dispositions: config.dispositions, wrapupSeconds: config.wrapupSeconds, demoPhone: pbxes.all.some((t) => t.sim !== null) }));
  api.use(callControlRoutes({ db, pbxes, timeline, clients, status: agentStatus, dispositions: config.dispositions, rules: dialRules, scripts: scripts.runs, onWrapup: (ext, disposition) => {
    supervisor.noteDisposition(ext, disposition);
    bus.publish("wrapup-saved", `${ext} ${disposition}`);
  } }));
  api.use(scriptsRoutes({ db, pbxes, ...scripts, didLabels: config.didLabels }));
  api.use(demoPhoneRoutes(pbxes.all.find((t) => t.sim)?.sim ?? null, config.defaultCountry, () => phoneIndex.sampleNumbers(50).filter((n) => n.startsWith("+"))));
  const listBudget = new BulkReadBudget(redis, config.redisPrefix, audit, { rows: config.bulkReadRows, windowSeconds: config.bulkReadWindowMinutes * 60 });
  api.use(callsRoutes(db, pbxes, listBudget));
  api.use(supervisor.routes);
  api.use(callbacksRoutes({ service: callbacks, dispatcherOf: (ext) => dispatchers.get(pbxes.ofAgent(ext).name)! }));
  api.use(callbackDialRoutes({ db, service: callbacks, pbxes, dispatcherOf: (ext) => dispatchers.get(pbxes.ofAgent(ext).name)! }));
  api.use(recordingsRoutes({ recordings, tickets: audioTickets, pbxes, audit, clients, redis, redisPrefix: config.redisPrefix }));
  const imports = new CsvImports({ db, redis, redisPrefix: config.redisPrefix, dataDir: config.dataDir, realtime, clients, phoneIndex, audit, defaultCountry: config.defaultCountry, log: log.child({ module: "csv-import" }) });
  await imports.start();
  api.use(crmRoutes({ clients, contacts, timeline, tasks, phoneIndex, audit, listBudget, imports, defaultCountry: config.defaultCountry }));
  const reportsLog = log.child({ module: "reports" });
  const reports = new ReportsService(
    db,
    { shortAbandonSeconds: config.shortAbandonSeconds, defaultTargetSeconds: 20, timezone: config.reportsTimezone, didLabels: config.didLabels, wrapupSeconds: config.wrapupSeconds, fcrDays: config.fcrDays, lostClientDays: config.lostClientDays },
    (err) => reportsLog.error({ err: err.message }, "folding calls into the reports' kept sums failed; reports read the journal meanwhile"),
  );
  // Every node folds what was journaled into the kept sums each 30 s (one at a time), so a report rarely has to.
  reports.rollup.startFolding();
  const business = new BusinessReportsService(db, { timezone: config.reportsTimezone, lostClientDays: config.lostClientDays });
  api.use(reportsRoutes({ db, reports, business }));
  api.use(integration.routes);
  api.use(notFoundHandler());
  expressApp.use("/api", api);
  // Prometheus figures: with METRICS_TOKEN on this port (Bearer), and/or alone on 127.0.0.1:METRICS_PORT.
  expressApp.get("/metrics", metrics.handler(config.metricsToken));
  const metricsServer = config.metricsPort ? await metrics.serveAdminPort(config.metricsPort, log) : null;
  // The website widget (other sites include it): outside /api, before the console's catch-all.
  serveCallbackWidget(expressApp);
  integration.servePages(expressApp);
  serveConsole(expressApp, config.uiDir, log);
  expressApp.use(notFoundHandler());
  expressApp.use(errorHandler(log));

  let closed = false;
  return {
    config,
    db,
    server,
    users,
    clients,
    phoneIndex,
    scripts,
    telephony,
    pbxes,
    supervisor,
    reports,
    routes: () => listRoutes(expressApp.router as unknown as Parameters<typeof listRoutes>[0]),
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(config.port, config.host, () => {
          const addr = server.address();
          resolve(typeof addr === "object" && addr ? addr.port : config.port);
        });
      }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sessionPurge);
      stallWatch.stop();
      metricsServer?.close();
      await warmed;
      // The PBX link first: the calls it saw are journaled (and pushed) while sockets still work.
      agentStatus.stop();
      await supervisor.close();
      for (const d of dispatchers.values()) await d.stop();
      await pbxes.close();
      await recordingJobs.close();
      directory.stop();
      await integration.close();
      await reports.rollup.stop();
      // Socket.IO's close also stops the HTTP server; in-flight requests finish first.
      await realtime.close();
      server.closeAllConnections?.();
      await imports.close();
      await maintenance.close().catch(() => {});
      bus.close();
      redis.disconnect();
      await db.close();
    },
  };
}

async function bootstrapAdmin(users: UsersService, config: Config, log: Logger): Promise<void> {
  if (!config.bootstrapAdminPassword || (await users.count()) > 0) return;
  await users.create({ username: "admin", password: config.bootstrapAdminPassword, role: "admin", displayName: "Administrator" }, null);
  log.info("created user 'admin' from BOOTSTRAP_ADMIN_PASSWORD");
}
