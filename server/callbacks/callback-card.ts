import type { TrackedCall } from "../calls/call.types.js";
import type { Callback } from "./callback.types.js";

/**
 * The callback's customer as the screen pop's card builder reads a call: an outbound call to that
 * number, for the client the callback names (CRM_CLIENT_ID), not yet placed.
 */
export function callbackAsCall(cb: Callback): TrackedCall {
  const at = new Date();
  return {
    linkedid: `callback-${cb.id}`, direction: "outbound", callerNumber: "", callerName: cb.name ?? "", calledNumber: cb.number, customerNumber: cb.number,
    queue: cb.queue, startedAt: at, queuedAt: cb.originalQueuedAt, ringingAt: null, answeredAt: null, endedAt: null, agent: null, segments: [], ringing: new Map(),
    legs: new Map(), holdStartedAt: null, holdSeconds: 0, waitSeconds: null, talkSeconds: null, transfers: 0, abandoned: false, busy: false, failed: false,
    outcome: null, hangupCause: null, hangupCauseText: null, recordingFile: null, recordingMuted: [], vars: cb.clientId ? { CRM_CLIENT_ID: String(cb.clientId) } : {},
    endedWhileDisconnected: false, adopted: false, estimated: new Set(), endReason: null, lastEventAt: at.getTime(),
  };
}
