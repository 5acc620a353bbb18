import { callFields, type Logger } from "../platform/logger.js";
import type { Realtime } from "../platform/realtime/realtime.js";
import type { EventName, EventPayload } from "../platform/realtime/events.js";
import type { ExtensionDirectory } from "../auth/extension-directory.js";
import type { CallEvent, CallTracker } from "../calls/call-tracker.js";
import type { TrackedCall } from "../calls/call.types.js";
import type { Card, CardBuilder } from "./card-builder.js";

export type OfferState = "ringing" | "talking" | "held";

/** The screen pop as sent (interfaces.md: call:offer). */
export interface Offer extends Card {
  state: OfferState;
  waitSeconds: number | null;
  answeredAt: Date | null;
  timing: { amiAt: number; sentAt: number };
}

/** One PBX's calls: its tracker, and whether this node pushes for it (holds its lease). */
export interface PopSource {
  tracker: CallTracker;
  active: () => boolean;
}

interface Entry {
  src: PopSource;
  call: TrackedCall;
  /** Built when the first push needs it (at once on the node that pushes), or when a console asks. */
  card: Promise<Card> | null;
  /** Extension → what that agent's console shows for this call. */
  offered: Map<string, OfferState>;
  /** Pushes for one call go out in order, after its card is built. */
  chain: Promise<void>;
  /** Pushes waiting in `chain`. */
  pending: number;
  /** The card, once it is at hand (not only promised). */
  ready: Card | null;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Puts the caller's card on exactly the consoles whose phones ring for a call, before anyone
 * answers, and keeps each console in step: withdrawn when another agent answers, the caller leaves
 * or the ring times out; answered, held, transferred and ended for the agent who took it.
 */
export class ScreenPop {
  private readonly entries = new Map<string, Entry>();
  /** Told of every push sent (the /metrics pop counter and latency histogram). */
  onPush: ((event: string, payload: unknown) => void) | null = null;

  constructor(
    sources: PopSource[],
    private readonly builder: CardBuilder,
    private readonly directory: ExtensionDirectory,
    private readonly realtime: Realtime,
    private readonly log: Logger,
    private readonly wrapupSeconds: number,
  ) {
    for (const src of sources) src.tracker.on("call", (e: CallEvent) => this.onCall(e, src));
  }

  /** What an agent's console should show right now (after a reconnect, a reload, a restored tab). */
  async currentFor(ext: string): Promise<Offer[]> {
    const out: Offer[] = [];
    for (const entry of this.entries.values()) {
      const state = entry.offered.get(ext);
      if (state) out.push(this.offer(entry, await this.cardOf(entry), state, entry.src.tracker.frameAt, ext));
    }
    return out;
  }

  private onCall(e: CallEvent, src: PopSource): void {
    const at = src.tracker.frameAt;
    switch (e.type) {
      case "call.started":
      case "call.queued":
        // The caller is known before any phone rings: read their card while they wait.
        if (src.active()) this.builder.prefetch(e.call);
        return;
      case "call.ringing": {
        const entry = this.entry(e.call, src);
        if (entry.offered.has(e.agent)) return; // several devices on one extension: one card
        entry.offered.set(e.agent, "ringing");
        return this.push(entry, e.agent, "call:offer", (card) => this.offer(entry, card, "ringing", at, e.agent));
      }
      case "call.ring-ended": {
        const entry = this.entries.get(e.call.linkedid);
        const reason = e.reason;
        if (!entry || reason === "answered" || entry.offered.get(e.agent) !== "ringing") return;
        // The agent's own click-to-call that their phone did not answer: call:ended says why.
        if (e.call.endReason) return;
        // Another device of the same extension may still ring.
        if ([...e.call.ringing.values()].includes(e.agent)) return;
        entry.offered.delete(e.agent);
        return this.push(entry, e.agent, "call:withdrawn", () => ({ callId: e.call.linkedid, reason }));
      }
      case "call.answered": {
        const agent = e.agent;
        if (!agent) return;
        const entry = this.entry(e.call, src);
        const before = entry.offered.get(agent);
        entry.offered.set(agent, "talking");
        if (!before) this.push(entry, agent, "call:offer", (card) => this.offer(entry, card, "talking", at, agent));
        // This agent's answer (a transferred call's next agent answers after the call's first answer).
        return this.push(entry, agent, "call:answered", () => ({ callId: e.call.linkedid, answeredAt: e.at }));
      }
      case "call.held":
      case "call.resumed": {
        const entry = this.entries.get(e.call.linkedid);
        if (!entry || !e.agent || !entry.offered.has(e.agent)) return;
        entry.offered.set(e.agent, e.type === "call.held" ? "held" : "talking");
        return this.push(entry, e.agent, e.type === "call.held" ? "call:held" : "call:resumed", () => ({ callId: e.call.linkedid }));
      }
      case "call.transferred": {
        const entry = this.entries.get(e.call.linkedid);
        if (!entry || !e.from || !entry.offered.has(e.from)) return;
        entry.offered.delete(e.from);
        return this.push(entry, e.from, "call:transferred", () => ({ callId: e.call.linkedid, to: e.to }));
      }
      case "call.ended": {
        // A click-to-call that reached nobody tells its agent why, even one that never rang (no channel).
        const reason = e.call.endReason;
        const entry = this.entries.get(e.call.linkedid) ?? (reason && e.call.agent ? this.entry(e.call, src) : undefined);
        if (!entry) return;
        if (reason && e.call.agent && !entry.offered.has(e.call.agent)) entry.offered.set(e.call.agent, "ringing");
        for (const [agent, state] of entry.offered) {
          if (state === "ringing" && !reason) this.push(entry, agent, "call:withdrawn", () => ({ callId: e.call.linkedid, reason: "caller-left" as const }));
          else
            this.push(entry, agent, "call:ended", () => ({
              callId: e.call.linkedid,
              outcome: e.call.outcome ?? "missed",
              reason,
              talkSeconds: e.call.talkSeconds,
              wrapup: this.wrapupSeconds > 0 && agent === e.call.agent && e.call.answeredAt !== null,
            }));
        }
        entry.chain = entry.chain.finally(() => this.entries.delete(e.call.linkedid));
        return;
      }
      default:
        return;
    }
  }

