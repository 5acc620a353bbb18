import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { expectEventually } from "../support/eventually.js";

/**
 * A wrap-up this node did not start (the node that held the PBX and timed it died, or the server
 * restarted): the PBX still has the agent paused in after-call-work, and the node holding the PBX
 * now ends it once its time is up, instead of leaving the agent out of the queue for good.
 */
describe("wrap-ups left by a node that is gone", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { WRAPUP_SECONDS: "1" } });
    await s.api("POST", "/api/users", { token: s.adminToken, body: { username: "ann", password: "ann-password", role: "agent", extension: "1001", displayName: "Ann" } });
    await expectEventually(() => expect(s.app.telephony.role).toBe("holder"), 15_000);
  });
  afterAll(async () => s?.close());

  it("ends an orphaned after-call-work pause once WRAPUP_SECONDS have passed", async () => {
    const token = await s.login("ann", "ann-password");
    const state = async () => (await s.api("GET", "/api/me/workspace", { token })).body.status;
    await expectEventually(async () => expect((await state()).state).toBe("available"), 15_000);
    // Paused on the PBX as a wrap-up, by nobody this node knows of.
    expect(s.app.telephony.sim!.pbx.pauseMember("PJSIP/1001", undefined, true, "after-call-work")).toBe(true);
    await expectEventually(async () => expect((await state()).state).toBe("wrap-up"), 15_000);
    await expectEventually(async () => expect((await state()).state).toBe("available"), 15_000);
  });
});
