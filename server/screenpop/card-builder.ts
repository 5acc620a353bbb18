import { normalizePhone } from "../crm/phone-numbers.js";
import type { PhoneIndex, PhoneOwner } from "../crm/phone-index.js";
import type { TrackedCall } from "../calls/call.types.js";
import type { Card, ClientCardData } from "./card.types.js";
import type { ClientCardCache } from "./client-card-cache.js";

export type { Card, CardClient, HistoryItem } from "./card.types.js";

/** Owners of one number are few; a number shared by more is a switchboard, shown without history. */
const maxClients = 5;

/** What a card was built from, to tell later whether it still holds. */
interface Provenance {
  key: string | null;
  owners: PhoneOwner[];
  used: [number, ClientCardData | null][];
}

/**
 * Builds the card for a call: the caller identified through the in-memory phone index, each
 * owning client's part from the client card cache (no database round trip once warm), then the
 * call's own fields. Reading starts at the call's first event (prefetch), so the queue wait
 * covers it and the agent's ring finds the card ready.
 */
export class CardBuilder {
  private readonly provenance = new WeakMap<Card, Provenance>();

  constructor(
    private readonly phoneIndex: PhoneIndex,
    private readonly cache: ClientCardCache,
    private readonly defaultCountry: string,
    private readonly didLabels: Record<string, string>,
    /** The caller's open callbacks (an in-memory index: the card never waits on the database). */
    private readonly callbacksOf: (e164: string) => unknown[] = () => [],
    /** The call's script by the script rules (in memory: the ring path does not wait on it). */
    private readonly scriptOf: (card: Card) => Card["script"] = () => null,
  ) {}

  async build(call: TrackedCall): Promise<Card> {
    const caller = this.callerOf(call);
    if (!caller.owners) caller.owners = caller.key ? await this.phoneIndex.lookup(caller.key) : [];
    const ids = clientIds(caller.owners);
    const used = await Promise.all(ids.map(async (id): Promise<[number, ClientCardData | null]> => [id, await this.cache.get(id)]));
    return this.assemble(call, caller.key, caller.owners, used);
  }

  /** The card now, without waiting, when everything it shows is in memory; else undefined. */
  buildNow(call: TrackedCall): Card | undefined {
    const { key, owners } = this.callerOf(call);
    if (!owners) return undefined;
    const used: [number, ClientCardData | null][] = [];
    for (const id of clientIds(owners)) {
      const data = this.cache.peek(id);
      if (data === undefined) return undefined;
      used.push([id, data]);
    }
    return this.assemble(call, key, owners, used);
  }

  private callerOf(call: TrackedCall) {
    const outbound = call.direction === "outbound";
    const written = (outbound ? call.customerNumber : call.callerNumber) ?? "";
    const n = normalizePhone(written, this.defaultCountry);
    const key = n.kind === "e164" || n.kind === "internal" ? n.number : null;
    // Undefined until the index has loaded (then a SQL lookup).
    const owners: PhoneOwner[] | undefined = key ? this.phoneIndex.lookupSync(key) : [];
    return { written, n, key, owners };
  }

  private assemble(call: TrackedCall, key: string | null, owners: PhoneOwner[], used: [number, ClientCardData | null][]): Card {
    const { written, n } = this.callerOf(call);
    const outbound = call.direction === "outbound";
    const ids = clientIds(owners);
    const dialedNumber = outbound ? written : call.calledNumber;
    const card: Card = {
      callId: call.linkedid,
      direction: outbound ? "outbound" : "inbound",
      queue: call.queue,
      caller: { number: written, e164: n.kind === "e164" ? n.number : null, withheld: n.kind === "withheld", valid: n.kind === "e164" ? n.valid : n.kind === "internal" },
      dialed: { number: dialedNumber, label: this.didLabels[dialedNumber] ?? null },
      client: null,
      clients: [],
      contact: null,
      history: [],
      tasks: [],
      byClient: {},
      callbacks: key ? this.callbacksOf(key) : [],
      script: null,
      queuedAt: call.queuedAt,
      ringingAt: call.ringingAt,
    };
    // The index changes its arrays in place: keep a copy to compare with later.
    this.provenance.set(card, { key, owners: [...owners], used });
    const datas = used.map(([, d]) => d).filter((d): d is ClientCardData => d !== null);
    card.clients = datas.map((d) => d.client);
    for (const d of datas) card.byClient[d.client.id] = { history: d.history, tasks: d.tasks };
    // Click-to-call from a client's card names that client (CRM_CLIENT_ID on the originate).
    const named = Number(call.vars.CRM_CLIENT_ID);
    const chosen = datas.length === 1 ? datas[0] : datas.find((d) => d.client.id === named);
    if (chosen) {
      card.client = chosen.client;
      card.history = chosen.history;
      card.tasks = chosen.tasks;
    }
    if (ids.length === 1 && datas.length === 1) {
      const contactId = owners.find((o) => o.clientId === ids[0])?.contactId ?? null;
      card.contact = datas[0]!.contacts.find((c) => c.id === contactId) ?? null;
    }
    card.script = this.scriptOf(card);
    const spy = /^(\d{2,8}):(listen|whisper|barge)$/.exec(call.vars.CRM_SPY ?? "");
    if (spy) card.spy = { agent: spy[1]!, mode: spy[2]! };
    return card;
  }

  /**
   * Starts reading what the call's card will need at the call's first event (Newchannel, queue
   * join): a real PBX plays a greeting and queues the caller before any phone rings.
   */
  prefetch(call: TrackedCall): void {
    const written = (call.direction === "outbound" ? call.customerNumber : call.callerNumber) ?? "";
    const n = normalizePhone(written, this.defaultCountry);
    if (n.kind !== "e164" && n.kind !== "internal") return;
    for (const id of clientIds(this.phoneIndex.lookupSync(n.number) ?? [])) void this.cache.get(id).catch(() => {});
  }

  /**
   * False once something the card shows changed since it was built: one of its clients edited
   * (or given a call, a note, a task), or the number given to or taken from a client.
   */
  fresh(card: Card): boolean {
    const p = this.provenance.get(card);
    if (!p) return true;
    if (p.key !== null) {
      const now = this.phoneIndex.lookupSync(p.key);
      if (now !== undefined && !sameOwners(now, p.owners)) return false;
    }
    return p.used.every(([id, data]) => this.cache.isCurrent(id, data));
  }
}

/** The owning clients a card shows, in id order (the index keeps them in the order it learnt them). */
function clientIds(owners: PhoneOwner[]): number[] {
  return [...new Set(owners.map((o) => o.clientId))].sort((a, b) => a - b).slice(0, maxClients);
}

function sameOwners(a: PhoneOwner[], b: PhoneOwner[]): boolean {
  return a.length === b.length && a.every((o, i) => o.clientId === b[i]!.clientId && o.contactId === b[i]!.contactId);
}
