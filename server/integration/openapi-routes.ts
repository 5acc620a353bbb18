import { z } from "zod";
import { auditQuery, loginBody, newUserBody, userChangesBody } from "../auth/auth.routes.js";
import { publicUserDto } from "../auth/auth.schemas.js";
import { queuesBody } from "../auth/user-queues.routes.js";
import { statusBody } from "../agents/workspace.routes.js";
import { journalQuery } from "../calls/calls.routes.js";
import { originateBody, transferBody } from "../calls/call-control.routes.js";
import { clientChangesBody, clientDto, clientListQuery, clientPage, contactBody, importJob, importReport, newClientBody, noteBody, noteDto, taskDto, taskList, timelinePage } from "../crm/clients.schemas.js";
import { newTaskBody, taskChangesBody, taskListQuery } from "../crm/tasks.service.js";
import { importQuery } from "../crm/csv-import.js";
import { callbackCreated, callbackDto, callbackPage, callbackQuery, newCallbackBody, patchCallbackBody, publicCallbackBody, settingsBody, siteBody } from "../callbacks/callbacks.schemas.js";
import { audioQuery, eraseBody, holdBody, pauseBody, recordingDetail, recordingPage, recordingQuery, retentionBody } from "../recordings/recordings.schemas.js";
import { agentsReport, agentsReportQuery, callsReport, callsReportQuery } from "../reports/reports.schemas.js";
import { businessReport, businessReportQuery } from "../reports/business.schemas.js";
import { agentActionBody, spyBody, supervisorAlert, targetsBody, tvTokenBody, tvWallboard, wallboard, wallboardUpdate } from "../supervisor/supervisor.schemas.js";
import { draftBody, funnelQuery, importBody, newScriptBody, ruleBody, runBody, scriptFunnel, versionQuery } from "../scripts/scripts.schemas.js";
import { apiTokenCreated, apiTokenList, newApiTokenBody } from "./integration.schemas.js";
import { deliveryDto, newWebhookBody, webhookCreated, webhookDto } from "./webhooks.js";

/** How one route is described in the OpenAPI document (server/integration/openapi.ts). */
export interface RouteDoc {
  tag: string;
  summary: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The success answer's body; without it, "JSON" with no schema. */
  response?: z.ZodType;
  /** The success status (200 unless said). */
  status?: number;
  /** The success answer is not JSON (a CSV file, audio, a WebSocket). */
  produces?: string;
}

const errorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }) })
  .meta({ id: "Error", description: "Every error: 4xx/5xx with a code, a message and, for bad input, the field" });
export { errorBody };

const health = z
  .object({ status: z.enum(["ok", "degraded"]), version: z.string(), ami: z.enum(["connected", "disconnected"]), lease: z.string(), db: z.string(), redis: z.string() })
  .catchall(z.unknown())
  .meta({ id: "Health" });
const loginAnswer = z.object({ token: z.string(), expiresAt: z.string(), user: z.object({ id: z.number(), username: z.string(), role: z.string(), extension: z.string().nullable() }).catchall(z.unknown()) });
const call = z
  .object({
    id: z.number().int(),
    linkedid: z.string(),
    direction: z.string(),
    callerNumber: z.string(),
    calledNumber: z.string(),
    queue: z.string().nullable(),
    agent: z.string().nullable(),
    clientId: z.number().int().nullable(),
    startedAt: z.string(),
    answeredAt: z.string().nullable(),
    endedAt: z.string(),
    waitSeconds: z.number().nullable(),
    talkSeconds: z.number().nullable(),
    outcome: z.string(),
    recordingId: z.number().int().nullable(),
  })
  .catchall(z.unknown())
  .meta({ id: "Call" });
const callPage = z.object({ items: z.array(call), next: z.string().nullable() });

/**
 * Every /api route, as `METHOD /path` the way routes declare it (the keys of roles.ts
 * routeAccess), with the zod schemas the route validates with. tests/api/openapi.test.ts fails on
 * a route the server has and this table lacks, and on an entry for a route that does not exist.
 */
