import type { Database } from "../platform/db/database.js";

/** What an agent chose; `wrap-up` ends by itself at `until`. */
export interface Presence {
  extension: string;
  status: "available" | "paused" | "logged-out" | "wrap-up";
  reason: string | null;
  until: Date | null;
}

/**
 * Each agent's chosen status per PBX, in the database: shared by every node (any node may take
 * the request, the lease holder re-applies it) and kept across server restarts.
 */
export class AgentPresenceStore {
  constructor(
    private readonly db: Database,
    private readonly pbx: string,
  ) {}

  async save(p: Presence): Promise<void> {
    await this.db.query(
      `INSERT INTO agent_presence (pbx, extension, status, reason, until, updated_at) VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (pbx, extension) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, until = EXCLUDED.until, updated_at = now()`,
      [this.pbx, p.extension, p.status, p.reason, p.until],
    );
  }

  /** Ends a wrap-up that is still the agent's latest choice (a pause chosen since is left alone). */
  async endWrapup(extension: string): Promise<void> {
    await this.db.query(`UPDATE agent_presence SET status = 'available', reason = NULL, until = NULL, updated_at = now() WHERE pbx = $1 AND extension = $2 AND status = 'wrap-up'`, [this.pbx, extension]);
  }

  async all(): Promise<Presence[]> {
    const rows = await this.db.query<{ extension: string; status: Presence["status"]; reason: string | null; until: Date | string | null }>(
      `SELECT extension, status, reason, until FROM agent_presence WHERE pbx = $1`,
      [this.pbx],
    );
    return rows.map((r) => ({ extension: r.extension, status: r.status, reason: r.reason, until: r.until === null ? null : new Date(r.until) }));
  }
}
