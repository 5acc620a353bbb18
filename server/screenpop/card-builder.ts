import type { Database } from "../platform/db/database.js";
import { normalizePhone } from "../crm/phone-numbers.js";
import type { PhoneIndex } from "../crm/phone-index.js";
import type { TrackedCall } from "../calls/call.types.js";

export interface CardClient {
  id: number;
  name: string;
  kind: string;
  company: string | null;
  stage: string;
  tags: string[];
  vip: boolean;
  owner: { id: number; displayName: string } | null;
  leadSource: string | null;
}

type UserRef = { id: number; displayName: string } | null;

export type HistoryItem =
  | { type: "call"; id: number; at: Date; direction: string; outcome: string; agent: string | null; agentUser: UserRef; queue: string | null; talkSeconds: number | null; disposition: string | null }
  | { type: "note"; id: number; at: Date; body: string; author: UserRef };

type Task = { id: number; title: string; dueAt: Date | null };

/** What the screen pop shows (interfaces.md: call:offer). Built once per call, sent to every ringing agent. */
export interface Card {
  callId: string;
  direction: "inbound" | "outbound";
  queue: string | null;
  caller: { number: string; e164: string | null; withheld: boolean; valid: boolean };
  dialed: { number: string; label: string | null };
  /** The caller's client when the number has exactly one owner (or click-to-call named it); else null. */
  client: CardClient | null;
  /** Every client owning the number (several: the agent picks). */
  clients: CardClient[];
  contact: { id: number; name: string; title: string | null } | null;
  /** History and tasks of `client` (empty when several: see byClient). */
  history: HistoryItem[];
  tasks: Task[];
  /** Per owning client, so the agent's pick shows the right history. */
  byClient: Record<number, { history: HistoryItem[]; tasks: Task[] }>;
  callbacks: unknown[];
  script: null;
  queuedAt: Date | null;
  ringingAt: Date | null;
}

interface ClientRow extends Record<string, unknown> {
  id: number; name: string; kind: string; company: string | null; stage: string; tags: string[]; vip: boolean; owner_id: number | null; owner: string | null; lead_source: string | null;
}

/** Owners of one number are few; a number shared by more is a switchboard, shown without history. */
const maxClients = 5;

/**
 * Builds the card for a call: the caller identified through the in-memory phone index (no database
 * round trip), then the client, the last interactions (any agent's: no cold second contact) and the
 * open tasks in a few parallel statements straight on the driver.
 */
export class CardBuilder {
  constructor(
    private readonly db: Database,
    private readonly phoneIndex: PhoneIndex,
    private readonly defaultCountry: string,
    private readonly didLabels: Record<string, string>,
  ) {}

