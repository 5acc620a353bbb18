import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import AsteriskManager from "asterisk-manager";
import { pino } from "pino";
import { AmiClient } from "../server/pbx/ami-client.js";
import { AmiParser, type AmiMessage } from "../server/pbx/ami-codec.js";
import { toPbxEvent } from "../server/pbx/pbx-events.js";
import { CallTracker, type CallEvent } from "../server/calls/call-tracker.js";
import { AgentStates } from "../server/calls/agent-states.js";
import { CallJournal } from "../server/calls/call-journal.js";
import { PhoneIndex } from "../server/crm/phone-index.js";
import { openDatabase } from "../server/platform/db/database.js";
import { fmtMb } from "./lib/stats.js";

const tracesDir = path.resolve(import.meta.dirname, "../../shared/ami-traces");

/**
 * `calls` copies of the real inbound-answered transcript (112 events each), each with its own
 * Uniqueids/Linkedid, as one AMI byte stream.
 */
export function syntheticStream(calls: number): { bytes: Buffer; events: number } {
  const raw = fs.readFileSync(path.join(tracesDir, "asterisk-22.10.1-inbound-answered.ami.log"), "latin1");
  const frames = raw.split("\r\n\r\n").filter((f) => f.startsWith("Event: ") && !/^Event: (FullyBooted|SuccessfulAuth)/.test(f));
  const template = frames.map((f) => `${f}\r\n\r\n`).join("");
  const parts: string[] = [];
  for (let k = 0; k < calls; k++) parts.push(template.replaceAll("1795598250.", `${1800000000 + k}.`));
  return { bytes: Buffer.from(parts.join(""), "latin1"), events: frames.length * calls };
}

/** A loopback AMI server that accepts any login and then sends `bytes` as fast as TCP takes them. */
async function streamServer(bytes: Buffer): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((sock) => {
    sock.write("Asterisk Call Manager/11.0.0\r\n");
    let buf = "";
    sock.on("data", (d) => {
      buf += d.toString();
      const m = /ActionID: ([^\r\n]+)/i.exec(buf);
      if (buf.includes("\r\n\r\n") && m) {
        buf = "";
        sock.write(`Response: Success\r\nActionID: ${m[1]}\r\nMessage: Authentication accepted\r\n\r\n`);
        for (let i = 0; i < bytes.length; i += 64 * 1024) sock.write(bytes.subarray(i, i + 64 * 1024));
      }
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as net.AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

export interface ThroughputResult {
  events: number;
  bareRate: number;
  fullRate: number;
  ratio: number;
  journalRows: number;
}

/** asterisk-manager parsing alone vs. our whole chain (adapter + mapping + tracker + agent states + batched journal). */
export async function benchAmiThroughput(calls: number): Promise<ThroughputResult> {
  const { bytes, events } = syntheticStream(calls);

  // 1. asterisk-manager's bare parse rate, in the same run.
  const s1 = await streamServer(bytes);
  const bareRate = await new Promise<number>((resolve) => {
    const m = AsteriskManager(undefined, "127.0.0.1", "crm", "x", true);
    let n = 0;
    let t0 = 0;
    m.on("managerevent", () => {
      if (n === 0) t0 = performance.now();
      if (++n === events) {
        resolve(events / ((performance.now() - t0) / 1000));
        m.disconnect();
      }
    });
    m.connect(s1.port, "127.0.0.1", () => m.login(() => {}));
  });
  await s1.close();

  // 2. The whole chain, journal writes batched into an in-memory PGlite.
  const db = await openDatabase({ url: null, dataDir: null });
  const log = pino({ level: "silent" });
  const index = new PhoneIndex(db);
  await index.load();
  const journal = new CallJournal(db, index, "US", log, { userOf: () => undefined, rejectFile: path.join(os.tmpdir(), `bench-journal-rejected-${process.pid}.jsonl`) });
  const tracker = new CallTracker();
  const agents = new AgentStates();
  tracker.on("call", (e: CallEvent) => {
    if (e.type === "call.ended") journal.add(e.call);
  });
  const s2 = await streamServer(bytes);
  const client = new AmiClient({ host: "127.0.0.1", port: s2.port, username: "crm", secret: "x", log });
  const fullRate = await new Promise<number>((resolve) => {
    let n = 0;
    let t0 = 0;
    client.on("event", (m: AmiMessage) => {
      if (n === 0) t0 = performance.now();
      const e = toPbxEvent(m);
      if (e) {
        tracker.handle(e);
        agents.handle(e);
      }
      if (++n === events)
        void journal.flush().then(() => resolve(events / ((performance.now() - t0) / 1000)));
    });
    client.start();
  });
  await client.stop();
  await s2.close();
  const rows = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM calls"))[0]!.n;
  await db.close();
  return { events, bareRate, fullRate, ratio: fullRate / bareRate, journalRows: rows };
}

/** Heap held by the tracker for `calls` calls up at once (ringing, answered, in a bridge). */
export function benchTrackerMemory(calls: number): { calls: number; heapBytes: number; perCall: number } {
  const raw = fs.readFileSync(path.join(tracesDir, "asterisk-22.10.1-inbound-answered.ami.log"), "latin1");
  // Every event up to the caller's BridgeEnter: the call is up and talking.
  const frames = raw.split("\r\n\r\n").filter((f) => f.startsWith("Event: "));
  const upTo = frames.findIndex((f) => f.startsWith("Event: BridgeEnter") && f.includes("PJSIP/trunk"));
  const tracker = new CallTracker();
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let k = 0; k < calls; k++) {
    const text = frames.slice(0, upTo + 1).map((f) => `${f}\r\n\r\n`).join("").replaceAll("1795598250.", `${1900000000 + k}.`);
    for (const item of new AmiParser({ expectGreeting: false }).push(Buffer.from(text, "latin1")))
      if (item.kind === "message") {
        const e = toPbxEvent(item.message);
        if (e) tracker.handle(e);
      }
  }
  global.gc?.();
  const heap = process.memoryUsage().heapUsed - before;
  if (tracker.calls.size !== calls) throw new Error(`expected ${calls} live calls, tracker has ${tracker.calls.size}`);
  return { calls, heapBytes: heap, perCall: heap / calls };
}

export const describeMemory = (r: { calls: number; heapBytes: number; perCall: number }) =>
  `${r.calls.toLocaleString("en-US")} calls up at once: heap +${fmtMb(r.heapBytes)} (${(r.perCall / 1024).toFixed(1)} KiB a call)`;
