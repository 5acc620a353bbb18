/**
 * The role matrix, in one place: who may call which route, and the few finer rights checked
 * inside routes. docs/api.md ("Roles") writes it out; tests/api/role-matrix.test.ts walks every
 * route for every role from this table, and fails on a route the server has but the table lacks.
 */
export const roles = ["agent", "supervisor", "manager", "admin"] as const;
export type Role = (typeof roles)[number];

const staff: readonly Role[] = roles;
const supervisors: readonly Role[] = ["supervisor", "manager", "admin"];
const managers: readonly Role[] = ["manager", "admin"];
const admins: readonly Role[] = ["admin"];

/** `public`: no token needed; otherwise the roles allowed (everyone else gets 403). */
export type Access = "public" | readonly Role[];

/**
 * Every route under /api, as `METHOD /path` with the path as the route declares it. A route
 * without an entry cannot be registered (guardedRouter throws at start-up).
 */
export const routeAccess = {
  "GET /health": "public",
  "POST /auth/login": "public",
  "POST /auth/logout": staff,
  "GET /auth/me": staff,

  // Everyone signed in can list users: assignee and owner pickers need names.
  "GET /users": staff,
  "POST /users": admins,
  "PATCH /users/:id": admins,
  "GET /users/:id/queues": admins,
  "PUT /users/:id/queues": admins,
  "GET /audit": admins,

  "GET /phone/normalize": staff,
  // Agents and supervisors read client lists within a row budget (BULK_READ_*); managers export.
  "GET /clients": staff,
  "POST /clients": staff,
  "GET /clients/export.csv": managers,
  "POST /clients/import": managers,
  "GET /clients/import/:id": managers,
  "GET /clients/:id": staff,
  // Agents edit clients but may not remove their phone numbers (can.removeClientData).
  "PATCH /clients/:id": staff,
  "DELETE /clients/:id": supervisors,
  "GET /clients/:id/timeline": staff,
  "POST /clients/:id/notes": staff,
  "POST /clients/:id/contacts": staff,
  "PATCH /contacts/:id": staff,
  "DELETE /contacts/:id": supervisors,

  // Agents see and change only tasks assigned to them or created by them (can.allTasks).
  "GET /tasks": staff,
  "POST /tasks": staff,
  "PATCH /tasks/:id": staff,

  "GET /me/workspace": staff,
  "POST /me/status": staff,
  "POST /calls/originate": staff,
  // Only the agent on the call (checked in the route); supervisors+ may wrap up any call.
  "POST /calls/:callId/hangup": staff,
  "POST /calls/:callId/transfer": staff,
  "POST /calls/:callId/wrapup": staff,
  "POST /calls/:callId/client": staff,
  "POST /demo/phone/:action": staff,
  "GET /calls": staff,
  "GET /calls/live": staff,
  "GET /agents/states": staff,

  // Call scripts: everyone reads scripts (the runner, jumps) and saves runs on their own calls
  // (checked in the route; supervisors+ any call); supervisors+ design, publish and read funnels.
  "GET /scripts": staff,
  "POST /scripts": supervisors,
  "POST /scripts/import": supervisors,
  "GET /scripts/:id": staff,
  "PUT /scripts/:id/draft": supervisors,
  "POST /scripts/:id/publish": supervisors,
  "GET /scripts/:id/export": supervisors,
  "GET /scripts/:id/funnel": supervisors,
  "GET /script-rules": supervisors,
  "POST /script-rules": supervisors,
  "DELETE /script-rules/:id": supervisors,
  "POST /calls/:callId/script-run": staff,
  "GET /calls/:callId/script-run": staff,

  // Recordings: everyone signed in may ask; what each sees is scoped inside (managers and admins
  // all calls, supervisors their queues, agents their own with RECORDINGS_AGENT_ACCESS).
  // Callbacks: agents their own and their queue's (checked in the routes); supervisors+ all.
  "POST /callbacks": staff,
  "GET /callbacks": staff,
  "GET /callbacks/summary": supervisors,
  "GET /callbacks/settings/:queue": supervisors,
  "PUT /callbacks/settings/:queue": admins,
  "GET /callbacks/sites": admins,
  "POST /callbacks/sites": admins,
  "POST /callbacks/sites/:id/disable": admins,
  "GET /callbacks/:id": staff,
  "PATCH /callbacks/:id": staff,
  "POST /callbacks/:id/accept": staff,
  "POST /callbacks/:id/dial": staff,
  // The website widget: no login; a site key, an allowed origin and rate limits instead.
  "POST /public/callbacks": "public",

  // The supervisor console: supervisors see and act on their queues (user_queues), managers and admins on all.
  "GET /wallboard": supervisors,
  // The TV on the wall: a read-only wallboard token instead of a login (rate-limited per address).
  "GET /wallboard/tv": "public",
  "GET /wallboard/tokens": managers,
  "POST /wallboard/tokens": managers,
  "DELETE /wallboard/tokens/:id": managers,
  "GET /queues/targets": supervisors,
  "PUT /queues/:queue/targets": managers,
  "POST /supervisor/spy": supervisors,
  "POST /supervisor/spy/stop": supervisors,
  "POST /supervisor/agents/:ext/:action": supervisors,

  "GET /recordings": staff,
  "GET /recordings/:id": staff,
  "GET /recordings/:id/audio": staff,
  "GET /recordings/:id/audio-url": staff,
  // The audio by short-lived ticket for the browser's <audio> element (no bearer header there):
  // a dead or missing ticket is a 404; a live one acts as, and is scoped to, the user it was made for.
  "GET /recordings/:id/stream": "public",
  // The agent on the call (checked in the route), or a supervisor+.
  "POST /calls/:callId/recording": staff,
  "GET /recordings/retention": admins,
  "PUT /recordings/retention": admins,
  "POST /recordings/retention/run": admins,
  "POST /recordings/erase": admins,
  "GET /legal-holds": managers,
  "POST /legal-holds": managers,
  "DELETE /legal-holds/:id": managers,

  // Reports: supervisors see their own queues' figures only (user_queues, checked in the route).
  "GET /reports/calls": supervisors,
  "GET /reports/agents": supervisors,
  "GET /reports/business": managers,

  // Integration API: tokens for other systems (admin), the OpenAPI description (public).
  "GET /openapi.json": "public",
  "GET /api-tokens": admins,
  "POST /api-tokens": admins,
  "DELETE /api-tokens/:id": admins,
  "GET /webhooks": admins,
  "POST /webhooks": admins,
  "DELETE /webhooks/:id": admins,
  "GET /webhooks/:id/deliveries": admins,
} satisfies Record<string, Access>;