  async build(call: TrackedCall): Promise<Card> {
    const outbound = call.direction === "outbound";
    const written = (outbound ? call.customerNumber : call.callerNumber) ?? "";
    const n = normalizePhone(written, this.defaultCountry);
    const e164 = n.kind === "e164" ? n.number : null;
    const key = n.kind === "e164" || n.kind === "internal" ? n.number : null;
    const owners = key ? (this.phoneIndex.lookupSync(key) ?? (await this.phoneIndex.lookup(key))) : [];
    const ids = [...new Set(owners.map((o) => o.clientId))];
    const dialedNumber = outbound ? written : call.calledNumber;
    const card: Card = {
      callId: call.linkedid,
      direction: outbound ? "outbound" : "inbound",
      queue: call.queue,
      caller: { number: written, e164, withheld: n.kind === "withheld", valid: n.kind === "e164" ? n.valid : n.kind === "internal" },
      dialed: { number: dialedNumber, label: this.didLabels[dialedNumber] ?? null },
      client: null,
      clients: [],
      contact: null,
      history: [],
      tasks: [],
      byClient: {},
      callbacks: [],
      script: null,
      queuedAt: call.queuedAt,
      ringingAt: call.ringingAt,
    };
    if (ids.length === 0) return card;
    const some = ids.slice(0, maxClients);
    const contactId = ids.length === 1 ? (owners.find((o) => o.clientId === ids[0])?.contactId ?? null) : null;
    const [clients, calls, notes, tasks, contact] = await Promise.all([
      this.db.query<ClientRow>(
        `SELECT c.id, c.name, c.kind::text AS kind, c.company, c.stage::text AS stage, COALESCE(c.tags, '{}') AS tags, c.vip, c.lead_source,
                c.owner_id, u.display_name AS owner
           FROM clients c LEFT JOIN users u ON u.id = c.owner_id
          WHERE c.id = ANY($1::int[]) AND c.deleted_at IS NULL ORDER BY c.id`,
        [some],
      ),
      this.db.query<{ id: number; client_id: number; started_at: Date; direction: string; outcome: string; agent_extension: string | null; agent_id: number | null; display_name: string | null; queue: string | null; talk_seconds: number | null; disposition: string | null }>(
        `SELECT k.id, k.client_id, k.started_at, k.direction, k.outcome, k.agent_extension, k.agent_id, u.display_name, k.queue, k.talk_seconds, k.disposition
           FROM calls k LEFT JOIN users u ON u.id = k.agent_id
          WHERE k.client_id = ANY($1::int[]) ORDER BY k.started_at DESC LIMIT $2`,
        [some, 5 * some.length],
      ),
      this.db.query<{ id: number; client_id: number; body: string; created_at: Date; author_id: number | null; display_name: string | null }>(
        `SELECT n.id, n.client_id, n.body, n.created_at, n.author_id, u.display_name FROM notes n LEFT JOIN users u ON u.id = n.author_id
          WHERE n.client_id = ANY($1::int[]) ORDER BY n.created_at DESC LIMIT $2`,
        [some, 3 * some.length],
      ),
      this.db.query<{ id: number; client_id: number; title: string; due_at: Date | null }>(
        `SELECT id, client_id, title, due_at FROM tasks WHERE client_id = ANY($1::int[]) AND done_at IS NULL ORDER BY due_at ASC NULLS LAST, id LIMIT $2`,
        [some, 5 * some.length],
      ),
      contactId
        ? this.db.query<{ id: number; name: string; title: string | null }>(`SELECT id, name, title FROM contacts WHERE id = $1`, [contactId])
        : Promise.resolve([]),
    ]);
    const ref = (id: number | null, name: string | null): UserRef => (id !== null && name !== null ? { id, displayName: name } : null);
    card.clients = clients.map((c) => ({ id: c.id, name: c.name, kind: c.kind, company: c.company, stage: c.stage, tags: c.tags, vip: c.vip, owner: ref(c.owner_id, c.owner), leadSource: c.lead_source }));
    for (const c of card.clients) {
      const history: HistoryItem[] = [
        ...calls.filter((k) => k.client_id === c.id).slice(0, 5).map((k): HistoryItem => ({ type: "call", id: k.id, at: k.started_at, direction: k.direction, outcome: k.outcome, agent: k.agent_extension, agentUser: ref(k.agent_id, k.display_name), queue: k.queue, talkSeconds: k.talk_seconds, disposition: k.disposition })),
        ...notes.filter((x) => x.client_id === c.id).slice(0, 3).map((x): HistoryItem => ({ type: "note", id: x.id, at: x.created_at, body: x.body, author: ref(x.author_id, x.display_name) })),
      ].sort((a, b) => b.at.getTime() - a.at.getTime());
      card.byClient[c.id] = { history, tasks: tasks.filter((t) => t.client_id === c.id).slice(0, 5).map((t) => ({ id: t.id, title: t.title, dueAt: t.due_at })) };
    }
    // Click-to-call from a client's card names that client (CRM_CLIENT_ID on the originate).
    const named = Number(call.vars.CRM_CLIENT_ID);
    const chosen = card.clients.length === 1 ? card.clients[0] : card.clients.find((c) => c.id === named);
    if (chosen) {
      card.client = chosen;
      card.history = card.byClient[chosen.id]!.history;
      card.tasks = card.byClient[chosen.id]!.tasks;
    }
    card.contact = contact[0] ?? null;
    return card;
  }
}
