import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { AmiClient } from "../../server/pbx/ami-client.js";
import { AmiParser, type AmiMessage } from "../../server/pbx/ami-codec.js";
import { PbxCommands } from "../../server/pbx/pbx-commands.js";
import { PbxError } from "../../server/pbx/pbx.errors.js";
import { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { expectEventually } from "../support/eventually.js";
import { readTrace, traceFiles, tracesDir } from "../support/traces.js";

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines };
}

describe("AMI client against the simulator over TCP", () => {
  let sim: AmiSimulator;
  let client: AmiClient;
  const captured = capturingLogger();
  const events: AmiMessage[] = [];

  beforeAll(async () => {
    sim = new AmiSimulator({ secret: "s3cret-value", badLoginDelayMs: 50, pbx: { speed: 0.01 } });
    await sim.listen(0);
    client = new AmiClient({ host: "127.0.0.1", port: sim.port, username: "crm", secret: "s3cret-value", log: captured.log, actionTimeoutMs: 1000, minDelayMs: 100, maxDelayMs: 400 });
    client.on("event", (e: AmiMessage) => events.push(e));
    client.start();
    await new Promise((r) => client.once("connected", r));
  });
  afterAll(async () => {
    await client?.stop();
    await sim?.close();
  });
  afterEach(() => {
    sim.faults = { delayMs: 0, maxChunk: 0, refuse: false };
  });

  for (const file of traceFiles().filter((f) => !f.includes("bad-login"))) {
    it(`${file}: the client gets every event of the transcript, split at random byte boundaries`, async () => {
      const expected = new AmiParser({ expectGreeting: true })
        .push(readTrace(file))
        .flatMap((x) => (x.kind === "message" && x.message.event ? [x.message] : []));
      events.length = 0;
      sim.faults.maxChunk = 13;
      await sim.replay(`${tracesDir}/${file}`);
      // A Ping answered means every byte sent before it has been read.
      await client.action("Ping", {});
      await expectEventually(() => expect(events.length).toBe(expected.length));
      expect(events).toEqual(expected);
    });
  }

  it("collects event-list actions up to their Complete event", async () => {
    const r = await client.listAction("QueueStatus", { Queue: "support" });
    expect(r.response.eventlist).toBe("start");
    expect(r.events.map((e) => e.event)).toEqual(["QueueParams", "QueueMember", "QueueMember"]);
    expect(r.events[1]).toMatchObject({ queue: "support", location: "PJSIP/1001", name: "Agent One" });
    const summary = await client.listAction("QueueSummary", {});
    expect(summary.events.map((e) => e.queue)).toEqual(["support", "sales"]);
  });

  it("turns AMI errors into our codes", async () => {
    const commands = new PbxCommands(client);
    await expect(commands.pauseMember({ extension: "1999", paused: true })).rejects.toMatchObject({ code: "INTERFACE_NOT_FOUND" });
    await expect(commands.hangup("PJSIP/nosuch-00000000")).rejects.toMatchObject({ code: "CHANNEL_NOT_FOUND" });
    await commands.addMember({ extension: "1003", queue: "support", memberName: "Agent Three" });
    await expect(commands.addMember({ extension: "1003", queue: "support", memberName: "Agent Three" })).rejects.toMatchObject({ code: "ALREADY_MEMBER" });
    await commands.removeMember({ extension: "1003", queue: "support" });
    await expect(commands.removeMember({ extension: "1003", queue: "support" })).rejects.toMatchObject({ code: "NOT_MEMBER" });
    await expect(client.action("NoSuchAction", {})).rejects.toMatchObject({ code: "UNKNOWN_ACTION" });
  });

  it("refuses CR, LF and NUL and malformed numbers before anything reaches the wire", async () => {
    const commands = new PbxCommands(client);
    const attempts = [
      () => commands.originateToCustomer({ extension: "1001", number: "+14155550123\r\nAction: Hangup" }),
      () => commands.originateToCustomer({ extension: "1001\n", number: "+14155550123" }),
      () => commands.originateToCustomer({ extension: "1001", number: "+14155550123", callerName: "x\r\ny" }),
      () => commands.originateToCustomer({ extension: "1001", number: "+14155550123", variables: { TASK: "a\nb" } }),
      () => commands.pauseMember({ extension: "1001", paused: true, reason: "lunch\r\nAction: Originate" }),
      () => commands.hangup("PJSIP/1001-0000\u00001"),
      () => client.action("Hangup", { Channel: "PJSIP/x\r\n" }),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    // The link is still fine after all of that.
    await expect(client.action("Ping", {})).resolves.toMatchObject({ ping: "Pong" });
  });

  it("times out an action the PBX does not answer, without waiting forever", async () => {
    sim.faults.delayMs = 1500;
    await expect(client.action("Ping", {}, { timeoutMs: 300 })).rejects.toMatchObject({ code: "TIMEOUT" });
    sim.faults.delayMs = 0;
    await new Promise((r) => setTimeout(r, 1500));
  });

  it("skips garbage, and drops and reopens the link on a frame over the limit", async () => {
    sim.injectRaw("this is not AMI\r\n\x00\x01\x02\r\n\r\n");
    await expect(client.action("Ping", {})).resolves.toMatchObject({ ping: "Pong" });
    const lost = new Promise<string>((r) => client.once("disconnected", r));
    sim.injectRaw(`Event: Huge\r\nData: ${"x".repeat(2_000_000)}\r\n\r\n`);
    expect(await lost).toMatch(/frame grew past/);
    await new Promise((r) => client.once("connected", r));
    await expect(client.action("Ping", {})).resolves.toMatchObject({ ping: "Pong" });
  });

  it("fails actions at once while disconnected, and reconnects within a second", async () => {
    sim.faults.refuse = true;
    sim.dropConnections();
    await expectEventually(() => expect(client.state).not.toBe("connected"), 1000, 5);
    const t = Date.now();
    await expect(client.action("Ping", {})).rejects.toBeInstanceOf(PbxError);
    await expect(client.action("Ping", {})).rejects.toMatchObject({ code: "NOT_CONNECTED" });
    expect(Date.now() - t).toBeLessThan(50);
    sim.faults.refuse = false;
    const down = Date.now();
    await new Promise((r) => client.once("connected", r));
    expect(Date.now() - down).toBeLessThan(1500);
    await expect(client.action("Ping", {})).resolves.toMatchObject({ ping: "Pong" });
  });

  it("never writes the AMI secret to the log", () => {
    expect(captured.lines.join("\n")).not.toContain("s3cret-value");
    expect(captured.lines.some((l) => l.includes("AMI connected"))).toBe(true);
  });

  it("refuses a wrong secret as Asterisk does, keeps retrying, and logs no secret", async () => {
    const log = capturingLogger();
    const bad = new AmiClient({ host: "127.0.0.1", port: sim.port, username: "crm", secret: "wrong-secret-xyz", log: log.log, actionTimeoutMs: 1000, minDelayMs: 50, maxDelayMs: 100 });
    bad.start();
    await expectEventually(() => expect(log.lines.some((l) => l.includes("AMI login refused") && l.includes("Authentication failed"))).toBe(true), 3000);
    expect(bad.state).not.toBe("connected");
    await bad.stop();
    expect(log.lines.join("\n")).not.toContain("wrong-secret-xyz");
  });
});
