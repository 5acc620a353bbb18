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
  owner: string | null;
  leadSource: string | null;
}

export type HistoryItem =
  | { type: "call"; at: Date; direction: string; outcome: string; agent: string | null; agentName: string | null; queue: string | null; talkSeconds: number | null; disposition: string | null }
  | { type: "note"; at: Date; body: string; author: string | null };

/** What the screen pop shows (interfaces.md: call:offer). Built once per call, sent to every ringing agent. */
export interface Card {
  callId: string;
  direction: "inbound" | "outbound";
  queue: string | null;
  caller: { number: string; e164: string | null; withheld: boolean; valid: boolean };
  dialed: { number: string; label: string | null };
  client: CardClient | null;
  clients: CardClient[];
  contact: { id: number; name: string; title: string | null } | null;
  history: HistoryItem[];
  tasks: { id: number; title: string; dueAt: Date | null }[];
  callbacks: unknown[];
  script: null;
  queuedAt: Date | null;
  ringingAt: Date | null;
}

interface ClientRow extends Record<string, unknown> {
  id: number; name: string; kind: string; company: string | null; stage: string; tags: string[]; vip: boolean; owner: string | null; lead_source: string | null;
}

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
      callbacks: [],
      script: null,
      queuedAt: call.queuedAt,
      ringingAt: call.ringingAt,
    };
    if (ids.length === 0) return card;
    const first = ids[0]!;
    const contactId = owners.find((o) => o.clientId === first)?.contactId ?? null;
    const [clients, calls, notes, tasks, contact] = await Promise.all([
      this.db.query<ClientRow>(
        `SELECT c.id, c.name, c.kind::text AS kind, c.company, c.stage::text AS stage, c.tags, c.vip, c.lead_source, u.display_name AS owner
           FROM clients c LEFT JOIN users u ON u.id = c.owner_id
          WHERE c.id = ANY($1::int[]) AND c.deleted_at IS NULL ORDER BY c.id`,
        [ids],
      ),
      this.db.query<{ started_at: Date; direction: string; outcome: string; agent_extension: string | null; display_name: string | null; queue: string | null; talk_seconds: number | null; disposition: string | null }>(
        `SELECT k.started_at, k.direction, k.outcome, k.agent_extension, u.display_name, k.queue, k.talk_seconds, k.disposition
           FROM calls k LEFT JOIN users u ON u.id = k.agent_id
          WHERE k.client_id = $1 ORDER BY k.started_at DESC LIMIT 5`,
        [first],
      ),
      this.db.query<{ body: string; created_at: Date; display_name: string | null }>(
        `SELECT n.body, n.created_at, u.display_name FROM notes n LEFT JOIN users u ON u.id = n.author_id
          WHERE n.client_id = $1 ORDER BY n.created_at DESC LIMIT 3`,
        [first],
      ),
      this.db.query<{ id: number; title: string; due_at: Date | null }>(
        `SELECT id, title, due_at FROM tasks WHERE client_id = $1 AND done_at IS NULL ORDER BY due_at ASC NULLS LAST, id LIMIT 5`,
        [first],
      ),
      contactId
        ? this.db.query<{ id: number; name: string; title: string | null }>(`SELECT id, name, title FROM contacts WHERE id = $1`, [contactId])
        : Promise.resolve([]),
    ]);
    card.clients = clients.map((c) => ({ id: c.id, name: c.name, kind: c.kind, company: c.company, stage: c.stage, tags: c.tags, vip: c.vip, owner: c.owner, leadSource: c.lead_source }));
    card.client = card.clients[0] ?? null;
    card.contact = contact[0] ?? null;
    card.history = [
      ...calls.map((k): HistoryItem => ({ type: "call", at: k.started_at, direction: k.direction, outcome: k.outcome, agent: k.agent_extension, agentName: k.display_name, queue: k.queue, talkSeconds: k.talk_seconds, disposition: k.disposition })),
      ...notes.map((x): HistoryItem => ({ type: "note", at: x.created_at, body: x.body, author: x.display_name })),
    ].sort((a, b) => b.at.getTime() - a.at.getTime());
    card.tasks = tasks.map((t) => ({ id: t.id, title: t.title, dueAt: t.due_at }));
    return card;
  }
}
