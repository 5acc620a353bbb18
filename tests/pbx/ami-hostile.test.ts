import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { AmiClient } from "../../server/pbx/ami-client.js";
import type { AmiMessage } from "../../server/pbx/ami-codec.js";
import { HostilePbx } from "../support/hostile-pbx.js";

async function connectTo(pbx: HostilePbx, opts: { maxFrameBytes?: number } = {}) {
  const port = await pbx.listen();
  const client = new AmiClient({ host: "127.0.0.1", port, username: "crm", secret: "s", log: pino({ level: "silent" }), actionTimeoutMs: 2000, minDelayMs: 20, maxDelayMs: 100, ...opts });
  const events: AmiMessage[] = [];
  client.on("event", (e: AmiMessage) => events.push(e));
  const connected = new Promise((r) => client.once("connected", r));
  client.start();
  await connected;
  return { client, events };
}

describe("a hostile PBX cannot crash, freeze or close the link", () => {
  let pbx: HostilePbx;
  let client: AmiClient | undefined;
  afterEach(async () => {
    await client?.stop();
    await pbx.close();
  });

  it("answers with ActionIDs and event names that were control events of asterisk-manager", async () => {
    pbx = new HostilePbx();
    const c = await connectTo(pbx);
    client = c.client;
    const disconnected: string[] = [];
    client.on("disconnected", (r: string) => disconnected.push(r));
    pbx.send(
      [
        "Response: Success\r\nActionID: rawevent\r\n\r\n",
        "Response: Error\r\nActionID: error\r\nMessage: x\r\n\r\n",
        "Response: Success\r\nActionID: close\r\n\r\n",
        "Event: Close\r\n\r\n",
        "Event: RawEvent\r\nActionID: connect\r\n\r\n",
        "Event: error\r\n\r\n",
        "Event: __proto__\r\nconstructor: x\r\n__proto__: y\r\n\r\n",
        "Event: Newchannel\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\nChannel: PJSIP/trunk-1\r\n\r\n",
      ].join(""),
    );
    await expect(client.action("Ping", {})).resolves.toMatchObject({ ping: "Pong" });
    expect(c.events.map((e) => e.event)).toEqual(["Close", "RawEvent", "error", "__proto__", "Newchannel"]);
    expect(disconnected).toEqual([]);
    expect(client.state).toBe("connected");
  });

  it("ignores an `ActionID: error` that arrives before the login is answered", async () => {
    pbx = new HostilePbx();
    pbx.beforeLogin = "Response: Error\r\nActionID: error\r\nMessage: boom\r\n\r\nResponse: Success\r\nActionID: login\r\n\r\n";
    const c = await connectTo(pbx);
    client = c.client;
    await expect(client.action("Ping", {})).resolves.toMatchObject({ ping: "Pong" });
  });

  it("drops and reopens the link on a 5 MB frame that never ends, and stays responsive meanwhile", async () => {
    pbx = new HostilePbx();
    const c = await connectTo(pbx);
    client = c.client;
    const lost = new Promise<string>((r) => client!.once("disconnected", r));
    // The event loop keeps turning while the frame streams in: a timer set now fires before the end.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    pbx.send(`Event: Huge\r\nData: ${"x".repeat(5 * 1024 * 1024)}`);
    expect(await lost).toMatch(/frame grew past/);
    clearInterval(ticker);
    expect(client.stats.oversized).toBe(1);
    expect(ticks).toBeGreaterThan(0);
    // Reconnects on its own (the PBX answers the new Login), then works as before.
    const logins = pbx.logins;
    await new Promise((r) => client!.once("connected", r));
    expect(pbx.logins).toBe(logins + 1);
    await expect(client.action("Ping", {})).resolves.toMatchObject({ ping: "Pong" });
  });

  it("survives a listener that throws on an event", async () => {
    pbx = new HostilePbx();
    const c = await connectTo(pbx);
    client = c.client;
    client.on("event", (e: AmiMessage) => {
      if (e.event === "Boom") throw new Error("handler bug");
    });
    pbx.send("Event: Boom\r\n\r\nEvent: After\r\n\r\n");
    await expect(client.action("Ping", {})).resolves.toMatchObject({ ping: "Pong" });
    expect(c.events.map((e) => e.event)).toEqual(["Boom", "After"]);
    expect(client.stats.listenerErrors).toBe(1);
  });

  it("fails waiting actions at once when the link drops, not at their timeout", async () => {
    pbx = new HostilePbx();
    const c = await connectTo(pbx);
    client = c.client;
    const pending = client.action("QueuePause", { Interface: "PJSIP/1001", Paused: "true" }, { timeoutMs: 60_000 });
    for (const s of pbx.sockets) s.destroy();
    await expect(pending).rejects.toMatchObject({ code: "NOT_CONNECTED" });
  });
});
