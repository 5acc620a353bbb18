// The database is the import's source of truth: a server that stops in the middle of an import
// leaves it "running" with the rows it did counted, and the next start of that node (same host and
// data directory) finishes it from there, each row once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/platform/db/database.js";
import { dbKinds, freshPostgresDatabase } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

describe.each(dbKinds)("an import interrupted by a restart on %s", (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "crm-resume-"));
  let pg: Awaited<ReturnType<typeof freshPostgresDatabase>> | null = null;
  let second: TestServer | undefined;
  afterAll(async () => {
    await second?.close();
    await pg?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("resumes where it stopped and counts every row once", async () => {
    pg = kind === "postgres" ? await freshPostgresDatabase() : null;
    const env = { DATA_DIR: dataDir, ...(pg ? { DATABASE_URL: pg.url } : {}) };
    const first = await startTestServer({ env });
    const rows = 250;
    const lines = ["name,phone"];
    for (let i = 0; i < rows; i++) lines.push(`Resumed ${i},+1 917 555 ${String(i).padStart(4, "0")}`);
    const queued = await first.api("POST", "/api/clients/import", { token: first.adminToken, raw: lines.join("\n"), headers: { "content-type": "text/csv" } });
    expect(queued.status).toBe(202);
    const id = queued.body.id as number;
    await expectEventually(async () => {
      const r = await first.api("GET", `/api/clients/import/${id}`, { token: first.adminToken });
      expect(r.body).toMatchObject({ status: "running", totalRows: rows });
    }, 30_000);
    await first.close();

    // What the first server left is in the database: still running, the rows it did counted.
    const db = await openDatabase({ url: pg?.url ?? null, dataDir: pg ? null : path.join(dataDir, "pgdata") });
    const left = await db.prisma.csvImport.findUniqueOrThrow({ where: { id } });
    await db.close();
    expect(left).toMatchObject({ status: "running", totalRows: rows });
    expect(left.rowsDone).toBeLessThan(rows);

    const stopped = await startTestServer({ env });
    second = stopped;
    let report: { body: any } = { body: null };
    await expectEventually(async () => {
      report = await stopped.api("GET", `/api/clients/import/${id}`, { token: stopped.adminToken });
      expect(report.body.status).toBe("done");
    }, 60_000, 100);
    expect(report.body).toMatchObject({ rowsDone: rows, created: rows, updated: 0, unchanged: 0, failed: 0 });
    expect(await stopped.app.db.prisma.client.count({ where: { name: { startsWith: "Resumed " } } })).toBe(rows);
    // The upload is removed once the import is recorded as done.
    await expectEventually(() => expect(fs.readdirSync(path.join(dataDir, "imports"))).toEqual([]));
  });
});
