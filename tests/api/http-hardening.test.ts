import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** A console build as Vite lays it out, with a source map a careless build left behind. */
function fakeConsole(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-ui-"));
  fs.mkdirSync(path.join(dir, "assets"));
  fs.writeFileSync(path.join(dir, "index.html"), `<!doctype html><html><head><script type="module" src="/assets/app.js"></script></head><body></body></html>`);
  fs.writeFileSync(path.join(dir, "assets", "app.js"), "console.log('console');\n//# sourceMappingURL=app.js.map\n");
  fs.writeFileSync(path.join(dir, "assets", "app.js.map"), JSON.stringify({ version: 3, sources: ["../src/secret.ts"], sourcesContent: ["secret"] }));
  return dir;
}

/** Raw HTTP, so malformed paths reach the server as written (fetch would normalise some). */
async function raw(url: string, target: string, method = "GET"): Promise<{ status: number; type: string; body: string; headers: Headers }> {
  const u = new URL(url);
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname, () => sock.write(`${method} ${target} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`));
    let data = "";
    sock.setEncoding("latin1");
    sock.on("data", (c: string) => (data += c));
    sock.on("error", reject);
    sock.on("end", () => {
      const [head = "", ...rest] = data.split("\r\n\r\n");
      const lines = head.split("\r\n");
      const headers = new Headers();
      for (const l of lines.slice(1)) {
        const i = l.indexOf(":");
        if (i > 0) headers.append(l.slice(0, i).trim(), l.slice(i + 1).trim());
      }
      resolve({ status: Number(lines[0]?.split(" ")[1]), type: headers.get("content-type") ?? "", body: rest.join("\r\n\r\n"), headers });
    });
  });
}

const isJsonError = (r: { status: number; type: string; body: string }) => {
  expect(r.type, r.body).toMatch(/application\/json/);
  expect(r.body).not.toMatch(/<!DOCTYPE|<html|<pre>/i);
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
};

describe("HTTP hardening: security headers, no source maps, JSON errors everywhere", () => {
  let s: TestServer;
  let bare: TestServer;
  const uiDir = fakeConsole();
  beforeAll(async () => {
    s = await startTestServer({ env: { UI_DIR: uiDir } });
    bare = await startTestServer({ env: { UI_DIR: path.join(uiDir, "missing") } });
  });
  afterAll(async () => {
    await s?.close();
    await bare?.close();
    fs.rmSync(uiDir, { recursive: true, force: true });
  });

  it("sends a Content-Security-Policy without inline code and forbids framing", async () => {
    for (const p of ["/", "/api/health"]) {
      const r = await fetch(s.url + p);
      const csp = r.headers.get("content-security-policy") ?? "";
      expect(csp, p).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).not.toContain("unsafe-eval");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("referrer-policy")).toBe("no-referrer");
      expect(r.headers.get("x-powered-by")).toBeNull();
    }
  });

  it("never serves source maps, even when the build left them", async () => {
    expect((await fetch(`${s.url}/assets/app.js`)).status).toBe(200);
    for (const p of ["/assets/app.js.map", "/assets/APP.JS.MAP", "/assets/app.js.map?x=1", "/assets/nothing.map"]) {
      const r = await raw(s.url, p);
      expect(r.status, p).toBe(404);
      isJsonError(r);
      expect(r.body).not.toContain("secret");
    }
  });

  it("answers malformed and unknown non-API paths with JSON, never Express's HTML page", async () => {
    for (const p of ["/%E0", "/assets/%E0.js", "/%", "/api/%E0", "/api/clients/%E0", "/x/%E0%A4"]) {
      const r = await raw(s.url, p);
      isJsonError(r);
      expect(r.status, p).toBe(400);
      expect(JSON.parse(r.body).error.field).toBe("path");
    }
    // A missing file is a 404, not the console's page; page paths still get the console.
    for (const p of ["/assets/nothing.js", "/favicon.ico"]) {
      const r = await raw(s.url, p);
      isJsonError(r);
      expect(r.status, p).toBe(404);
    }
    for (const p of ["/", "/clients", "/index.html"]) expect((await raw(s.url, p)).type, p).toMatch(/text\/html/);
    for (const p of ["/%E0", "/anything", "/assets/app.js", "/api/%E0"]) {
      const r = await raw(bare.url, p);
      isJsonError(r);
    }
    for (const method of ["POST", "PUT", "DELETE"]) isJsonError(await raw(s.url, "/somewhere", method));
  });
});
