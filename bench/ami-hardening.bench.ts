import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import AsteriskManager from "asterisk-manager";
import { pino } from "pino";
import { AmiClient } from "../server/pbx/ami-client.js";
import { AmiParser } from "../server/pbx/ami-codec.js";
import { PbxLink, type PbxSnapshot } from "../server/pbx/pbx-link.js";
import type { PbxEvent } from "../server/pbx/pbx-events.js";
import { CallTracker } from "../server/calls/call-tracker.js";
import { AgentStates } from "../server/calls/agent-states.js";
import { fmtMb } from "./lib/stats.js";

export interface FuzzResult {
  frames: number;
  events: number;
  seconds: number;
  maxStallMs: number;
  p99StallMs: number;
  peakCalls: number;
  callsAfterResync: number;
  heapBefore: number;
  heapAfter: number;
  malformed: number;
  listenerErrors: number;
  reconnects: number;
}

/**
 * A million fuzz frames from a hostile PBX in another process, over loopback TCP, into the real
 * client, mapping, tracker and agent states; the event loop's delay sampled every 10 ms meanwhile
 * (a stall is the time nothing else, HTTP or Socket.IO, could have run).
 */
export async function benchAmiFuzz(frames: number): Promise<FuzzResult> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "lib/fuzz-pbx.ts")], { env: { ...process.env, FUZZ_FRAMES: String(frames) }, stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  const waitLine = (re: RegExp) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const l = lines.find((x) => re.test(x));
        if (l) resolve(l);
        else child.stdout.once("data", check);
      };
      check();
    });
  child.stdout.on("data", (d: Buffer) => lines.push(...d.toString().split("\n")));
  const port = Number((await waitLine(/^port /)).split(" ")[1]);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const log = pino({ level: "silent" });
  const client = new AmiClient({ host: "127.0.0.1", port, username: "crm", secret: "x", log, actionTimeoutMs: 60_000 });
  const link = new PbxLink(client, log);
  const tracker = new CallTracker();
  const agents = new AgentStates();
  let events = 0;
  let peakCalls = 0;
  client.on("event", () => events++);
  link.on("event", (e: PbxEvent) => {
    tracker.handle(e);
    agents.handle(e);
    if (tracker.calls.size > peakCalls) peakCalls = tracker.calls.size;
  });
  const h = monitorEventLoopDelay({ resolution: 10 });
  const t0 = performance.now();
  h.enable();
  client.start();
  await waitLine(/^sent /);
  // Every byte sent before the Ping's answer has been handled once it arrives.
  await new Promise<void>((resolve) => {
    const tryPing = (): void => void client.action("Ping", {}).then(() => resolve(), () => setTimeout(tryPing, 50));
    tryPing();
  });
  h.disable();
  const seconds = (performance.now() - t0) / 1000;
  const snap = new Promise<PbxSnapshot>((r) => link.once("snapshot", r));
  void link.resync();
  const s = await snap;
  tracker.reconcile(s.channels, s.since);
  agents.resetFromSnapshot(s.members);
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const stats = { ...client.stats };
  link.stop();
  await client.stop();
  child.kill();
  return {
    frames, events, seconds, maxStallMs: h.max / 1e6, p99StallMs: h.percentile(99) / 1e6, peakCalls, callsAfterResync: tracker.calls.size,
    heapBefore, heapAfter, malformed: stats.malformed, listenerErrors: stats.listenerErrors, reconnects: stats.reconnects,
  };
}

export interface LongFrameRow {
  lines: number;
  oursMs: number;
  libraryMs: number | null;
}

/**
 * One frame of `lines` header lines arriving in 64 KiB reads: the case that is quadratic in
 * asterisk-manager's reader (it re-splits its whole leftover on every read). Ours is linear.
 */
export async function benchLongFrames(sizes: number[], librarySizes: number[]): Promise<LongFrameRow[]> {
  const rows: LongFrameRow[] = [];
  for (const lines of sizes) {
    const bytes = Buffer.from(`Event: Long\r\n${"Output: 0123456789abcdef0123456789abcdef\r\n".repeat(lines)}\r\n`, "latin1");
    const parser = new AmiParser({ expectGreeting: false, maxFrameBytes: bytes.length + 1 });
    const t = performance.now();
    let got = 0;
    for (let i = 0; i < bytes.length; i += 64 * 1024) got += parser.push(bytes.subarray(i, i + 64 * 1024)).length;
    const oursMs = performance.now() - t;
    if (got !== 1) throw new Error(`expected one frame, got ${got}`);
    const libraryMs = librarySizes.includes(lines) ? await libraryTime(bytes) : null;
    rows.push({ lines, oursMs, libraryMs });
  }
  return rows;
}

/** asterisk-manager reading `bytes` after its login, until its event arrives (ms). */
async function libraryTime(bytes: Buffer): Promise<number> {
  const server = net.createServer((sock) => {
    sock.write("Asterisk Call Manager/11.0.0\r\n");
    sock.once("data", (d) => {
      const id = /ActionID: ([^\r\n]+)/i.exec(d.toString())?.[1] ?? "";
      sock.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`);
      for (let i = 0; i < bytes.length; i += 64 * 1024) sock.write(bytes.subarray(i, i + 64 * 1024));
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const ms = await new Promise<number>((resolve) => {
    const m = AsteriskManager(undefined, "127.0.0.1", "crm", "x", true);
    let t0 = 0;
    m.on("managerevent", (e) => {
      if (e.event !== "Long") return;
      resolve(performance.now() - t0);
      m.disconnect();
    });
    m.connect(port, "127.0.0.1", () => m.login(() => (t0 = performance.now())));
  });
  await new Promise((r) => server.close(r));
  return ms;
}

export const describeFuzz = (r: FuzzResult) =>
  `| ${r.frames.toLocaleString("en-US")} | ${r.events.toLocaleString("en-US")} | ${r.seconds.toFixed(1)} s | ${r.maxStallMs.toFixed(1)} ms | ${r.p99StallMs.toFixed(1)} ms | ${r.peakCalls.toLocaleString("en-US")} | ${r.callsAfterResync} | ${fmtMb(r.heapBefore)} → ${fmtMb(r.heapAfter)} | ${r.listenerErrors} | ${r.reconnects} |`;
