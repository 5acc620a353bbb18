import type { CallEvent } from "../calls/call-tracker.js";
import type { AgentState } from "../calls/agent-states.js";
import type { Telephony } from "../calls/telephony.js";
import type { TrackedCall } from "../calls/call.types.js";
import type { EventLog } from "./event-log.js";

const waitingIn = (t: Telephony, queue: string) => [...t.tracker.calls.values()].filter((c) => c.queue === queue && !c.answeredAt && !c.endedAt).length;

const callFields = (pbx: string, c: TrackedCall) => ({ callId: c.linkedid, pbx, direction: c.direction, queue: c.queue });

/**
 * Puts each PBX's call, agent and queue events into the event log, once: only the node holding
 * that PBX's lease appends (the others see the same events from its feed and stay quiet).
 */
export function logPbxEvents(t: Telephony, events: EventLog): void {
  const holder = () => t.role === "holder";
  const queueUpdate = (queue: string | null) => {
    if (queue) void events.append("queue.update", { pbx: t.name, queue, waiting: waitingIn(t, queue) });
  };
  t.tracker.on("call", (e: CallEvent) => {
    if (!holder()) return;
    const c = e.call;
    switch (e.type) {
      case "call.started":
        void events.append("call.started", { ...callFields(t.name, c), callerNumber: c.callerNumber, calledNumber: c.calledNumber, startedAt: c.startedAt });
        break;
      case "call.queued":
        void events.append("call.queued", { ...callFields(t.name, c), queue: e.queue });
        queueUpdate(e.queue);
        break;
      case "call.ringing":
        void events.append("call.ringing", { ...callFields(t.name, c), agent: e.agent });
        break;
      case "call.answered":
        void events.append("call.answered", { ...callFields(t.name, c), agent: e.agent, answeredAt: e.at, waitSeconds: c.waitSeconds });
        queueUpdate(c.queue);
        break;
      case "call.held":
      case "call.resumed":
        void events.append(e.type, { ...callFields(t.name, c), agent: e.agent });
        break;
      case "call.transferred":
        void events.append("call.transferred", { ...callFields(t.name, c), from: e.from, to: e.to, kind: e.kind });
        break;
      case "call.ended":
        void events.append("call.ended", {
          ...callFields(t.name, c),
          outcome: c.outcome,
          agent: c.agent,
          callerNumber: c.callerNumber,
          calledNumber: c.calledNumber,
          startedAt: c.startedAt,
          answeredAt: c.answeredAt,
          endedAt: c.endedAt,
          waitSeconds: c.waitSeconds,
          talkSeconds: c.talkSeconds,
          holdSeconds: c.holdSeconds,
          transfers: c.transfers,
        });
        queueUpdate(c.queue);
        break;
      default:
        break;
    }
  });
  t.agents.on("state", (s: AgentState) => {
    if (holder()) void events.append("agent.state", { pbx: t.name, agent: s.agent, state: s.state, reason: s.reason, since: s.since, queues: s.queues });
  });
}
