import crypto from "node:crypto";
import type { Database } from "../platform/db/database.js";
import { AppError } from "../platform/errors.js";
import type { AuditService } from "../audit/audit.service.js";
import { dummyHash, verifyPassword } from "./passwords.js";
import { LoginLimiter } from "./login-limiter.js";
import { publicUser, type PublicUser } from "./users.service.js";

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: PublicUser;
}

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/**
 * Opaque bearer tokens: 32 random bytes given to the client once, stored only as a SHA-256, with
 * an expiry. Logout, deactivation and password changes delete the session rows.
 */
export class AuthService {
  // Per username: 10 failures in 15 min. Per address a higher bar, since a whole call center often
  // sits behind one NAT address and one agent's typos must not lock out the floor.
  private readonly userLimiter = new LoginLimiter(10);
  private readonly ipLimiter = new LoginLimiter(100);
  /** Recently checked tokens, so each API call does not cost a database round trip. */
  private readonly cache = new Map<string, { user: PublicUser; until: number }>();
  private static readonly cacheMs = 5_000;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditService,
    private readonly ttlHours: number,
  ) {}

  async login(username: string, password: string, ip: string, userAgent: string | undefined): Promise<LoginResult> {
    const userKey = [username.toLowerCase()];
    const ipKey = [ip];
    const wait = Math.max(this.userLimiter.retryAfter(userKey), this.ipLimiter.retryAfter(ipKey));
    if (wait > 0) throw new AppError("RATE_LIMITED", `too many failed logins; try again in ${wait} s`, undefined, wait);

    const user = await this.db.prisma.user.findUnique({ where: { username } });
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok || !user.active) {
      this.userLimiter.fail(userKey);
      this.ipLimiter.fail(ipKey);
      await this.audit.record({
        actorId: user?.id ?? null,
        actorName: username.slice(0, 100),
        action: "auth.login_failed",
        details: { reason: !user ? "unknown user" : !ok ? "wrong password" : "inactive" },
        ip,
      });
      throw new AppError("BAD_CREDENTIALS", "wrong username or password");
    }
    this.userLimiter.succeed(userKey);
    const token = crypto.randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + this.ttlHours * 3600_000);
    await this.db.prisma.session.create({
      data: { tokenHash: sha256(token), userId: user.id, expiresAt, ip, userAgent: userAgent?.slice(0, 300) ?? null },
    });
    await this.audit.record({ actorId: user.id, actorName: user.username, action: "auth.login", ip });
    return { token, expiresAt, user: publicUser(user) };
  }

  async logout(token: string, user: PublicUser, ip: string): Promise<void> {
    this.cache.delete(token);
    await this.db.prisma.session.deleteMany({ where: { tokenHash: sha256(token) } });
    await this.audit.record({ actorId: user.id, actorName: user.username, action: "auth.logout", ip });
  }

  /** The user a bearer token belongs to; UNAUTHENTICATED when unknown, expired or deactivated. */
  async authenticate(token: string | undefined): Promise<PublicUser> {
    if (!token) throw new AppError("UNAUTHENTICATED", "a bearer token is required");
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.until > now) return hit.user;
    const session = await this.db.prisma.session.findUnique({
      where: { tokenHash: sha256(token) },
      include: { user: true },
    });
    if (!session || session.expiresAt.getTime() <= now || !session.user.active) {
      this.cache.delete(token);
      throw new AppError("UNAUTHENTICATED", "the session has expired or was ended; sign in again");
    }
    const user = publicUser(session.user);
    this.cache.set(token, { user, until: Math.min(now + AuthService.cacheMs, session.expiresAt.getTime()) });
    if (this.cache.size > 10_000) this.evictExpired(now);
    return user;
  }

  /** Forget cached sessions of a user whose rights just changed. */
  forgetUser(userId: number): void {
    for (const [token, v] of this.cache) if (v.user.id === userId) this.cache.delete(token);
  }

  async purgeExpiredSessions(): Promise<number> {
    const r = await this.db.prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } });
    return r.count;
  }

  private evictExpired(now: number): void {
    for (const [token, v] of this.cache) if (v.until <= now) this.cache.delete(token);
  }
}