export const openapiRoutes: Record<string, RouteDoc> = {
  "GET /health": { tag: "health", summary: "Health of the server, PBX links, database, Redis", response: health },
  "GET /openapi.json": { tag: "integration", summary: "This OpenAPI 3.1 document" },
  "POST /auth/login": { tag: "auth", summary: "Sign in: a bearer session token", body: loginBody, response: loginAnswer },
  "POST /auth/logout": { tag: "auth", summary: "End this session", status: 204 },
  "GET /auth/me": { tag: "auth", summary: "The signed-in user" },
  "GET /users": { tag: "users", summary: "Users (names for pickers)", response: z.object({ items: z.array(publicUserDto) }) },
  "POST /users": { tag: "users", summary: "Create a user", body: newUserBody, response: publicUserDto, status: 201 },
  "PATCH /users/:id": { tag: "users", summary: "Change a user", body: userChangesBody, response: publicUserDto },
  "GET /users/:id/queues": { tag: "users", summary: "The queues a supervisor is responsible for" },
  "PUT /users/:id/queues": { tag: "users", summary: "Set the queues a supervisor is responsible for", body: queuesBody },
  "GET /audit": { tag: "users", summary: "The audit log", query: auditQuery },

  "GET /phone/normalize": { tag: "clients", summary: "A written phone number in E.164", query: z.object({ number: z.string() }) },
  "GET /clients": { tag: "clients", summary: "Search and list clients", query: clientListQuery, response: clientPage },
  "POST /clients": { tag: "clients", summary: "Create a client", body: newClientBody, response: clientDto, status: 201 },
  "GET /clients/export.csv": { tag: "clients", summary: "Export clients (CSV)", query: clientListQuery, produces: "text/csv" },
  "POST /clients/import": { tag: "clients", summary: "Import clients from CSV (background job)", query: importQuery, response: importJob, status: 202 },
  "GET /clients/import/:id": { tag: "clients", summary: "An import's progress and errors", response: importReport },
  "GET /clients/:id": { tag: "clients", summary: "A client", response: clientDto },
  "PATCH /clients/:id": { tag: "clients", summary: "Change a client", body: clientChangesBody, response: clientDto },
  "DELETE /clients/:id": { tag: "clients", summary: "Delete a client (soft)", status: 204 },
  "GET /clients/:id/timeline": { tag: "clients", summary: "A client's calls, notes, tasks, newest first", query: z.object({ limit: z.string().optional(), cursor: z.string().optional() }), response: timelinePage },
  "POST /clients/:id/notes": { tag: "clients", summary: "Add a note", body: noteBody, response: noteDto, status: 201 },
  "POST /clients/:id/contacts": { tag: "clients", summary: "Add a contact", body: contactBody, status: 201 },
  "PATCH /contacts/:id": { tag: "clients", summary: "Change a contact", body: contactBody.partial() },
  "DELETE /contacts/:id": { tag: "clients", summary: "Delete a contact", status: 204 },
  "GET /tasks": { tag: "tasks", summary: "Tasks", query: taskListQuery, response: taskList },
  "POST /tasks": { tag: "tasks", summary: "Create a task", body: newTaskBody, response: taskDto, status: 201 },
  "PATCH /tasks/:id": { tag: "tasks", summary: "Change or close a task", body: taskChangesBody, response: taskDto },

  "GET /me/workspace": { tag: "workspace", summary: "Everything the console needs after a (re)connect" },
  "POST /me/status": { tag: "workspace", summary: "Available, paused (reason) or logged out", body: statusBody },
  "POST /calls/originate": { tag: "calls", summary: "Click-to-call: ring my phone, then the number", body: originateBody, status: 202 },
  "POST /calls/:callId/hangup": { tag: "calls", summary: "Hang up a call one is on", status: 204 },
  "POST /calls/:callId/transfer": { tag: "calls", summary: "Blind transfer to an extension or queue", body: transferBody, status: 202 },
  "POST /calls/:callId/wrapup": { tag: "calls", summary: "Save the wrap-up (disposition from DISPOSITIONS, note)", body: z.object({ disposition: z.string(), note: z.string().optional(), clientId: z.number().int().optional() }) },
  "POST /calls/:callId/client": { tag: "calls", summary: "Which client the call is about", body: z.object({ clientId: z.number().int() }), status: 202 },
  "POST /demo/phone/:action": { tag: "calls", summary: "The demo phone (simulator only)", status: 204 },
  "GET /calls": { tag: "calls", summary: "The call journal, newest first", query: journalQuery, response: callPage },
  "GET /calls/live": { tag: "calls", summary: "Calls up or ringing now" },
  "GET /agents/states": { tag: "calls", summary: "Every agent's state" },

  "POST /callbacks": { tag: "callbacks", summary: "Schedule a callback", body: newCallbackBody, response: callbackCreated, status: 201 },
  "GET /callbacks": { tag: "callbacks", summary: "Callbacks", query: callbackQuery, response: callbackPage },
  "GET /callbacks/summary": { tag: "callbacks", summary: "Per-queue callback counts, last 24 h" },
  "GET /callbacks/settings/:queue": { tag: "callbacks", summary: "A queue's callback settings" },
  "PUT /callbacks/settings/:queue": { tag: "callbacks", summary: "Set a queue's callback settings", body: settingsBody },
  "GET /callbacks/sites": { tag: "callbacks", summary: "Websites whose widget may ask for callbacks" },
  "POST /callbacks/sites": { tag: "callbacks", summary: "Add a website", body: siteBody, status: 201 },
  "POST /callbacks/sites/:id/disable": { tag: "callbacks", summary: "Disable a website", status: 204 },
  "GET /callbacks/:id": { tag: "callbacks", summary: "A callback", response: callbackDto },
  "PATCH /callbacks/:id": { tag: "callbacks", summary: "Reschedule, reassign, cancel", body: patchCallbackBody, response: callbackDto },
  "POST /callbacks/:id/accept": { tag: "callbacks", summary: "Accept an offered callback", status: 202 },
  "POST /callbacks/:id/dial": { tag: "callbacks", summary: "Dial one's own callback now", status: 202 },
  "POST /public/callbacks": { tag: "callbacks", summary: "The website widget's request (site key, no login)", body: publicCallbackBody, status: 202 },

  "GET /recordings": { tag: "recordings", summary: "Recordings", query: recordingQuery, response: recordingPage },
  "GET /recordings/:id": { tag: "recordings", summary: "A recording with peaks and speech", response: recordingDetail },
  "GET /recordings/:id/audio": { tag: "recordings", summary: "The audio (Range honoured)", query: audioQuery, produces: "audio/ogg" },
  "GET /recordings/:id/audio-url": { tag: "recordings", summary: "A short-lived link to the audio for a media element" },
  "GET /recordings/:id/stream": { tag: "recordings", summary: "The audio by ticket", query: audioQuery.extend({ t: z.string() }), produces: "audio/ogg" },
  "POST /calls/:callId/recording": { tag: "recordings", summary: "Pause or resume the recording", body: pauseBody, status: 202 },
  "GET /recordings/retention": { tag: "recordings", summary: "Retention rules" },
  "PUT /recordings/retention": { tag: "recordings", summary: "Set retention rules", body: retentionBody },
  "POST /recordings/retention/run": { tag: "recordings", summary: "Apply retention now" },
  "POST /recordings/erase": { tag: "recordings", summary: "Erase a person's recordings", body: eraseBody },
  "GET /legal-holds": { tag: "recordings", summary: "Legal holds in force" },
  "POST /legal-holds": { tag: "recordings", summary: "Place a legal hold", body: holdBody, status: 201 },
  "DELETE /legal-holds/:id": { tag: "recordings", summary: "Release a legal hold", status: 204 },

  "GET /wallboard": { tag: "supervisor", summary: "The wallboard: queues and agents now (docs/supervisor.md)", response: wallboard },
  "GET /wallboard/tv": { tag: "supervisor", summary: "The wallboard for a TV (wallboard token)", response: tvWallboard },
  "GET /wallboard/tokens": { tag: "supervisor", summary: "Wallboard TV tokens" },
  "POST /wallboard/tokens": { tag: "supervisor", summary: "Make a wallboard TV token", body: tvTokenBody, status: 201 },
  "DELETE /wallboard/tokens/:id": { tag: "supervisor", summary: "Revoke a wallboard TV token", status: 204 },
  "GET /queues/targets": { tag: "supervisor", summary: "Queues' service-level targets and thresholds" },
  "PUT /queues/:queue/targets": { tag: "supervisor", summary: "Set a queue's targets and thresholds", body: targetsBody },
  "POST /supervisor/spy": { tag: "supervisor", summary: "Listen, whisper or barge", body: spyBody },
  "POST /supervisor/spy/stop": { tag: "supervisor", summary: "Stop listening" },
  "POST /supervisor/agents/:ext/:action": { tag: "supervisor", summary: "Pause, unpause, log out or add an agent", body: agentActionBody },

  "GET /scripts": { tag: "scripts", summary: "Call scripts" },
  "POST /scripts": { tag: "scripts", summary: "Create a call script", body: newScriptBody, status: 201 },
  "POST /scripts/import": { tag: "scripts", summary: "Import a call script", body: importBody, status: 201 },
  "GET /scripts/:id": { tag: "scripts", summary: "A call script", query: versionQuery },
  "PUT /scripts/:id/draft": { tag: "scripts", summary: "Save a script's draft", body: draftBody },
  "POST /scripts/:id/publish": { tag: "scripts", summary: "Publish a script's draft" },
  "GET /scripts/:id/export": { tag: "scripts", summary: "Export a call script" },
  "GET /scripts/:id/funnel": { tag: "scripts", summary: "Where callers leave a script (JSON or CSV)", query: funnelQuery, response: scriptFunnel, produces: "application/json, text/csv" },
  "GET /script-rules": { tag: "scripts", summary: "Which script a call gets" },
  "POST /script-rules": { tag: "scripts", summary: "Add a script rule", body: ruleBody, status: 201 },
  "DELETE /script-rules/:id": { tag: "scripts", summary: "Remove a script rule", status: 204 },
  "POST /calls/:callId/script-run": { tag: "scripts", summary: "Record a step of a call's script", body: runBody },
  "GET /calls/:callId/script-run": { tag: "scripts", summary: "A call's script run" },

  "GET /reports/calls": { tag: "reports", summary: "Call-center figures by day, week, hour, queue, agent or DID (JSON or CSV; docs/reports.md)", query: callsReportQuery, response: callsReport, produces: "application/json, text/csv" },
  "GET /reports/business": { tag: "reports", summary: "Business figures from the CRM: lead conversion by stage and month, time to first contact and to process a request, growth per month, lost clients, complaints (JSON, or one table as CSV)", query: businessReportQuery, response: businessReport, produces: "application/json, text/csv" },
  "GET /reports/agents": { tag: "reports", summary: "Per agent: calls, missed rings, talk, hold, wrap-up, time per state and pause reason, occupancy (JSON or CSV)", query: agentsReportQuery, response: agentsReport, produces: "application/json, text/csv" },
  "GET /api-tokens": { tag: "integration", summary: "API tokens (never the tokens themselves)", response: apiTokenList },
  "POST /api-tokens": { tag: "integration", summary: "Make an API token: shown this once", body: newApiTokenBody, response: apiTokenCreated, status: 201 },
  "DELETE /api-tokens/:id": { tag: "integration", summary: "Revoke an API token", status: 204 },
  "GET /webhooks": { tag: "integration", summary: "Outgoing webhooks", response: z.object({ items: z.array(webhookDto) }) },
  "POST /webhooks": { tag: "integration", summary: "Add a webhook: its signing secret is shown this once", body: newWebhookBody, response: webhookCreated, status: 201 },
  "DELETE /webhooks/:id": { tag: "integration", summary: "Remove a webhook", status: 204 },
  "GET /webhooks/:id/deliveries": { tag: "integration", summary: "A webhook's delivery log (last 200)", response: z.object({ items: z.array(deliveryDto) }) },
};

/**
 * Socket.IO pushes whose shapes the console reads and no route answers with: named in the
 * document's components (by their `.meta({ id })`) so the console's generated types have them.
 */
export const pushedSchemas: z.ZodType[] = [wallboardUpdate, supervisorAlert];
