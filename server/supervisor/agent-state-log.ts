import type { AgentState } from "../calls/agent-states.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";

/**
 * Appends each agent state change to agent_state_log, from the node holding the PBX's lease only
 * (every node sees the same changes), batched into one INSERT a second at most. A failed write is
 * retried with the next batch; past 10,000 waiting rows the oldest are dropped (and logged): the
 * log feeds figures, it must not grow without bound while the database is away.
 */
export class AgentStateLog {
  private rows: { agent: string; state: string; reason: string | null; at: Date }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly pbx: string,
    private readonly log: Logger,
    private readonly flushMs = 1000,
  ) {}

  add(s: AgentState): void {
    this.rows.push({ agent: s.agent, state: s.state, reason: s.reason, at: s.since });
    if (this.rows.length > 10_000) {
      this.log.warn({ dropped: this.rows.length - 10_000 }, "agent state log: database behind, oldest rows dropped");
      this.rows.splice(0, this.rows.length - 10_000);
    }
    this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.rows.splice(0, 2000);
    if (!batch.length) return this.writing;
    const params: unknown[] = [];
    const values = batch.map((r) => {
      params.push(this.pbx, r.agent, r.state, r.reason, r.at);
      const n = params.length;
      return `($${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    this.writing = this.writing
      .then(() => this.db.query(`INSERT INTO agent_state_log (pbx, agent, state, reason, started_at) VALUES ${values.join(", ")}`, params))
      .then(
        () => {
          if (this.rows.length) this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
        },
        (err: Error) => {
          this.log.warn({ err: err.message, rows: batch.length }, "agent state log write failed; retrying");
          this.rows.unshift(...batch);
          this.timer ??= setTimeout(() => void this.flush(), this.flushMs * 5);
        },
      );
    return this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
