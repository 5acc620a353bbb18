import crypto from "node:crypto";
import type { Database } from "../platform/db/database.js";
import { AppError } from "../platform/errors.js";
import type { AuditService } from "../audit/audit.service.js";
import { dummyHash, verifyPassword } from "./passwords.js";
import type { LoginLimiter } from "./login-limiter.js";
import { publicUser, type PublicUser } from "./users.service.js";

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: PublicUser;
}

/** A valid session: its user, its id (the token's SHA-256) and when it expires. */
export interface SessionInfo {
  user: PublicUser;
  sessionId: string;
  expiresAt: Date;
}

/** What ended: one session (logout), or every session and socket of a user (deactivation, password, role). */
export type SessionsEnded = { sessionId: string } | { userId: number };

export const sessionIdOf = (token: string): string => crypto.createHash("sha256").update(token).digest("hex");

/**
 * Opaque bearer tokens: 32 random bytes given to the client once, stored only as a SHA-256 (the
 * session id), with an expiry. Logout, deactivation and password changes delete the session rows
 * and tell the listeners (Socket.IO disconnects the sockets of those sessions on every node).
 */
export class AuthService {
  /** Recently checked tokens, so each API call does not cost a database round trip. */
  private readonly cache = new Map<string, SessionInfo & { until: number }>();
  private static readonly cacheMs = 5_000;
  private readonly listeners: ((e: SessionsEnded) => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly ttlHours: number,
    private readonly limiter: LoginLimiter,
  ) {}

  /** Called when sessions end or a user's rights change (Realtime disconnects their sockets). */
  onSessionsEnded(fn: (e: SessionsEnded) => void): void {
    this.listeners.push(fn);
  }

  async login(username: string, password: string, ip: string, userAgent: string | undefined): Promise<LoginResult> {
    // The attempt is counted before the password is checked: parallel guesses cannot outrun the count.
    const attempt = await this.limiter.reserve(username, ip);
    const user = await this.db.prisma.user.findUnique({ where: { username } });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok || !user.active) {
      await this.audit.record({
        actorId: user?.id ?? null,
        actorName: username.slice(0, 100),
        action: "auth.login_failed",
        details: { reason: !user ? "unknown user" : !ok ? "wrong password" : "inactive" },
        ip,
      });
      throw new AppError("BAD_CREDENTIALS", "wrong username or password");
    }
    await attempt.succeeded();
    const token = crypto.randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + this.ttlHours * 3600_000);
    await this.db.prisma.session.create({
      data: { tokenHash: sessionIdOf(token), userId: user.id, expiresAt, ip, userAgent: userAgent?.slice(0, 300) ?? null },
    });
    await this.audit.record({ actorId: user.id, actorName: user.username, action: "auth.login", ip });
    return { token, expiresAt, user: publicUser(user) };
  }

  async logout(token: string, user: PublicUser, ip: string): Promise<void> {
    const sessionId = sessionIdOf(token);
    await this.db.prisma.session.deleteMany({ where: { tokenHash: sessionId } });
    this.ended({ sessionId });
    await this.audit.record({ actorId: user.id, actorName: user.username, action: "auth.logout", ip });
  }

  /** The user a bearer token belongs to; UNAUTHENTICATED when unknown, expired or deactivated. */
  async authenticate(token: string | undefined): Promise<PublicUser> {
    return (await this.session(token)).user;
  }

  /**
   * The session of a bearer token. `fresh` skips the short cache (a socket handshake asks the
   * database, so a token ended on another node a moment ago cannot open a socket).
   */
  async session(token: string | undefined, opts: { fresh?: boolean } = {}): Promise<SessionInfo> {
    if (!token) throw new AppError("UNAUTHENTICATED", "a bearer token is required");
    const now = Date.now();
    const hit = opts.fresh ? undefined : this.cache.get(token);
    if (hit && hit.until > now) return hit;
    const sessionId = sessionIdOf(token);
    const session = await this.db.prisma.session.findUnique({ where: { tokenHash: sessionId }, include: { user: true } });
    if (!session || session.expiresAt.getTime() <= now || !session.user.active) {
      this.cache.delete(token);
      throw new AppError("UNAUTHENTICATED", "the session has expired or was ended; sign in again");
    }
    const info: SessionInfo = { user: publicUser(session.user), sessionId, expiresAt: session.expiresAt };
    this.cache.set(token, { ...info, until: Math.min(now + AuthService.cacheMs, session.expiresAt.getTime()) });
    if (this.cache.size > 10_000) this.evictExpired(now);
    return info;
  }

  /** Of these session ids, the ones still valid (unexpired, user active): one query for many sockets. */
  async liveSessions(sessionIds: string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const rows = await this.db.prisma.session.findMany({
      where: { tokenHash: { in: sessionIds }, expiresAt: { gt: new Date() }, user: { active: true } },
      select: { tokenHash: true },
    });
    return new Set(rows.map((r) => r.tokenHash));
  }

  /**
   * A user's rights or sessions changed (role, deactivation, password): cached sessions are
   * forgotten and every socket of the user is disconnected (a console whose session still works
   * reconnects with the new role).
   */
  userChanged(userId: number, endSockets: boolean): void {
    if (endSockets) this.ended({ userId });
    else this.forget({ userId });
  }

  /** Drops cached sessions; Realtime calls this for ends announced by other nodes too. */
  forget(e: SessionsEnded): void {
    for (const [token, v] of this.cache)
      if ("userId" in e ? v.user.id === e.userId : v.sessionId === e.sessionId) this.cache.delete(token);
  }

  async purgeExpiredSessions(): Promise<number> {
    const r = await this.db.prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } });
    return r.count;
  }

  private ended(e: SessionsEnded): void {
    this.forget(e);
    for (const fn of this.listeners) fn(e);
  }

  private evictExpired(now: number): void {
    for (const [token, v] of this.cache) if (v.until <= now) this.cache.delete(token);
  }
}
