import crypto from "node:crypto";
import type { Database } from "../platform/db/database.js";

export interface TvToken {
  id: number;
  name: string;
  queues: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

interface Row extends Record<string, unknown> {
  id: number;
  name: string;
  queues: string[];
  created_at: Date;
  revoked_at: Date | null;
}

const hash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");
const fromRow = (r: Row): TvToken => ({ id: r.id, name: r.name, queues: r.queues ?? [], createdAt: r.created_at, revokedAt: r.revoked_at });

/**
 * Read-only wallboard tokens for a TV on the wall: no login, no user, only the board of the
 * token's queues. Shown once at creation; only their SHA-256 is kept; revocable.
 */
export class WallboardTokens {
  constructor(private readonly db: Database) {}

  async create(name: string, queues: string[], createdById: number): Promise<{ token: string; tv: TvToken }> {
    const token = `wb_${crypto.randomBytes(24).toString("base64url")}`;
    const [row] = await this.db.query<Row>(
      "INSERT INTO wallboard_tokens (name, token_hash, queues, created_by_id) VALUES ($1, $2, $3, $4) RETURNING id, name, queues, created_at, revoked_at",
      [name, hash(token), [...new Set(queues)], createdById],
    );
    return { token, tv: fromRow(row!) };
  }

  async list(): Promise<TvToken[]> {
    return (await this.db.query<Row>("SELECT id, name, queues, created_at, revoked_at FROM wallboard_tokens ORDER BY id DESC")).map(fromRow);
  }

  async revoke(id: number): Promise<TvToken | null> {
    const [row] = await this.db.query<Row>("UPDATE wallboard_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id, name, queues, created_at, revoked_at", [id]);
    return row ? fromRow(row) : null;
  }

  /** The token's screen, or null when unknown or revoked. */
  async check(token: string): Promise<TvToken | null> {
    if (!/^wb_[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
    const [row] = await this.db.query<Row>("SELECT id, name, queues, created_at, revoked_at FROM wallboard_tokens WHERE token_hash = $1 AND revoked_at IS NULL", [hash(token)]);
    return row ? fromRow(row) : null;
  }
}
