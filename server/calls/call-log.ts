import type { CallEvent, CallTracker } from "./call-tracker.js";
import { callFields, type Logger } from "../platform/logger.js";

/**
 * One line per step of each call, with callId, linkedid and agent, so that `grep <linkedid>`
 * follows one call through the logs (ringing, answer, transfer, end; the rest at debug). Written
 * by the node that holds the PBX's lease only: the other nodes see the same calls.
 */
export function followCallLog(tracker: CallTracker, active: () => boolean, log: Logger): void {
  tracker.setMaxListeners(tracker.getMaxListeners() + 1);
  tracker.on("call", (e: CallEvent) => {
    if (!active()) return;
    const c = e.call;
    switch (e.type) {
      case "call.started":
        return log.debug({ ...callFields(c), direction: c.direction, from: c.callerNumber, to: c.calledNumber }, "call started");
      case "call.queued":
        return log.debug({ ...callFields(c), queue: e.queue }, "call queued");
      case "call.ringing":
        return log.debug({ ...callFields(c, e.agent), queue: c.queue }, "agent ringing");
      case "call.ring-ended":
        return log.debug({ ...callFields(c, e.agent), reason: e.reason }, "agent ring ended");
      case "call.answered":
        return log.info({ ...callFields(c, e.agent), queue: c.queue, direction: c.direction }, "call answered");
      case "call.held":
      case "call.resumed":
        return log.debug(callFields(c, e.agent), e.type === "call.held" ? "call held" : "call resumed");
      case "call.transferred":
        return log.info({ ...callFields(c, e.from), to: e.to, kind: e.kind }, "call transferred");
      case "call.ended":
        return log.info({ ...callFields(c), outcome: c.outcome, talkSeconds: c.talkSeconds, waitSeconds: c.waitSeconds }, "call ended");
    }
  });
}
