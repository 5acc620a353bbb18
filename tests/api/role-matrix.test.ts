import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { roles, routeAccess, type Access, type Role } from "../../server/auth/roles.js";
import { guardedRouter } from "../../server/auth/guarded-router.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const table = Object.entries(routeAccess as Record<string, Access>).map(([key, access]) => {
  const [method, path] = key.split(" ") as [string, string];
  return { key, method, path, access };
});

/** A concrete path for a route: ids that do not exist, so an allowed role meets 404/400, never a change. */
const probePath = (path: string) =>
  "/api" + path.replace(/:callId/g, "1700000000.999").replace(/:action/g, "none").replace(/:[A-Za-z]+/g, "999999");

describe("role matrix: every route, every role, from the one table (server/auth/roles.ts)", () => {
  let s: TestServer;
  const tokens = {} as Record<Role, string>;
  beforeAll(async () => {
    s = await startTestServer();
    for (const role of roles) {
      if (role === "admin") continue;
      await s.api("POST", "/api/users", { token: s.adminToken, body: { username: `matrix-${role}`, password: "matrix-password", role } });
      tokens[role] = await s.login(`matrix-${role}`, "matrix-password");
    }
    tokens.admin = s.adminToken;
  });
  afterAll(async () => s?.close());

  it("every route the server declares under /api has an entry, and every entry is a route", () => {
    const declared = s.app
      .routes()
      .filter((r) => r.path.startsWith("/api/"))
      .map((r) => `${r.method} ${r.path.slice("/api".length)}`);
    const missing = declared.filter((k) => !(k in routeAccess));
    expect(missing, "routes without an entry in routeAccess").toEqual([]);
    const stale = table.map((e) => e.key).filter((k) => !declared.includes(k));
    expect(stale, "entries for routes that do not exist").toEqual([]);
    expect(declared.length).toBeGreaterThanOrEqual(30);
  });

  it("docs/api.md writes out the same matrix", () => {
    const doc = fs.readFileSync(path.resolve(import.meta.dirname, "../../docs/api.md"), "utf8");
    const section = /<!-- role-matrix:start -->([\s\S]*?)<!-- role-matrix:end -->/.exec(doc)?.[1] ?? "";
    const documented = Object.fromEntries(
      [...section.matchAll(/^\| `(\w+) \/api(\S+)` \| ([^|]+)\| ([^|]+)\| ([^|]+)\| ([^|]+)\|/gm)].map((m) => [
        `${m[1]} ${m[2]}`,
        [m[3], m[4], m[5], m[6]].map((c) => c!.trim()),
      ]),
    );
    const expected = Object.fromEntries(
      table.map((e) => [e.key, roles.map((r) => (e.access === "public" ? "public" : e.access.includes(r) ? "yes" : "–"))]),
    );
    expect(documented).toEqual(expected);
  });

  it("a router refuses to register a route the table does not list", () => {
    expect(() => guardedRouter().get("/not-in-the-table", (_req, res) => void res.end())).toThrow(/no entry in the role matrix/);
  });

  for (const e of table) {
    it(`${e.key}: ${e.access === "public" ? "public" : e.access.join(", ")}`, async () => {
      const call = async (token: string | undefined) => {
        // Logging out would end the shared session: that route gets a session of its own.
        const t = e.key === "POST /auth/logout" && token ? await freshToken(token) : token;
        return s.api(e.method, probePath(e.path), { token: t, ...(e.method === "GET" ? {} : { body: {} }) });
      };
      const anonymous = await call(undefined);
      if (e.access === "public") expect(anonymous.status, "anonymous").not.toBe(401);
      else expect(anonymous.status, "anonymous").toBe(401);
      for (const role of roles) {
        const r = await call(tokens[role]);
        const allowedRole = e.access === "public" || e.access.includes(role);
        if (allowedRole) {
          expect(r.status, `${role}: ${JSON.stringify(r.body)}`).not.toBe(403);
          expect(r.status, role).not.toBe(401);
          expect(r.status, `${role}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
        } else {
          expect(r.status, role).toBe(403);
          expect(r.body.error.code).toBe("FORBIDDEN");
        }
      }
    });
  }

  const freshToken = async (token: string) => {
    const me = await s.api("GET", "/api/auth/me", { token });
    const username = me.body.user.username as string;
    return s.login(username, username === "admin" ? "admin-password-1" : "matrix-password");
  };
});