  private entry(call: TrackedCall, src: PopSource): Entry {
    let entry = this.entries.get(call.linkedid);
    if (!entry) {
      entry = { src, call, card: null, offered: new Map(), chain: Promise.resolve(), pending: 0, ready: null };
      this.entries.set(call.linkedid, entry);
      // Read while the caller waited (prefetch): the card is ready now, and the offer goes out
      // in this very tick.
      const atHand = src.active() ? this.builder.buildNow(call) : undefined;
      if (atHand) {
        entry.card = Promise.resolve(atHand);
        entry.ready = atHand;
      }
      // The card is built as soon as the call rings, while the events that follow queue behind it.
      else if (src.active()) {
        const card = this.cardOf(entry);
        entry.chain = card.then(() => undefined, () => undefined);
      }
    }
    return entry;
  }

  private async cardOf(entry: Entry): Promise<Card> {
    entry.card ??= this.builder.build(entry.call);
    const card = await entry.card;
    // The client was edited (or the number changed hands) since: a later ring round or a console
    // reloading gets the card anew, never the stale one.
    if (this.builder.fresh(card)) return (entry.ready = card);
    entry.ready = null;
    entry.card = this.builder.build(entry.call);
    return entry.card;
  }

  /** `agent`: whose console it is for: their own answer (a transferred call's next agent answers later). */
  private offer(entry: Entry, card: Card, state: OfferState, amiAt: number, agent: string): Offer {
    const call = entry.call;
    const mine = call.segments.findLast((x) => x.agent === agent && x.answeredAt !== null && x.result === "talking");
    const from = call.queuedAt ?? (call.direction === "inbound" ? call.startedAt : null);
    return {
      ...card,
      queue: call.queue ?? card.queue,
      state,
      waitSeconds: from ? Math.max(0, Math.round(((call.answeredAt?.getTime() ?? Date.now()) - from.getTime()) / 1000)) : null,
      answeredAt: state === "ringing" ? null : (mine?.answeredAt ?? call.answeredAt),
      timing: { amiAt, sentAt: now() },
    };
  }

  private push<E extends Extract<EventName, `call:${string}`>>(entry: Entry, ext: string, event: E, payload: (card: Card) => EventPayload<E>): void {
    if (!entry.src.active()) return;
    const send = (card: Card) => {
      const userId = this.directory.userOf(ext);
      if (userId === undefined) return;
      const body = payload(card);
      this.realtime.toUser(userId, event, body);
      this.onPush?.(event, body);
    };
    const failed = (err: unknown) => this.log.error({ err, ...callFields(entry.call, ext), event }, "screen pop failed");
    // Nothing queued ahead and the card at hand: sent now, not after the rest of this AMI read.
    if (entry.pending === 0 && entry.ready && this.builder.fresh(entry.ready)) {
      try {
        send(entry.ready);
      } catch (err) {
        failed(err);
      }
      return;
    }
    entry.pending++;
    entry.chain = entry.chain.then(async () => {
      try {
        send(await this.cardOf(entry));
      } catch (err) {
        failed(err);
      } finally {
        entry.pending--;
      }
    });
  }
}
