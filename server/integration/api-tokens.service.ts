import crypto from "node:crypto";
import type { Database } from "../platform/db/database.js";
import { AppError, notFound } from "../platform/errors.js";
import type { AuditService } from "../audit/audit.service.js";
import type { Actor, PublicUser } from "../auth/users.service.js";
import type { ApiScope, ApiTokenDto } from "./integration.schemas.js";

/** Every API token starts so: the auth middleware tells them from session tokens by it. */
export const apiTokenPrefix = "crmapi_";

export interface ApiPrincipal {
  tokenId: number;
  name: string;
  scopes: ApiScope[];
  /**
   * Who the token acts as inside the routes it may call: a manager-like principal named after the
   * token, under the id of the admin who created it (audit entries and notes carry that id, with
   * the name `api:<token name>`).
   */
  user: PublicUser;
}

interface Row {
  id: number;
  name: string;
  token_prefix: string;
  scopes: ApiScope[];
  created_by: number;
  creator_name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const hash = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

/**
 * API tokens for other systems: made by an admin, shown once, kept as a SHA-256, scoped, revoked
 * by an admin; creation and revocation are audited. A token stops working when revoked or when
 * the admin who made it is deactivated.
 */
export class ApiTokens {
  readonly prefix = apiTokenPrefix;
  /** A token's principal, for a few seconds (a busy integration sends many requests). */
  private readonly cache = new Map<string, { p: ApiPrincipal; until: number }>();
  private static readonly cacheMs = 5_000;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
  ) {}

  async create(name: string, scopes: ApiScope[], actor: Actor): Promise<{ id: number; token: string; name: string; scopes: ApiScope[] }> {
    const token = apiTokenPrefix + crypto.randomBytes(32).toString("base64url");
    const unique = [...new Set(scopes)];
    const [row] = await this.db.query<{ id: number }>(
      "INSERT INTO api_tokens (name, token_hash, token_prefix, scopes, created_by) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id",
      [name, hash(token), token.slice(0, apiTokenPrefix.length + 4), JSON.stringify(unique), actor.id],
    );
    await this.audit.record({ actorId: actor.id, actorName: actor.username, action: "api_token.create", target: `api_token:${row!.id}`, details: { name, scopes: unique }, ip: actor.ip ?? null });
    return { id: row!.id, token, name, scopes: unique };
  }

  async list(): Promise<ApiTokenDto[]> {
    const rows = await this.db.query<Row & Record<string, unknown>>(
      `SELECT t.*, u.display_name AS creator_name FROM api_tokens t JOIN users u ON u.id = t.created_by ORDER BY t.id DESC`,
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.token_prefix,
      scopes: r.scopes,
      createdBy: { id: r.created_by, displayName: r.creator_name },
      createdAt: new Date(r.created_at).toISOString(),
      lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
      revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    }));
  }

  async revoke(id: number, actor: Actor): Promise<void> {
    const rows = await this.db.query<{ id: number; name: string }>(
      "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id, name",
      [id],
    );
    if (!rows.length) throw notFound("API token");
    this.cache.clear();
    await this.audit.record({ actorId: actor.id, actorName: actor.username, action: "api_token.revoke", target: `api_token:${id}`, details: { name: rows[0]!.name }, ip: actor.ip ?? null });
  }

  /** The principal of a live token; 401 for anything else. */
  async authenticate(token: string | undefined): Promise<ApiPrincipal> {
    if (!token?.startsWith(apiTokenPrefix)) throw new AppError("UNAUTHENTICATED", "an API token is required");
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.until > now) return hit.p;
    const [row] = await this.db.query<{ id: number; name: string; scopes: ApiScope[]; created_by: number; last_used_at: Date | null }>(
      `SELECT t.id, t.name, t.scopes, t.created_by, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.created_by
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active`,
      [hash(token)],
    );
    if (!row) {
      this.cache.delete(token);
      throw new AppError("UNAUTHENTICATED", "this API token is unknown or was revoked");
    }
    const p: ApiPrincipal = {
      tokenId: row.id,
      name: row.name,
      scopes: row.scopes,
      user: { id: row.created_by, username: `api:${row.name}`, displayName: `API: ${row.name}`, role: "manager", extension: null, active: true },
    };
    this.cache.set(token, { p, until: now + ApiTokens.cacheMs });
    if (this.cache.size > 1000) this.cache.clear();
    // When it was last used, to the minute: enough to find tokens nobody uses any more.
    if (!row.last_used_at || now - new Date(row.last_used_at).getTime() > 60_000)
      void this.db.query("UPDATE api_tokens SET last_used_at = now() WHERE id = $1", [row.id]).catch(() => {});
    return p;
  }
}
