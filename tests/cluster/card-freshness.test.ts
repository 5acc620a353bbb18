import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { freshPostgresDatabase } from "../support/databases.js";
import { expectEventually } from "../support/eventually.js";
import { adminPassword } from "../support/test-server.js";
import { clusterEnv, consoleOn, login, startNode, sqlOn, type NodeProcess } from "../support/cluster.js";

/**
 * Each node keeps its own cache of client cards. A client edited on one node, or given a call by
 * the node that journals, must be on the next card every node builds: the one that pops (the PBX
 * holder) and the one a console reloads from.
 */
describe("client cards across two nodes", () => {
  let sim: AmiSimulator;
  let db: { url: string; drop: () => Promise<void> };
  let holder: NodeProcess;
  let other: NodeProcess;
  let admin: { holder: string; other: string };
  let clientId: number;

  beforeAll(async () => {
    sim = new AmiSimulator({ secret: "clustersecret", badLoginDelayMs: 10, pbx: { speed: 0.05, agents: [{ ext: "1001", name: "Ann", autoAnswer: false }] } });
    await sim.listen(0);
    db = await freshPostgresDatabase();
    const env = clusterEnv(db.url, sim.port);
    holder = await startNode("holder", env);
    await expectEventually(async () => expect((await holder.health()).lease).toBe("holder"), 15_000);
    other = await startNode("other", env);
    admin = { holder: await login(holder, "admin", adminPassword), other: await login(other, "admin", adminPassword) };
    await other.api("POST", "/api/users", { token: admin.other, body: { username: "ann", password: "ann-password", role: "agent", extension: "1001", displayName: "Ann" } });
    const c = await other.api("POST", "/api/clients", { token: admin.other, body: { name: "Grace Hopper", stage: "prospect", phones: ["+1 415 555 0123"] } });
    clientId = c.body.id;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([holder, other].map((n) => n?.stop().catch(() => {})));
    await sim?.close();
    await db?.drop();
  });

  it("pops and reloads fresh cards on both nodes after edits and calls on either", async () => {
    const annOnHolder = await login(holder, "ann", "ann-password");
    const annOnOther = await login(other, "ann", "ann-password");
    const ann = await consoleOn(holder, annOnHolder);
    const offerOf = (callId: string) => ann.of("call:offer").find((g) => g.payload.callId === callId)?.payload;
    const ring = async (whileRinging?: (callId: string) => Promise<void>) => {
      const callId = sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 100 });
      await expectEventually(() => expect(offerOf(callId)).toBeDefined(), 10_000);
      await whileRinging?.(callId);
      const card = offerOf(callId);
      ann.got.length = 0;
      sim.pbx.hangupByChannel(sim.pbx.liveChannels().find((c) => c.linkedid === callId && c.uniqueid === callId)!.name);
      // Journaled by the holder, which has then dropped the client's card and told every console.
      await expectEventually(() => expect(ann.of("client:changed").map((g) => g.payload.clientId)).toContain(clientId), 10_000);
      expect(await sqlOn(db.url, "SELECT 1 FROM calls WHERE linkedid = $1", [callId])).toHaveLength(1);
      return card;
    };
    const workspaceOnOther = async () => (await other.api("GET", "/api/me/workspace", { token: annOnOther })).body.calls[0];
    try {
      // Both nodes read the client once (the holder to pop, the other for a console that reloads).
      const first = await ring(async () => {
        await expectEventually(async () => expect((await workspaceOnOther())?.client).toMatchObject({ name: "Grace Hopper" }), 10_000);
      });
      expect(first.client).toMatchObject({ name: "Grace Hopper", stage: "prospect" });

      // Edited on the node that does not pop: the holder's next pop has it, and the first call.
      await other.api("PATCH", `/api/clients/${clientId}`, { token: admin.other, body: { name: "Grace B. Hopper", stage: "active" } });
      await ring(async (callId) => {
        expect(offerOf(callId).client).toMatchObject({ name: "Grace B. Hopper", stage: "active" });
        expect(offerOf(callId).history.filter((h: { type: string }) => h.type === "call")).toHaveLength(1);
        // The other node's cache heard of the call the holder journaled.
        await expectEventually(async () => expect((await workspaceOnOther())?.history.filter((h: { type: string }) => h.type === "call")).toHaveLength(1), 10_000);
        // Edited on the holder while it rings: the other node's console, reloading, gets it as it is now.
        await holder.api("POST", `/api/clients/${clientId}/notes`, { token: admin.holder, body: { body: "Call back on Monday" } });
        await holder.api("PATCH", `/api/clients/${clientId}`, { token: admin.holder, body: { tags: ["cobol"] } });
        await expectEventually(async () => {
          const card = await workspaceOnOther();
          expect(card.client).toMatchObject({ name: "Grace B. Hopper", tags: ["cobol"] });
          expect(card.history.map((h: { body?: string }) => h.body)).toContain("Call back on Monday");
        }, 10_000);
      });
      const third = sim.pbx.inboundCall({ from: "+14155550123", talkSeconds: 100 });
      await expectEventually(() => expect(offerOf(third)).toBeDefined(), 10_000);
      expect(offerOf(third).client).toMatchObject({ tags: ["cobol"] });
      expect(offerOf(third).history.filter((h: { type: string }) => h.type === "call")).toHaveLength(2);
      sim.pbx.hangupByChannel(sim.pbx.liveChannels().find((c) => c.linkedid === third && c.uniqueid === third)!.name);
    } finally {
      ann.socket.close();
    }
  }, 90_000);
});
