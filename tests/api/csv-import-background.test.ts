// A large CSV import runs in the background and the server keeps answering meanwhile (issue 8: a
// 20 MiB dry run froze every request for 16 s; a real import on PGlite froze it for its whole
// length). Ordering is asserted by state, never by time: other requests are answered while the
// import still says "running", and the import then ends with the right counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

interface Progress {
  id: number;
  status: string;
  totalRows: number | null;
  rowsDone: number;
}

/** `rows` clients with distinct valid US numbers (area codes 212, 646, 718, ... × 555-0000..9999). */
function csvOf(rows: number, prefix: string): string {
  const areas = ["212", "646", "718", "917", "347"];
  const lines = ["name,phone,email,tags,notes"];
  for (let i = 0; i < rows; i++) {
    const area = areas[Math.floor(i / 10_000)]!;
    const n = String(i % 10_000).padStart(4, "0");
    lines.push(`${prefix} ${i},+1 ${area} 555 ${n},${prefix.toLowerCase()}${i}@example.com,import;test,"row ${i}, with a comma"`);
  }
  return lines.join("\n");
}

describe.each(dbKinds)("CSV import in the background on %s", (db) => {
  let s: TestServer;
  let manager: string;
  let agent: string;
  let socket: Socket;
  const seen: Progress[] = [];

  beforeAll(async () => {
    s = await startTestServer({ db });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "mgr", password: "manager-pass", role: "manager" } });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "ag", password: "agent-pass-1", role: "agent" } });
    manager = await s.login("mgr", "manager-pass");
    agent = await s.login("ag", "agent-pass-1");
    await s.api("POST", "/api/clients", { token: agent, body: { name: "Zelda Searchable", phones: ["+1 415 555 0199"] } });
    socket = io(s.url, { auth: { token: manager }, transports: ["websocket"], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    });
    socket.on("import:progress", (p: Progress) => seen.push(p));
  });
  afterAll(async () => {
    socket?.close();
    await s?.close();
  });

  /** Starts an import; waits until it is importing rows (its first progress past the row count). */
  async function startImport(csv: string, query: string): Promise<number> {
    const r = await s.api("POST", `/api/clients/import${query}`, { token: manager, raw: csv, headers: { "content-type": "text/csv" } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const id = r.body.id as number;
    await expectEventually(() => expect(seen.some((p) => p.id === id && p.status === "running" && p.totalRows !== null)).toBe(true), 60_000);
    return id;
  }

  /** While import `id` runs: health and a client search are answered, and the import is still running after both. */
  async function expectServedMeanwhile(id: number): Promise<void> {
    const [health, search] = await Promise.all([
      s.api("GET", "/api/health"),
      s.api("GET", "/api/clients?q=zelda", { token: agent }),
    ]);
    expect(health.status).toBe(200);
    expect(search.status).toBe(200);
    expect(search.body.items.map((c: { name: string }) => c.name)).toEqual(["Zelda Searchable"]);
    const during = await s.api("GET", `/api/clients/import/${id}`, { token: manager });
    expect(during.body.status).toBe("running");
    expect(during.body.rowsDone).toBeLessThan(during.body.totalRows);
  }

  async function finished(id: number) {
    let report: { body: any } = { body: null };
    await expectEventually(async () => {
      report = await s.api("GET", `/api/clients/import/${id}`, { token: manager });
      expect(report.body.status).toBe("done");
    }, 120_000, 100);
    return report.body;
  }

  it("a large dry run (2 MiB, 26,000 rows) leaves requests answered while it runs", async () => {
    const csv = csvOf(26_000, "Dry");
    expect(csv.length).toBeGreaterThan(2 * 1024 * 1024);
    const id = await startImport(csv, "?dryRun=1");
    await expectServedMeanwhile(id);
    const report = await finished(id);
    expect(report).toMatchObject({ dryRun: true, totalRows: 26_000, rowsDone: 26_000, created: 26_000, updated: 0, failed: 0 });
    expect((await s.api("GET", "/api/clients?q=dry", { token: agent })).body.items).toEqual([]);
  });

  it("a real import leaves requests answered while it writes, and counts every row", async () => {
    const id = await startImport(csvOf(600, "Real"), "");
    await expectServedMeanwhile(id);
    const report = await finished(id);
    expect(report).toMatchObject({ dryRun: false, totalRows: 600, rowsDone: 600, created: 600, updated: 0, unchanged: 0, failed: 0, errors: [] });
    const one = await s.api("GET", `/api/clients?phone=${encodeURIComponent("+1 212 555 0599")}`, { token: agent });
    expect(one.body.items[0]).toMatchObject({ name: "Real 599", emails: ["real599@example.com"], tags: ["import", "test"], notes: "row 599, with a comma" });
    const mine = seen.filter((p) => p.id === id).map((p) => p.rowsDone);
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
    expect(seen.filter((p) => p.id === id).at(-1)).toMatchObject({ status: "done", rowsDone: 600 });
  });
});
