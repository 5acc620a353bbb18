import type { Database } from "../platform/db/database.js";
import type { CardContact, CardTask, ClientCardData, HistoryItem, UserRef } from "./card.types.js";

/**
 * One client's card part in one statement (one round trip: PGlite runs statements one after the
 * other, so four small ones cost four times its per-statement overhead), prepared once.
 * Timestamps are `timestamp(3)` holding UTC; inside JSON they come back as text without a zone.
 */
const clientCardSql = `
SELECT c.id, c.name, c.kind::text AS kind, c.company, c.stage::text AS stage, COALESCE(c.tags, '{}') AS tags, c.vip,
       c.lead_source, c.owner_id, u.display_name AS owner,
       (SELECT COALESCE(json_agg(x ORDER BY x.at DESC, x.id DESC), '[]') FROM (
          SELECT k.id, k.started_at AS at, k.direction, k.outcome, k.agent_extension, k.agent_id, a.display_name, k.queue, k.talk_seconds, k.disposition
            FROM calls k LEFT JOIN users a ON a.id = k.agent_id
           WHERE k.client_id = c.id ORDER BY k.started_at DESC, k.id DESC LIMIT 5) x) AS calls,
       (SELECT COALESCE(json_agg(x ORDER BY x.at DESC, x.id DESC), '[]') FROM (
          SELECT n.id, n.created_at AS at, n.body, n.author_id, a.display_name
            FROM notes n LEFT JOIN users a ON a.id = n.author_id
           WHERE n.client_id = c.id ORDER BY n.created_at DESC, n.id DESC LIMIT 3) x) AS notes,
       (SELECT COALESCE(json_agg(x ORDER BY x.due_at ASC NULLS LAST, x.id), '[]') FROM (
          SELECT t.id, t.title, t.due_at FROM tasks t
           WHERE t.client_id = c.id AND t.done_at IS NULL ORDER BY t.due_at ASC NULLS LAST, t.id LIMIT 5) x) AS tasks,
       (SELECT COALESCE(json_agg(x ORDER BY x.id), '[]') FROM (
          SELECT ct.id, ct.name, ct.title FROM contacts ct
           WHERE ct.client_id = c.id AND ct.deleted_at IS NULL AND EXISTS (SELECT 1 FROM phones p WHERE p.contact_id = ct.id)
           ORDER BY ct.id LIMIT 200) x) AS contacts
  FROM clients c LEFT JOIN users u ON u.id = c.owner_id
 WHERE c.id = $1 AND c.deleted_at IS NULL`;

interface Row extends Record<string, unknown> {
  id: number; name: string; kind: string; company: string | null; stage: string; tags: string[]; vip: boolean;
  lead_source: string | null; owner_id: number | null; owner: string | null;
  calls: { id: number; at: string; direction: string; outcome: string; agent_extension: string | null; agent_id: number | null; display_name: string | null; queue: string | null; talk_seconds: number | null; disposition: string | null }[];
  notes: { id: number; at: string; body: string; author_id: number | null; display_name: string | null }[];
  tasks: { id: number; title: string; due_at: string | null }[];
  contacts: CardContact[];
}

interface Slot {
  /** When its read started: a change committed before then is in it. */
  readAt: number;
  data: Promise<ClientCardData | null>;
  /** The data once read (null: no such live client). */
  value?: ClientCardData | null;
}

export interface ClientCardCacheOptions {
  /** Clients kept (least recently used go first). */
  max: number;
  /**
   * Re-read after this long even if no change was heard: a bound on what a change made outside
   * the server (SQL by hand) can leave stale. Changes through the server invalidate at once.
   */
  maxAgeMs: number;
}

/**
 * What a card shows of each client, kept in memory so a ring costs no database round trip. It is
 * correct only if told of every change: the CRM services (clients.changed), the call journal (a
 * call stored), user renames, and the same from other nodes over the cluster bus (composition root).
 * A change drops the client's slot and reads it again at once, so the next ring finds it warm.
 */
