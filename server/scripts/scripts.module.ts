import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import type { ClusterBus } from "../platform/cluster/cluster-bus.js";
import type { ClientsService } from "../crm/clients.service.js";
import type { TasksService } from "../crm/tasks.service.js";
import type { TimelineService } from "../crm/timeline.service.js";
import type { CallbacksService } from "../callbacks/callbacks.service.js";
import { ScriptCatalog } from "./script-catalog.js";
import { ScriptsService } from "./scripts.service.js";
import { ScriptRunsService } from "./script-runs.service.js";

export interface ScriptsModule {
  catalog: ScriptCatalog;
  scripts: ScriptsService;
  runs: ScriptRunsService;
}

/**
 * Builds the call-script module: the in-memory catalog (rules and published versions, loaded now
 * and reloaded on every change, here or on another node through "scripts-changed"), the scripts
 * service and the runs service.
 */
export async function startScripts(d: { db: Database; bus: ClusterBus; clients: ClientsService; tasks: TasksService; timeline: TimelineService; callbacks: CallbacksService; log: Logger }): Promise<ScriptsModule> {
  const catalog = new ScriptCatalog(d.db);
  await catalog.load();
  const reload = () => void catalog.load().catch((err: Error) => d.log.error({ err }, "script catalog reload failed"));
  d.bus.on("scripts-changed", reload);
  d.bus.onResubscribed(reload);
  const scripts = new ScriptsService(d.db, catalog, () => d.bus.publish("scripts-changed", ""));
  const runs = new ScriptRunsService({ db: d.db, scripts, clients: d.clients, tasks: d.tasks, timeline: d.timeline, callbacks: d.callbacks, log: d.log });
  return { catalog, scripts, runs };
}
