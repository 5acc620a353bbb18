// Name search is a LIKE pattern underneath: its wildcards must be searched for literally.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbKinds } from "../support/databases.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { escapeLike } from "../../server/crm/clients.service.js";

describe("escapeLike", () => {
  it("escapes the LIKE wildcards and the escape character", () => {
    expect(escapeLike("100%_off\\")).toBe("100\\%\\_off\\\\");
    expect(escapeLike("plain")).toBe("plain");
  });
});

describe.each(dbKinds)("client name search takes % _ and \\ literally on %s", (db) => {
  let s: TestServer;
  const names = ["Alice Archer", "Bob Baker", "100% Pure Juice", "Under_Score Ltd", "Back\\slash Co", "Ann Bxb"];
  beforeAll(async () => {
    s = await startTestServer({ db });
    for (const name of names) expect((await s.api("POST", "/api/clients", { token: s.adminToken, body: { name } })).status).toBe(201);
  });
  afterAll(async () => s?.close());

  const search = async (q: string) => {
    const r = await s.api("GET", `/api/clients?q=${encodeURIComponent(q)}`, { token: s.adminToken });
    expect(r.status).toBe(200);
    return (r.body.items as { name: string }[]).map((c) => c.name).sort();
  };

  it("does not match every client for % or _", async () => {
    expect(await search("%")).toEqual([]);
    expect(await search("_")).toEqual([]);
    expect(await search("%%")).toEqual([]);
    expect(await search("\\")).toEqual([]);
    expect(await search("b_b")).toEqual([]);
    expect(await search("a%r")).toEqual([]);
  });

  it("finds names that contain the characters themselves", async () => {
    expect(await search("100%")).toEqual(["100% Pure Juice"]);
    expect(await search("under_")).toEqual(["Under_Score Ltd"]);
    expect(await search("back\\")).toEqual(["Back\\slash Co"]);
    expect(await search("bob")).toEqual(["Bob Baker"]);
    expect(await search("bxb")).toEqual(["Ann Bxb"]);
  });
});
