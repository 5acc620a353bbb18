import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";
import { checkGraph } from "../../server/scripts/script-graph.js";
import { salesScript, supportScript } from "../../server/scripts/demo-scripts.js";

describe("the demo's call scripts", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ seed: true, env: { SIM_SPEED: "0.2" } });
    await s.app.scripts.catalog.load();
    await expectEventually(() => expect(s.app.telephony.link.connected).toBe(true));
  });
  afterAll(async () => {
    await s?.close();
  });

  it("are sound, published, chosen for the demo queues, and the sales funnel has sample runs", async () => {
    expect(checkGraph(supportScript)).toEqual([]);
    expect(checkGraph(salesScript)).toEqual([]);
    const list = (await s.api("GET", "/api/scripts", { token: s.adminToken })).body.items;
    expect(list.map((x: { name: string; publishedVersion: number }) => [x.name, x.publishedVersion])).toEqual([["Sales: radio spot", 1], ["Support: first contact", 1]]);
    const sales = list.find((x: { name: string }) => x.name === "Sales: radio spot");
    const f = await s.api("GET", `/api/scripts/${sales.id}/funnel`, { token: s.adminToken });
    expect(f.body.runs).toBe(60);
    expect(f.body.steps[0]).toMatchObject({ step: "intro", reached: 60 });
    const card = (did: string) => s.app.scripts.catalog.choose({ queue: did === "8005552000" ? "sales" : "support", direction: "inbound", dialed: { number: did, label: s.app.config.didLabels[did] ?? null }, client: null });
    expect(card("8005552000")?.name).toBe("Sales: radio spot");
    expect(card("8005551000")?.name).toBe("Support: first contact");
  });
});
