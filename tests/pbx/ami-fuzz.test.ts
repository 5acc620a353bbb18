import { describe, expect, it } from "vitest";
import { AmiSession } from "../../server/pbx/ami-session.js";
import { toPbxEvent } from "../../server/pbx/pbx-events.js";
import { CallTracker, type CallEvent } from "../../server/calls/call-tracker.js";
import { AgentStates } from "../../server/calls/agent-states.js";
import { seededRandom } from "../../server/demo/random.js";
import { fuzzFrames } from "../support/ami-fuzz-frames.js";

const FRAMES = Number(process.env.AMI_FUZZ_FRAMES ?? 1_000_000);

/**
 * A million random and mutated real frames through the production read path (AmiSession: our
 * bounded parser and dispatch) into the AMI → PbxEvent mapping, the call tracker and the agent
 * states, in chunks split at random points. Nothing may throw (a throw here is what would have
 * reached the socket's data handler), state stays within its caps while the stream runs, and one
 * resync that finds the PBX empty leaves nothing behind. The largest stall is measured by
 * `npm run bench` over real TCP (BENCHMARKS.md), not here.
 */
describe("AMI read path under a million hostile frames", () => {
  it(`takes ${FRAMES.toLocaleString("en-US")} frames without a throw, within bounds, and forgets every phantom at the next resync`, () => {
    const maxCalls = 2_000;
    const tracker = new CallTracker(undefined, { maxCalls });
    const agents = new AgentStates(500);
    let started = 0;
    let ended = 0;
    tracker.on("call", (e: CallEvent) => {
      if (e.type === "call.started") started++;
      else if (e.type === "call.ended") ended++;
    });
    let events = 0;
    let malformed = 0;
    let oversized = 0;
    let peakCalls = 0;
    const written: string[] = [];
    const session = new AmiSession(
      {
        write: (b) => written.push(b),
        onGreeting: () => {},
        onEvent: (m) => {
          events++;
          const e = toPbxEvent(m);
          if (!e) return;
          tracker.handle(e);
          agents.handle(e);
          if (tracker.calls.size > peakCalls) peakCalls = tracker.calls.size;
        },
        onMalformed: () => malformed++,
        onOversized: () => oversized++,
      },
      { maxFrameBytes: 64 * 1024, idPrefix: "fuzz" },
    );
    const gen = fuzzFrames(20261202);
    const rnd = seededRandom(7);
    session.push(Buffer.from("Asterisk Call Manager/11.0.0\r\n"));
    let buf = "";
    let limit = 1 + Math.floor(rnd() * 64 * 1024);
    for (let i = 0; i < FRAMES; i++) {
      buf += gen.next();
      if (buf.length >= limit) {
        // Split inside the buffer too, so frames straddle chunks at arbitrary bytes.
        const cut = Math.floor(rnd() * buf.length);
        session.push(Buffer.from(buf.slice(0, cut), "latin1"));
        buf = buf.slice(cut);
        limit = 1 + Math.floor(rnd() * 64 * 1024);
      }
    }
    session.push(Buffer.from(`${buf}\r\n\r\n`, "latin1"));

    expect(events).toBeGreaterThan(FRAMES / 2);
    expect(malformed).toBeGreaterThan(0);
    expect(peakCalls).toBeLessThanOrEqual(maxCalls);
    expect(agents.all().length).toBeLessThanOrEqual(500);
    // The session answered no frame with a write of its own.
    expect(written).toEqual([]);

    // A resync that finds no live channel: every call the PBX never ended is closed, once.
    tracker.reconcile([], Date.now() + 1);
    agents.resetFromSnapshot([]);
    expect(tracker.calls.size).toBe(0);
    // Every call that started ended exactly once, whether the PBX said so, the cap or the resync.
    expect(started).toBeGreaterThan(1000);
    expect(ended).toBe(started);
    expect((tracker as unknown as { legOwner: Map<string, string> }).legOwner.size).toBe(0);
    expect(agents.all().every((a) => a.state === "logged-out")).toBe(true);
    expect(oversized).toBe(0);
  }, 600_000);
});
