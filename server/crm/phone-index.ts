import type { Database } from "../platform/db/database.js";

export interface PhoneOwner {
  clientId: number;
  contactId: number | null;
}

interface Row extends Record<string, unknown> {
  number: string;
  client_id: number;
  contact_id: number | null;
}

/**
 * Every stored number (E.164 or internal digits) → the live clients and contacts that own it, held
 * in memory so the caller lookup on ring costs a Map read, not a database round trip. The CRM
 * service tells it about every change; other server nodes hear of changes through `onRemoteChange`
 * (Redis pub/sub, wired in the composition root) and reload the client from the database.
 */
export class PhoneIndex {
  private byNumber = new Map<string, PhoneOwner[]>();
  private byClient = new Map<number, string[]>();
  private loaded = false;
  /** Clients changed while a load was reading pages; re-read once the load swaps its maps in. */
  private changedDuringLoad: Set<number> | null = null;

  constructor(private readonly db: Database) {}

  get ready(): boolean {
    return this.loaded;
  }

  get size(): number {
    return this.byNumber.size;
  }

  /** Loads every number of every live client, in pages so a million rows do not sit in one result. */
  async load(pageSize = 50_000): Promise<void> {
    const byNumber = new Map<string, PhoneOwner[]>();
    const byClient = new Map<number, string[]>();
    this.changedDuringLoad = new Set();
    let after = 0;
    for (;;) {
      const rows = await this.db.query<Row & { id: number }>(
        `SELECT p.id, p.number, p.client_id, p.contact_id FROM phones p
           JOIN clients c ON c.id = p.client_id
          WHERE c.deleted_at IS NULL AND p.id > $1
          ORDER BY p.id LIMIT $2`,
        [after, pageSize],
      );
      for (const r of rows) add(byNumber, byClient, r);
      if (rows.length < pageSize) break;
      after = rows[rows.length - 1]!.id;
    }
    this.byNumber = byNumber;
    this.byClient = byClient;
    const changed = this.changedDuringLoad;
    this.changedDuringLoad = null;
    for (const clientId of changed) await this.refreshClient(clientId);
    this.loaded = true;
  }

  /** Owners of a normalized number; falls back to SQL until the index has loaded. */
  async lookup(number: string): Promise<PhoneOwner[]> {
    if (this.loaded) return this.byNumber.get(number) ?? [];
    const rows = await this.db.query<Row>(
      `SELECT p.number, p.client_id, p.contact_id FROM phones p
         JOIN clients c ON c.id = p.client_id
        WHERE p.number = $1 AND c.deleted_at IS NULL`,
      [number],
    );
    return rows.map((r) => ({ clientId: r.client_id, contactId: r.contact_id }));
  }

  /** The in-memory read alone (the ring path), or undefined when the index is not loaded yet. */
  lookupSync(number: string): PhoneOwner[] | undefined {
    return this.loaded ? (this.byNumber.get(number) ?? []) : undefined;
  }

  /** Up to `n` stored numbers (the demo's simulated callers ring from them). */
  sampleNumbers(n: number): string[] {
    const out: string[] = [];
    for (const number of this.byNumber.keys()) {
      if (out.length >= n) break;
      out.push(number);
    }
    return out;
  }

  /** Re-reads one client's numbers (after a create, edit, delete or import of that client). */
  async refreshClient(clientId: number): Promise<void> {
    this.changedDuringLoad?.add(clientId);
    const rows = await this.db.query<Row>(
      `SELECT p.number, p.client_id, p.contact_id FROM phones p
         JOIN clients c ON c.id = p.client_id
        WHERE p.client_id = $1 AND c.deleted_at IS NULL`,
      [clientId],
    );
    this.removeClient(clientId);
    for (const r of rows) add(this.byNumber, this.byClient, r);
  }

  private removeClient(clientId: number): void {
    for (const number of this.byClient.get(clientId) ?? []) {
      const owners = (this.byNumber.get(number) ?? []).filter((o) => o.clientId !== clientId);
      if (owners.length) this.byNumber.set(number, owners);
      else this.byNumber.delete(number);
    }
    this.byClient.delete(clientId);
  }
}

function add(byNumber: Map<string, PhoneOwner[]>, byClient: Map<number, string[]>, r: Row): void {
  const owners = byNumber.get(r.number);
  const owner = { clientId: r.client_id, contactId: r.contact_id };
  if (owners) owners.push(owner);
  else byNumber.set(r.number, [owner]);
  const numbers = byClient.get(r.client_id);
  if (numbers) numbers.push(r.number);
  else byClient.set(r.client_id, [r.number]);
}
