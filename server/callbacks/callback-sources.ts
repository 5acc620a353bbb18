import { callFields, type Logger } from "../platform/logger.js";
import type { Telephony } from "../calls/telephony.js";
import type { CallEvent } from "../calls/call-tracker.js";
import type { PbxEvent } from "../pbx/pbx-events.js";
import type { CallbacksService } from "./callbacks.service.js";

/**
 * Where callbacks come from on the PBX side, on the node holding its lease:
 * - an abandoned queue call whose caller waited at least the queue's minimum (short abandons are
 *   misdials and second thoughts), keeping the caller's place (when they joined the queue);
 * - the IVR's `UserEvent(CallbackRequest)` (dialplan/README.md): its `Queue:` header is ours, not
 *   a queue event's, and its `JoinedAt` is when the digit was pressed, so the place is the call's
 *   own queue join (or arrival);
 * - an answered call from a number with a pending callback: the customer got through, so the
 *   callback is done as reached-by-customer.
 */
export function followCallbackSources(t: Telephony, active: () => boolean, service: CallbacksService, log: Logger): void {
  const warn = (what: string) => (err: Error) => log.warn({ err: err.message }, what);
  t.tracker.on("call", (e: CallEvent) => {
    if (!active() || e.type !== "call.ended") return;
    const c = e.call;
    if (c.direction !== "inbound" || !c.customerNumber?.startsWith("+")) return;
    if (c.outcome === "answered" && c.answeredAt) {
      void service.reachedByCustomer(c.customerNumber, c.answeredAt).catch(warn("could not close callbacks reached by the customer"));
      return;
    }
    // A caller who pressed 1 left the queue through the IVR (CRM_CALLBACK_REQUESTED): the IVR
    // callback is theirs, not an abandoned one.
    if (c.outcome !== "abandoned" || !c.queue || c.vars.CRM_CALLBACK_ID || c.vars.CRM_CALLBACK_REQUESTED) return;
    const queue = c.queue;
    const number = c.customerNumber;
    void (async () => {
      const s = await service.settings(queue);
      const waited = c.waitSeconds ?? 0;
      if (waited < s.minAbandonSeconds) return;
      await service.create({ number, name: c.callerName && c.callerName !== "<unknown>" ? c.callerName : null, queue, source: "abandoned", originalQueuedAt: c.queuedAt ?? c.startedAt, originLinkedid: c.linkedid, note: `Hung up after waiting ${waited} s in ${queue}` });
    })().catch((err: Error) => log.info({ err: err.message, ...callFields(c) }, "no callback for this abandoned call"));
  });
  t.pbxEvents.on("event", (e: PbxEvent) => {
    if (!active() || e.type !== "user.event" || e.name !== "CallbackRequest") return;
    const call = t.tracker.calls.get(e.linkedid);
    const number = e.fields.number ?? call?.customerNumber ?? "";
    // The caller's place: when they joined a queue, else when they called (the Unix time Asterisk
    // put in the call's first Uniqueid); JoinedAt is only when they pressed the digit.
    const joined = Number(e.fields.joinedat);
    const arrived = /(?:^|-)(\d{9,11})\.\d+$/.exec(e.linkedid);
    const place = call?.queuedAt ?? (arrived ? new Date(Number(arrived[1]) * 1000) : (call?.startedAt ?? (Number.isFinite(joined) && joined > 0 ? new Date(joined * 1000) : new Date())));
    void service
      .create({ number, queue: e.fields.queue || undefined, source: "ivr", originalQueuedAt: place, originLinkedid: e.linkedid, note: "Asked for a callback in the IVR" })
      .catch((err: Error) => log.warn({ err: err.message, ...callFields(e) }, "IVR callback request refused"));
  });
}