export class ClientCardCache {
  private readonly slots = new Map<number, Slot>();

  constructor(
    private readonly db: Database,
    private readonly opts: ClientCardCacheOptions = { max: 5000, maxAgeMs: 5 * 60_000 },
  ) {}

  get size(): number {
    return this.slots.size;
  }

  get(clientId: number): Promise<ClientCardData | null> {
    const slot = this.slots.get(clientId);
    if (!slot || Date.now() - slot.readAt >= this.opts.maxAgeMs) return this.read(clientId).data;
    // Least recently used first in the Map's order.
    this.slots.delete(clientId);
    this.slots.set(clientId, slot);
    return slot.data;
  }

  /** The client's data if it is at hand now (read, and not too old); undefined when it must be read. */
  peek(clientId: number): ClientCardData | null | undefined {
    const slot = this.slots.get(clientId);
    if (!slot || !("value" in slot) || Date.now() - slot.readAt >= this.opts.maxAgeMs) return undefined;
    this.slots.delete(clientId);
    this.slots.set(clientId, slot);
    return slot.value;
  }

  /** True while `data` is what the cache holds for that client: nothing about it changed since. */
  isCurrent(clientId: number, data: ClientCardData | null): boolean {
    const slot = this.slots.get(clientId);
    return slot !== undefined && "value" in slot && slot.value === data;
  }

  /** The client changed: forget it, and read it again now if it was kept (it is likely to ring again). */
  invalidate(clientId: number): void {
    if (this.slots.delete(clientId)) void this.read(clientId).data.catch(() => {});
  }

  /** Everything may have changed (a user renamed: owners, agents and note authors on every card). */
  clear(): void {
    this.slots.clear();
  }

  /** Prepares and plans the statement, and runs the reading code, before the first call needs them. */
  async warm(clientId = 0): Promise<void> {
    // PostgreSQL plans a prepared statement's first five runs one by one before it keeps a plan.
    for (let i = 0; i < 6; i++) {
      const rows = await this.db.prepared<Row>("screenpop_client_card", clientCardSql, [clientId]);
      if (rows[0]) toData(rows[0]);
    }
  }

  private read(clientId: number): Slot {
    const slot: Slot = { readAt: Date.now(), data: Promise.resolve(null) };
    slot.data = this.db.prepared<Row>("screenpop_client_card", clientCardSql, [clientId]).then((rows) => {
      slot.value = rows[0] ? toData(rows[0]) : null;
      return slot.value;
    });
    // A failed read is not kept: the next ring tries again.
    slot.data.catch(() => {
      if (this.slots.get(clientId) === slot) this.slots.delete(clientId);
    });
    this.slots.set(clientId, slot);
    while (this.slots.size > this.opts.max) this.slots.delete(this.slots.keys().next().value!);
    return slot;
  }
}

const utc = (s: string) => new Date(s.endsWith("Z") ? s : `${s}Z`);
const ref = (id: number | null, name: string | null): UserRef => (id !== null && name !== null ? { id, displayName: name } : null);

function toData(r: Row): ClientCardData {
  const history: HistoryItem[] = [
    ...r.calls.map((k): HistoryItem => ({ type: "call", id: k.id, at: utc(k.at), direction: k.direction, outcome: k.outcome, agent: k.agent_extension, agentUser: ref(k.agent_id, k.display_name), queue: k.queue, talkSeconds: k.talk_seconds, disposition: k.disposition })),
    ...r.notes.map((n): HistoryItem => ({ type: "note", id: n.id, at: utc(n.at), body: n.body, author: ref(n.author_id, n.display_name) })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
  const tasks: CardTask[] = r.tasks.map((t) => ({ id: t.id, title: t.title, dueAt: t.due_at === null ? null : utc(t.due_at) }));
  return {
    client: { id: r.id, name: r.name, kind: r.kind, company: r.company, stage: r.stage, tags: r.tags, vip: r.vip, owner: ref(r.owner_id, r.owner), leadSource: r.lead_source },
    history,
    tasks,
    contacts: r.contacts,
  };
}
