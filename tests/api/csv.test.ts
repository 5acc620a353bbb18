import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

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

  const good = [
    "Name,Phone,Email,Stage,Tags,Lead Source,City",
    "Alice Archer,(415) 555-0101,alice@example.com,active,vip;newsletter,radio-spot,San Francisco",
    "Bob Baker,+1 212 555 0102;212-555-0103,,prospect,,website,New York",
    '"Carol ""CJ"" Cruz",305.555.0104,carol@example.com,regular,,,"Miami, FL"',
  ].join("\n");

  it("imports rows, normalizes numbers, and a second import of the same file changes nothing", async () => {
    const first = await upload(good);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ rows: 3, created: 3, updated: 0, unchanged: 0, failed: 0 });
    const bob = await s.api("GET", "/api/clients?phone=2125550103", { token: agent });
    expect(bob.body.items[0]).toMatchObject({ name: "Bob Baker", leadSource: "website" });
    expect(bob.body.items[0].phones.map((p: { number: string }) => p.number)).toEqual(["+12125550102", "+12125550103"]);
    const carol = await s.api("GET", "/api/clients?phone=3055550104", { token: agent });
    expect(carol.body.items[0]).toMatchObject({ name: 'Carol "CJ" Cruz', city: "Miami, FL", stage: "regular" });
    const again = await upload(good);
    expect(again.body).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3, failed: 0 });
    expect((await s.api("GET", "/api/clients?q=alice", { token: agent })).body.items).toHaveLength(1);
  });

  it("updates the owner of a known number instead of creating a duplicate, within a file too", async () => {
    const csv = ["name,phone,tags,stage", "Alice Archer,+14155550101,b2b,regular", "Dan Dupe,+1 617 555 0105,,", "Dan Dupe,617 555 0105,late-payer,lost"].join("\r\n");
    const r = await upload(csv);
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
    const r = await upload(csv);
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(1);
    expect(r.body.failed).toBeGreaterThanOrEqual(4);
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
    const r = await upload(csv);
    expect(r.status).toBe(200);
    expect(r.body.failed).toBeGreaterThanOrEqual(1);
    const long = ["name,phone,notes", `Long Notes,+1 415 555 0122,${"y".repeat(30_000)}`].join("\n");
    const r2 = await upload(long);
    expect(r2.body).toMatchObject({ failed: 1, created: 0 });
    expect(r2.body.errors[0]).toMatchObject({ row: 2, field: "notes" });
  });

  it("refuses files in the wrong encoding unless told, and reads windows-1252 when told", async () => {
    const latin1 = Buffer.from("name,phone\nJosé Müller,+1 415 555 0130\n", "latin1");
    const refused = await upload(latin1);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/UTF-8/);
    const ok = await upload(latin1, "?encoding=windows-1252");
    expect(ok.body.created).toBe(1);
    expect((await s.api("GET", "/api/clients?phone=4155550130", { token: agent })).body.items[0].name).toBe("José Müller");
    const utf16 = Buffer.from("\ufeffname,phone\nX,1\n", "utf16le");
    expect((await upload(utf16)).status).toBe(400);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("name,phone\nBom Person,+1 415 555 0131\n")]);
    expect((await upload(bom)).body.created).toBe(1);
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
    const r = await upload("name,phone\nDry Run,+1 415 555 0150\nDry Run Again,415 555 0150\n", "?dryRun=1");
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
    expect(alice.phone).toBe("+14155550101");
    expect(alice.tags!.split(";").sort()).toEqual(["b2b", "newsletter", "vip"]);
    expect(rows.find((x) => x.phone === "+14155550160")!.name).toBe("'=HYPERLINK(\"http://evil\")");
    // Round trip: the export imported again changes nothing.
    const back = await upload(r.body as string);
    expect(back.body.created).toBe(0);
    const audit = await s.api("GET", "/api/audit?action=clients.export", { token: s.adminToken });
    expect(audit.body.items[0]).toMatchObject({ actorName: "mgr" });
  });
});
