import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { AmiParser, encodeMessage, type ParsedItem } from "../../server/pbx/ami-codec.js";
import { seededRandom } from "../../server/demo/random.js";
import { readTrace, traceFiles, traceSummary } from "../support/traces.js";

const parseAll = (chunks: Buffer[]): ParsedItem[] => {
  const p = new AmiParser({ expectGreeting: true });
  return chunks.flatMap((c) => p.push(c));
};

function randomChunks(buf: Buffer, seed: number, maxChunk: number): Buffer[] {
  const rnd = seededRandom(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; ) {
    const n = 1 + Math.floor(rnd() * maxChunk);
    out.push(buf.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe("AMI codec on the real Asterisk 22 transcripts", () => {
  for (const file of traceFiles()) {
    it(`${file}: same frames however the bytes are split`, () => {
      const bytes = readTrace(file);
      const whole = parseAll([bytes]);
      expect(whole[0]).toEqual({ kind: "greeting", version: "11.0.0" });
      expect(whole.filter((x) => x.kind === "malformed")).toEqual([]);
      // The capture's own count of messages and events.
      const scenario = file.replace("asterisk-22.10.1-", "").replace(/(\.conn2)?\.ami\.log$/, "");
      const conn = traceSummary(scenario).connections.find((c) => c.file === file)!;
      const messages = whole.filter((x) => x.kind === "message");
      expect(messages).toHaveLength(conn.messages);
      expect(messages.filter((m) => m.kind === "message" && "event" in m.message)).toHaveLength(conn.events_total);
      // Byte by byte: every boundary at once, including inside CRLF and the terminator.
      expect(parseAll([...bytes].map((b) => Buffer.from([b])))).toEqual(whole);
      for (const seed of [1, 2, 3]) expect(parseAll(randomChunks(bytes, seed, 300))).toEqual(whole);
    });
  }

  it("keeps the transcripts' header names, values and repeated headers", () => {
    const items = parseAll([readTrace("asterisk-22.10.1-callback-originate.ami.log")]);
    const originate = items.find((x) => x.kind === "message" && x.message.event === "OriginateResponse");
    expect(originate).toMatchObject({ message: { response: "Success", actionid: "crm-callback-0001", reason: "4", channel: "PJSIP/1001-00000009", uniqueid: "1795598279.9" } });
    const outputs = parseAll([readTrace("asterisk-22.10.1-queue-status.ami.log")]).flatMap((x) =>
      x.kind === "message" && x.message.message === "Command output follows" ? [x.message.output!.split("\n")] : [],
    );
    const queueShow = outputs.find((lines) => lines[0]?.startsWith("support has"));
    // One "Output:" header per line, and `queue show support` ended with two empty ones.
    expect(queueShow!.length).toBeGreaterThan(3);
    expect(queueShow!.slice(-2)).toEqual(["", ""]);
  });

  it("splits UTF-8 across chunks without harm", () => {
    const frame = Buffer.from("Asterisk Call Manager/11.0.0\r\nEvent: UserEvent\r\nCallerIDName: José Müller 山田\r\n\r\n");
    const whole = parseAll([frame]);
    expect(whole[1]).toEqual({ kind: "message", message: { event: "UserEvent", calleridname: "José Müller 山田" } });
    for (let i = 1; i < frame.length; i++) expect(parseAll([frame.subarray(0, i), frame.subarray(i)])).toEqual(whole);
  });

  it("reads a thousand frames back to back and LF-only line ends", () => {
    const one = "Event: Newchannel\r\nChannel: PJSIP/trunk-00000001\r\nUniqueid: 1.1\r\n\r\n";
    const items = parseAll([Buffer.from(`Asterisk Call Manager/11.0.0\r\n${one.repeat(1000)}`)]);
    expect(items).toHaveLength(1001);
    const lf = parseAll([Buffer.from("Asterisk Call Manager/11.0.0\nEvent: A\nX: 1\n\nEvent: B\n\n")]);
    expect(lf.slice(1)).toEqual([{ kind: "message", message: { event: "A", x: "1" } }, { kind: "message", message: { event: "B" } }]);
  });

  it("drops garbage and oversized frames and carries on with the next one", () => {
    const p = new AmiParser({ expectGreeting: true, maxFrameBytes: 4096 });
    const out = [
      ...p.push(Buffer.from("Asterisk Call Manager/11.0.0\r\nthis is not a header\r\n\r\n")),
      ...p.push(Buffer.from(`Event: Huge\r\nData: ${"x".repeat(10_000)}`)),
      ...p.push(Buffer.from(`${"y".repeat(10_000)}\r\n\r\nEvent: After\r\n\r\n`)),
    ];
    expect(out.map((x) => x.kind)).toEqual(["greeting", "malformed", "oversized", "message"]);
    expect(out[2]).toMatchObject({ kind: "oversized", limit: 4096 });
    expect(out[3]).toEqual({ kind: "message", message: { event: "After" } });
  });

  it("property: every transcript gives the same frames whatever points it is split at", () => {
    const files = traceFiles();
    const wholes = new Map(files.map((f) => [f, parseAll([readTrace(f)])]));
    fc.assert(
      fc.property(fc.constantFrom(...files), fc.array(fc.nat(), { maxLength: 60 }), (file, cuts) => {
        const bytes = readTrace(file);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks = [...points, bytes.length].map((end, i, all) => bytes.subarray(i === 0 ? 0 : all[i - 1], end));
        expect(parseAll(chunks)).toEqual(wholes.get(file));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps no more than one frame's worth of leftover, however long a frame without its end runs", () => {
    const p = new AmiParser({ expectGreeting: false, maxFrameBytes: 64 * 1024 });
    const line = Buffer.from("Output: 0123456789abcdef0123456789abcdef\r\n");
    const chunk = Buffer.concat(Array.from({ length: 400 }, () => line));
    let oversized = 0;
    for (let i = 0; i < 500; i++) oversized += p.push(chunk).filter((x) => x.kind === "oversized").length;
    // One report for the whole runaway frame, then the parser resumes at its end.
    expect(oversized).toBe(1);
    expect(p.push(Buffer.from("\r\nEvent: Next\r\n\r\n"))).toEqual([{ kind: "message", message: { event: "Next" } }]);
  });

  it("never throws, whatever bytes arrive", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 20 }), (chunks) => {
        const p = new AmiParser({ expectGreeting: true, maxFrameBytes: 512 });
        for (const c of chunks) p.push(Buffer.from(c));
      }),
    );
  });

  it("encodes in the order given and refuses CR, LF and NUL in any value", () => {
    expect(encodeMessage([["Action", "Ping"], ["ActionID", "a1"]])).toBe("Action: Ping\r\nActionID: a1\r\n\r\n");
    for (const bad of ["x\r\nAction: Originate", "x\n", "x\0"]) expect(() => encodeMessage([["Exten", bad]])).toThrow(/unsafe/);
    expect(() => encodeMessage([["Bad: Key", "v"]])).toThrow(/unsafe/);
  });
});
