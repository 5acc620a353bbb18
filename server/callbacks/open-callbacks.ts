import type { Database } from "../platform/db/database.js";
import { toCallback, type Callback, type CallbackRow } from "./callback.types.js";

const isOpen = (cb: Callback) => cb.status === "pending" || cb.status === "offered" || cb.status === "dialing";

/**
 * The open callbacks by number, in memory on every node, for the screen pop's card (which is
 * built without a database round trip). Loaded at start; kept current by every change on this
 * node and, through the cluster bus, on the others.
 */
export class OpenCallbacks {
  private readonly byNumber = new Map<string, Callback[]>();
  private readonly numberOf = new Map<number, string>();

  constructor(private readonly db: Database) {}

  async load(): Promise<void> {
    const rows = await this.db.query<CallbackRow>(`SELECT * FROM callbacks WHERE status IN ('pending', 'offered', 'dialing')`);
    this.byNumber.clear();
    this.numberOf.clear();
    for (const r of rows) this.apply(toCallback(r));
  }

  /** Another node changed callback `id`: read it again. */
  async refresh(id: number): Promise<void> {
    const [r] = await this.db.query<CallbackRow>(`SELECT * FROM callbacks WHERE id = $1`, [id]);
    if (r) this.apply(toCallback(r));
  }

  apply(cb: Callback): void {
    const before = this.numberOf.get(cb.id);
    if (before !== undefined) {
      const rest = (this.byNumber.get(before) ?? []).filter((x) => x.id !== cb.id);
      if (rest.length) this.byNumber.set(before, rest);
      else this.byNumber.delete(before);
      this.numberOf.delete(cb.id);
    }
    if (!isOpen(cb)) return;
    this.byNumber.set(cb.number, [...(this.byNumber.get(cb.number) ?? []), cb].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()));
    this.numberOf.set(cb.id, cb.number);
  }

  /** What the card lists: the caller's open callbacks, soonest first. */
  of(number: string): { id: number; queue: string; status: string; source: string; dueAt: Date; note: string | null; attempts: number }[] {
    return (this.byNumber.get(number) ?? []).map((c) => ({ id: c.id, queue: c.queue, status: c.status, source: c.source, dueAt: c.dueAt, note: c.note, attempts: c.attempts }));
  }
}
