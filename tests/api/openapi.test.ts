import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

const methods = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];
const jsonTypes = ["string", "number", "integer", "boolean", "object", "array", "null"];

/**
 * The problems of a JSON Schema (2020-12, as OpenAPI 3.1 uses) at `where`: the keywords' shapes
 * that a generator could get wrong (types, nested schemas, required lists, enums, 3.0 leftovers).
 */
function schemaProblems(s: any, where: string, out: string[] = []): string[] {
  if (typeof s === "boolean") return out;
  if (!s || typeof s !== "object" || Array.isArray(s)) {
    out.push(`${where}: not a schema`);
    return out;
  }
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  for (const t of types) if (!jsonTypes.includes(t)) out.push(`${where}: unknown type ${t}`);
  if ("nullable" in s) out.push(`${where}: 'nullable' is OpenAPI 3.0, not 3.1`);
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.every((r: unknown) => typeof r === "string"))) out.push(`${where}: required`);
  if (s.enum !== undefined && !Array.isArray(s.enum)) out.push(`${where}: enum`);
  for (const k of ["properties", "patternProperties", "$defs"]) for (const [n, sub] of Object.entries<any>(s[k] ?? {})) schemaProblems(sub, `${where}.${k}.${n}`, out);
  for (const k of ["items", "additionalProperties", "not", "contains", "propertyNames"]) if (s[k] !== undefined) schemaProblems(s[k], `${where}.${k}`, out);
  for (const k of ["anyOf", "oneOf", "allOf", "prefixItems"]) {
    if (s[k] === undefined) continue;
    if (!Array.isArray(s[k])) out.push(`${where}.${k}: not a list`);
    else s[k].forEach((sub: unknown, i: number) => schemaProblems(sub, `${where}.${k}.${i}`, out));
  }
  return out;
}

/** Every `$ref` anywhere in a value. */
function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refs(x, out);
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string") out.push(x);
      else refs(x, out);
    }
  return out;
}

/**
 * The OpenAPI document: served without login, structurally valid OpenAPI 3.1 (schemas shaped as
 * JSON Schema 2020-12, every $ref resolves, path parameters declared), and it documents exactly
 * the routes the server has.
 */
describe("OpenAPI 3.1 document (GET /api/openapi.json)", () => {
  let s: TestServer;
  let doc: any;
  beforeAll(async () => {
    s = await startTestServer();
    const r = await s.api("GET", "/api/openapi.json");
    expect(r.status).toBe(200);
    doc = r.body;
  });
  afterAll(async () => s?.close());

  it("validates: OpenAPI 3.1 structure, JSON Schema 2020-12 schemas, resolving references", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas ?? {})) schemaProblems(schema, `components.${name}`, problems);
    for (const ref of refs(doc)) {
      const m = /^#\/components\/(schemas|securitySchemes)\/(.+)$/.exec(ref);
      expect(m && doc.components[m[1]!][m[2]!], `unresolved ${ref}`).toBeTruthy();
    }
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      expect(path.startsWith("/")).toBe(true);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries<any>(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(methods, where).toContain(method);
        expect(op.operationId, where).toBeTruthy();
        expect(operationIds.has(op.operationId), `${where}: operationId unique`).toBe(false);
        operationIds.add(op.operationId);
        expect(Object.keys(op.responses ?? {}).length, where).toBeGreaterThan(0);
        for (const [status, r] of Object.entries<any>(op.responses)) {
          expect(status, where).toMatch(/^([1-5]\d\d|default)$/);
          expect(typeof r.description, `${where} ${status}`).toBe("string");
          for (const media of Object.values<any>(r.content ?? {})) if (media.schema) schemaProblems(media.schema, `${where} ${status}`, problems);
        }
        const params = op.parameters ?? [];
        for (const p of params) {
          expect(["query", "path", "header", "cookie"], where).toContain(p.in);
          expect(p.name, where).toBeTruthy();
          schemaProblems(p.schema, `${where} ${p.name}`, problems);
        }
        for (const name of templated) expect(params.find((p: any) => p.in === "path" && p.name === name)?.required, `${where}: path parameter ${name}`).toBe(true);
        const body = op.requestBody?.content?.["application/json"]?.schema;
        if (body) schemaProblems(body, `${where} body`, problems);
      }
    }
    expect(problems).toEqual([]);
  });

  it("documents every /api route the server has, and no other (the WebSocket stream aside)", () => {
    const declared = s.app
      .routes()
      .filter((r) => r.path.startsWith("/api/"))
      .map((r) => `${r.method} ${r.path.slice("/api".length).replace(/:(\w+)/g, "{$1}")}`)
      .sort();
    const documented = Object.entries<any>(doc.paths)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((k) => k !== "GET /stream")
      .sort();
    expect(documented.filter((k) => !declared.includes(k)), "documented but not a route").toEqual([]);
    expect(declared.filter((k) => !documented.includes(k)), "routes missing from server/integration/openapi-routes.ts").toEqual([]);
    expect(doc.paths["/stream"].get.responses["101"]).toBeTruthy();
  });

  it("is built from the routes' own schemas: the reports query and answer, the API token body", () => {
    const reports = doc.paths["/reports/calls"].get;
    const groupBy = reports.parameters.find((p: any) => p.name === "groupBy");
    expect(groupBy.schema.enum).toEqual(["day", "week", "hour", "queue", "agent", "did"]);
    const tokenBody = doc.paths["/api-tokens"].post.requestBody.content["application/json"].schema;
    const scopes = (tokenBody.$ref ? doc.components.schemas[tokenBody.$ref.split("/").pop()] : tokenBody).properties.scopes;
    expect(scopes.items.enum).toEqual(["calls:read", "clients:read", "clients:write", "events:stream"]);
    expect(doc.paths["/health"].get.security).toEqual([]);
    expect(doc.paths["/calls"].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(["from", "to", "agent", "queue", "outcome"]));
  });

  it("the reference page is served from this origin, without inline scripts", async () => {
    const page = await s.api("GET", "/api-reference");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.body).toContain('<script type="module" src="/api-reference/reference.js"></script>');
    expect(page.body).not.toMatch(/<script>|https?:\/\/(?!127)/);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect((await s.api("GET", "/api-reference/reference.js")).status).toBe(200);
  });
});
