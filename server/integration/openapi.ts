import { z } from "zod";
import { createDocument, createSchema, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { accessOf } from "../auth/roles.js";
import { errorBody, openapiRoutes, pushedSchemas, type RouteDoc } from "./openapi-routes.js";
import { streamEvent, streamQuery } from "./integration.schemas.js";

/** `/clients/:id` → `/clients/{id}` and the names of its path parameters. */
export function openapiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  return { path: path.replace(/:([A-Za-z]+)/g, (_m, name: string) => (params.push(name), `{${name}}`)), params };
}

function operation(key: string, d: RouteDoc): ZodOpenApiOperationObject {
  const [method, path] = key.split(" ") as [string, string];
  const { params } = openapiPath(path);
  const access = accessOf(method, path);
  const status = String(d.status ?? 200);
  const json = !d.produces || d.produces.startsWith("application/json");
  const success =
    status === "204"
      ? { description: "done" }
      : {
          description: d.summary,
          content: Object.fromEntries(
            (d.produces ?? "application/json").split(", ").map((type) => [type, type === "application/json" ? { schema: d.response ?? z.unknown() } : { schema: z.string() }]),
          ),
        };
  const error = { content: { "application/json": { schema: errorBody } } };
  return {
    tags: [d.tag],
    summary: d.summary,
    operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(\w)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
    description: access === "public" ? "No login." : access ? `Roles: ${access.join(", ")}.` : undefined,
    ...(access === "public" ? { security: [] } : {}),
    requestParams: {
      ...(params.length ? { path: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
      ...(d.query ? { query: d.query } : {}),
    },
    ...(d.body ? { requestBody: { required: true, content: { "application/json": { schema: d.body } } } } : {}),
    responses: {
      [status]: success,
      ...(json || d.query || d.body ? { "400": { description: "bad input (names the field)", ...error } } : {}),
      ...(access !== "public" ? { "401": { description: "no or dead token", ...error }, "403": { description: "role or token scope does not allow it", ...error } } : {}),
    },
  };
}

/** The OpenAPI 3.1 document of every /api route, from the zod schemas the routes validate with. */
export function buildOpenApi(version: string): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  for (const [key, d] of Object.entries(openapiRoutes)) {
    const [method, path] = key.split(" ") as [string, string];
    const p = openapiPath(path).path;
    paths[p] = { ...paths[p], [method.toLowerCase()]: operation(key, d) };
  }
  paths["/stream"] = {
    get: {
      tags: ["integration"],
      summary: "The event stream (WebSocket)",
      operationId: "getStream",
      description:
        "A plain WebSocket (send `Upgrade: websocket`); needs an API token with `events:stream`. Each message is one event `{seq, type, at, ...}`; `?after=<seq>` resumes after that event; a point no longer kept is an error message `RESUME_TOO_OLD` and close code 4410.",
      requestParams: { query: streamQuery },
      responses: {
        "101": { description: "switching to WebSocket; then one StreamEvent per message", content: { "application/json": { schema: streamEvent } } },
        "400": { description: "bad `after`", content: { "application/json": { schema: errorBody } } },
        "401": { description: "no live API token", content: { "application/json": { schema: errorBody } } },
        "403": { description: "the token has no events:stream scope", content: { "application/json": { schema: errorBody } } },
      },
    },
  };
  const doc = createDocument({
    openapi: "3.1.0",
    info: {
      title: "Call-center CRM API",
      version,
      description: "Generated from the zod schemas the routes validate with. Sessions (`POST /auth/login`) and API tokens (`crmapi_…`, scoped) are both bearer tokens. docs/api.md has the prose.",
    },
    servers: [{ url: "/api" }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    tags: [...new Set(Object.values(openapiRoutes).map((d) => d.tag))].map((name) => ({ name })),
    paths,
  });
  // Pushes are answers too (output), but of no route: their schemas (and those they name) are added
  // as the answers' are, so a schema a route and a push share stays one component.
  const schemas = doc.components?.schemas ?? {};
  for (const pushed of pushedSchemas) {
    const { schema, components } = createSchema(pushed, { io: "output", openapiVersion: "3.1.0" });
    if (typeof schema !== "object" || !("$ref" in schema)) throw new Error("a pushed schema needs .meta({ id })");
    for (const [id, s] of Object.entries(components)) {
      if (schemas[id] && JSON.stringify(schemas[id]) !== JSON.stringify(s)) throw new Error(`schema ${id}: a push and a route give it two shapes`);
      schemas[id] = s;
    }
  }
  doc.components = { ...doc.components, schemas };
  return doc;
}
