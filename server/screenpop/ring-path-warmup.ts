import { AmiParser, encodeMessage } from "../pbx/ami-codec.js";
import { toPbxEvent } from "../pbx/pbx-events.js";
import { SimPbx } from "../pbx/sim/sim-pbx.js";
import { CallTracker, type CallEvent } from "../calls/call-tracker.js";
import type { CardBuilder } from "./card-builder.js";

/**
 * V8 compiles a function the first time it runs, so the first call after a start paid for the
 * whole ring path at once (AMI parsing, event mapping, call tracking, the card): several ms more
 * than the calls after it. One made-up inbound queue call, from a known client's number, is run
 * through that path at start: the simulator's frames, encoded and parsed as if read from the PBX,
 * into a tracker of its own. Nothing of it reaches the real link, tracker, journal or sockets.
 */
export async function warmRingPath(builder: CardBuilder, from: string): Promise<void> {
  const pbx = new SimPbx({ speed: 1 });
  const parser = new AmiParser({ expectGreeting: false });
  const tracker = new CallTracker();
  const cards: Promise<unknown>[] = [];
  tracker.on("call", (e: CallEvent) => {
    if (e.type === "call.started") builder.prefetch(e.call);
    if (e.type === "call.ringing") cards.push(builder.build(e.call).then((card) => builder.fresh(card) && JSON.stringify(card)));
  });
  pbx.on("event", (pairs: [string, string][]) => {
    for (const item of parser.push(Buffer.from(encodeMessage(pairs)))) {
      const e = item.kind === "message" ? toPbxEvent(item.message) : null;
      if (e) tracker.handle(e);
    }
  });
  try {
    pbx.inboundCall({ from });
  } finally {
    // Its timers (ring timeout, auto-answer) must not outlive the warm-up.
    pbx.reset();
  }
  await Promise.all(cards);
}
