import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { dbKinds } from "../support/databases.js";
import { formulaPayloads } from "../support/csv-payloads.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

describe.each(dbKinds)("CSV import and export on %s", (db) => {
  let s: TestServer;
  let manager: string;
  let agent: string;
  beforeAll(async () => {
    s = await startTestServer({ db });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "mgr", password: "manager-pass", role: "manager" } });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "ag", password: "agent-pass-1", role: "agent" } });
    manager = await s.login("mgr", "manager-pass");
    agent = await s.login("ag", "agent-pass-1");
  });
  afterAll(async () => s?.close());

  const upload = (csv: string | Buffer, query = "", token = manager, type = "text/csv") =>
    s.api("POST", `/api/clients/import${query}`, { token, raw: csv, headers: { "content-type": type } });
  /** Uploads, expects the 202 of a queued import, and waits for the import's final report. */
  const importCsv = async (csv: string | Buffer, query = "") => {
    const queued = await upload(csv, query);
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    expect(queued.body).toMatchObject({ status: "queued", rowsDone: 0 });
    expect(queued.headers.get("location")).toBe(`/api/clients/import/${queued.body.id}`);
    let report: { status: number; body: any } = queued;
    await expectEventually(async () => {
      report = await s.api("GET", `/api/clients/import/${queued.body.id}`, { token: manager });
      expect(["done", "failed"]).toContain(report.body.status);
    }, 20_000);
    return report;
  };

  const good = [
    "Name,Phone,Email,Stage,Tags,Lead Source,City",
    "Alice Archer,(415) 555-0101,alice@example.com,active,vip;newsletter,radio-spot,San Francisco",
    "Bob Baker,+1 212 555 0102;212-555-0103,,prospect,,website,New York",
    '"Carol ""CJ"" Cruz",305.555.0104,carol@example.com,regular,,,"Miami, FL"',
  ].join("\n");

  it("imports rows, normalizes numbers, and a second import of the same file changes nothing", async () => {
    const first = await importCsv(good);
    expect(first.body).toMatchObject({ status: "done", totalRows: 3, rowsDone: 3, created: 3, updated: 0, unchanged: 0, failed: 0, error: null });
    const bob = await s.api("GET", "/api/clients?phone=2125550103", { token: agent });
    expect(bob.body.items[0]).toMatchObject({ name: "Bob Baker", leadSource: "website" });
    expect(bob.body.items[0].phones.map((p: { number: string }) => p.number)).toEqual(["+12125550102", "+12125550103"]);
    const carol = await s.api("GET", "/api/clients?phone=3055550104", { token: agent });
    expect(carol.body.items[0]).toMatchObject({ name: 'Carol "CJ" Cruz', city: "Miami, FL", stage: "regular" });
    const again = await importCsv(good);
    expect(again.body).toMatchObject({ rowsDone: 3, created: 0, updated: 0, unchanged: 3, failed: 0 });
    expect((await s.api("GET", "/api/clients?q=alice", { token: agent })).body.items).toHaveLength(1);
  });

  it("updates the owner of a known number instead of creating a duplicate, within a file too", async () => {
    const csv = ["name,phone,tags,stage", "Alice Archer,+14155550101,b2b,regular", "Dan Dupe,+1 617 555 0105,,", "Dan Dupe,617 555 0105,late-payer,lost"].join("\r\n");
    const r = await importCsv(csv);
    expect(r.body).toMatchObject({ created: 1, updated: 2, failed: 0 });
    const alice = (await s.api("GET", "/api/clients?phone=4155550101", { token: agent })).body.items;
    expect(alice).toHaveLength(1);
    expect(alice[0].tags.sort()).toEqual(["b2b", "newsletter", "vip"]);
    expect(alice[0].stage).toBe("regular");
    const dan = (await s.api("GET", "/api/clients?phone=6175550105", { token: agent })).body.items;
    expect(dan).toHaveLength(1);
    expect(dan[0]).toMatchObject({ stage: "lost", tags: ["late-payer"] });
  });

  it("reports broken rows by line and field and still imports the good ones", async () => {
    const csv = [
      "name,phone,stage,email,extra",
      ",+1 415 555 0110,,,",
      "Bad Phone,not-a-number,,,",
      "Bad Stage,+1 415 555 0111,gold,,",
      "Bad Email,+1 415 555 0112,,nope,",
      'Unclosed "quote,+1 415 555 0113,,,',
      "Fine Row,+1 415 555 0114,lost,fine@example.com,ignored",
    ].join("\n");
    const r = await importCsv(csv);
    expect(r.body.status).toBe("done");
    expect(r.body.created).toBe(1);
    expect(r.body.failed).toBe(5);
    const byRow = Object.fromEntries(r.body.errors.filter((e: { field: string }) => e.field !== "header").map((e: { row: number; field: string }) => [e.row, e.field]));
    expect(byRow[2]).toBe("name");
    expect(byRow[3]).toBe("phones.0");
    expect(byRow[4]).toBe("stage");
    expect(byRow[5]).toBe("emails.0");
    expect(r.body.errors[0]).toMatchObject({ row: 1, field: "header", message: "ignored columns: extra" });
    expect((await s.api("GET", "/api/clients?phone=4155550114", { token: agent })).body.items[0].name).toBe("Fine Row");
  });

  it("survives huge fields: an oversized cell fails its row, not the import", async () => {
    const csv = ["name,phone,notes", `Huge Notes,+1 415 555 0120,${"x".repeat(70_000)}`, "After Huge,+1 415 555 0121,ok"].join("\n");
    const r = await importCsv(csv);
    expect(r.body).toMatchObject({ status: "done", failed: 1, created: 1 });
    expect(r.body.errors[0]).toMatchObject({ row: 2, field: "notes" });
    expect((await s.api("GET", "/api/clients?phone=4155550121", { token: agent })).body.items[0].name).toBe("After Huge");
    const long = ["name,phone,notes", `Long Notes,+1 415 555 0122,${"y".repeat(30_000)}`].join("\n");
    const r2 = await importCsv(long);
    expect(r2.body).toMatchObject({ failed: 1, created: 0 });
    expect(r2.body.errors[0]).toMatchObject({ row: 2, field: "notes" });
  });

  it("refuses files in the wrong encoding unless told, and reads windows-1252 when told", async () => {
    const latin1 = Buffer.from("name,phone\nJosé Müller,+1 415 555 0130\n", "latin1");
    const refused = await upload(latin1);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/UTF-8/);
    const ok = await importCsv(latin1, "?encoding=windows-1252");
    expect(ok.body.created).toBe(1);
    expect((await s.api("GET", "/api/clients?phone=4155550130", { token: agent })).body.items[0].name).toBe("José Müller");
    const utf16 = Buffer.from("\ufeffname,phone\nX,1\n", "utf16le");
    expect((await upload(utf16)).status).toBe(400);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("name,phone\nBom Person,+1 415 555 0131\n")]);
    expect((await importCsv(bom)).body.created).toBe(1);
  });

  it("refuses a file with no name column, an empty file, a wrong type and one over 20 MB", async () => {
    const noName = await upload("phone\n+14155550140\n");
    expect(noName.status).toBe(400);
    expect(noName.body.error.field).toBe("file");
    expect((await upload("")).status).toBe(400);
    expect((await upload("name\nx", "", manager, "application/xml")).status).toBe(415);
    const big = Buffer.alloc(21 * 1024 * 1024, "a");
    const tooBig = await upload(big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("checks without writing on a dry run", async () => {
    const r = await importCsv("name,phone\nDry Run,+1 415 555 0150\nDry Run Again,415 555 0150\n", "?dryRun=1");
    expect(r.body).toMatchObject({ dryRun: true, created: 1, updated: 1 });
    expect((await s.api("GET", "/api/clients?phone=4155550150", { token: agent })).body.items).toEqual([]);
  });

  it("is for managers: agents get 403 on import and export", async () => {
    expect((await upload(good, "", agent)).status).toBe(403);
    expect((await s.api("GET", "/api/clients/export.csv", { token: agent })).status).toBe(403);
  });

  it("exports what it imports, with formula cells defused and the export audited", async () => {
    await s.api("POST", "/api/clients", { token: agent, body: { name: "=HYPERLINK(\"http://evil\")", phones: ["+1 415 555 0160"] } });
    const r = await s.api("GET", "/api/clients/export.csv?sort=name", { token: manager });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/text\/csv/);
    const rows = parse(r.body as string, { columns: true, bom: true }) as Record<string, string>[];
    const alice = rows.find((x) => x.name === "Alice Archer")!;
    // Phone cells start with '+', which a spreadsheet evaluates: they are defused like any formula.
    expect(alice.phone).toBe("'+14155550101");
    expect(alice.tags!.split(";").sort()).toEqual(["b2b", "newsletter", "vip"]);
    expect(rows.find((x) => x.phone === "'+14155550160")!.name).toBe("'=HYPERLINK(\"http://evil\")");
    // Round trip: the export imported again changes nothing.
    const back = await importCsv(r.body as string);
    expect(back.body).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(back.body.unchanged).toBe(rows.length);
    const audit = await s.api("GET", "/api/audit?action=clients.export", { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({ actorName: "mgr" });
  });
  it("refuses the whole file when a quote is left open, naming the line, and imports nothing", async () => {
    const files: [string, number][] = [
      // Never closed: csv-parse would read every later row into one field.
      [["name,phone", "Before Quote,+1 415 555 0180", '"Open Quote,+1 415 555 0181', "After Quote,+1 415 555 0182", "Later,+1 415 555 0183"].join("\n"), 3],
      // Closed lines later in the middle of a field: the rows in between would vanish.
      [["name,phone", "Before Quote,+1 415 555 0180", '"Open Quote,+1 415 555 0181', "Swallowed,+1 415 555 0182", '"Carol ""CJ"" Cruz",+1 415 555 0183'].join("\n"), 3],
      // Closed, then more text in the same field.
      [["name,phone", "Before Quote,+1 415 555 0180", "Fine,+1 415 555 0184", '"abc"def,+1 415 555 0181', "After Quote,+1 415 555 0182"].join("\r\n"), 4],
    ];
    for (const [csv, line] of files) {
      const r = await importCsv(csv);
      expect(r.body.status, csv).toBe("failed");
      expect(r.body.error).toMatchObject({ code: "VALIDATION", line });
      expect(r.body.error.message).toMatch(new RegExp(`line ${line}: .*quote`));
      expect(r.body.created).toBe(0);
    }
    for (const n of ["4155550180", "4155550182", "4155550184"])
      expect((await s.api("GET", `/api/clients?phone=${n}`, { token: agent })).body.items).toEqual([]);
  });

  it("defuses the 15 classic formula payloads on export and imports them back unchanged", async () => {
    const payloads = formulaPayloads;
    const ids: number[] = [];
    for (const [i, p] of payloads.entries()) {
      const c = await s.api("POST", "/api/clients", { token: agent, body: { name: `Payload ${p}`, company: p, notes: `${p}\n\tsecond line`, phones: [`+1 415 555 02${String(i).padStart(2, "0")}`] } });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      ids.push(c.body.id);
    }
    const r = await s.api("GET", "/api/clients/export.csv?q=payload", { token: manager });
    const rows = parse(r.body as string, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows).toHaveLength(payloads.length);
    for (const row of rows) {
      const p = payloads.find((x) => row.company === `'${x}`);
      expect(p, `company cell ${JSON.stringify(row.company)} went out raw`).toBeDefined();
      expect(row.notes).toBe(`'${p}\n\tsecond line`);
      expect(row.name).toBe(`Payload ${p}`);
      expect(row.phone).toMatch(/^'\+1415555/);
    }
    // Round trip: the file comes back as the same data, apostrophes stripped where the export added them.
    const back = await importCsv(r.body as string);
    expect(back.body).toMatchObject({ status: "done", created: 0, updated: 0, unchanged: payloads.length, failed: 0 });
    for (const [i, id] of ids.entries()) {
      const c = (await s.api("GET", `/api/clients/${id}`, { token: agent })).body;
      expect(c.company).toBe(payloads[i]);
      expect(c.notes).toBe(`${payloads[i]}\n\tsecond line`);
    }
  });

  it("pushes progress to the importing user and only to them", async () => {
    const { io } = await import("socket.io-client");
    const mine = io(s.url, { auth: { token: manager }, transports: ["websocket"], reconnection: false, forceNew: true });
    const theirs = io(s.url, { auth: { token: agent }, transports: ["websocket"], reconnection: false, forceNew: true });
    try {
      await Promise.all([mine, theirs].map((k) => new Promise<void>((resolve, reject) => { k.once("connect", () => resolve()); k.once("connect_error", reject); })));
      const seen: { id: number; status: string; rowsDone: number; totalRows: number | null }[] = [];
      const leaked: unknown[] = [];
      mine.on("import:progress", (p) => seen.push(p));
      theirs.on("import:progress", (p) => leaked.push(p));
      const lines = ["name,phone"];
      for (let i = 0; i < 450; i++) lines.push(`Progress ${i},+1 646 555 ${String(1000 + i).padStart(4, "0")}`);
      const report = await importCsv(lines.join("\n"));
      expect(report.body).toMatchObject({ status: "done", totalRows: 450, rowsDone: 450, created: 450 });
      await expectEventually(() => expect(seen.at(-1)).toMatchObject({ id: report.body.id, status: "done", rowsDone: 450 }));
      expect(seen.map((p) => p.status)).toContain("running");
      expect(seen.some((p) => p.status === "running" && p.rowsDone > 0 && p.rowsDone < 450)).toBe(true);
      const done = seen.map((p) => p.rowsDone);
      expect(done).toEqual([...done].sort((a, b) => a - b));
      expect(leaked).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
  });

  it("answers 404 for an unknown import and 403 to agents", async () => {
    expect((await s.api("GET", "/api/clients/import/999999", { token: manager })).status).toBe(404);
    expect((await s.api("GET", "/api/clients/import/1", { token: agent })).status).toBe(403);
  });
});