export type RouteKey = keyof typeof routeAccess;

/**
 * What an API token (a system, not a person) may call, by scope: these routes and no other, with a
 * manager's view inside them. `events:stream` opens the WebSocket /api/stream (not a route here).
 */
export const apiScopes = {
  "calls:read": ["GET /calls", "GET /calls/live"],
  "clients:read": ["GET /clients", "GET /clients/:id", "GET /clients/:id/timeline", "GET /phone/normalize"],
  "clients:write": ["POST /clients", "PATCH /clients/:id", "POST /clients/:id/notes", "POST /clients/:id/contacts", "PATCH /contacts/:id"],
  "events:stream": [],
} satisfies Record<string, RouteKey[]>;

export function scopesAllow(scopes: readonly string[], method: string, path: string): boolean {
  const key = `${method.toUpperCase()} ${path}`;
  return scopes.some((s) => ((apiScopes as Record<string, readonly string[]>)[s] ?? []).includes(key));
}

/** Rights checked inside routes, finer than a route: admin may do everything. */
export const can = {
  /** Remove a client's or contact's phone numbers (they drive caller lookup), delete contacts. */
  removeClientData: supervisors,
  /** See and change every user's tasks, not only one's own. */
  allTasks: supervisors,
  /** Read client lists without the bulk-read budget (the audited export is theirs too). */
  unlimitedLists: managers,
  /** Wrap up any call, not only one's own. */
  wrapUpAnyCall: supervisors,
} satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof can;

export function allowed(role: Role, permission: Permission): boolean {
  return role === "admin" || (can[permission] as readonly Role[]).includes(role);
}

export function accessOf(method: string, path: string): Access | undefined {
  return (routeAccess as Record<string, Access>)[`${method.toUpperCase()} ${path}`];
}
