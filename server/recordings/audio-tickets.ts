import crypto from "node:crypto";
import type { Redis } from "ioredis";
import type { PublicUser } from "../auth/users.service.js";

/**
 * Short-lived audio links for the browser's <audio> element. The console authenticates with a
 * bearer header, which a media element cannot send; putting the session token itself in a URL
 * would leak a 12-hour credential for everything into proxy and access logs. A ticket instead is
 * a random value that opens one recording's audio only, for one user, and dies soon:
 * - `idleSeconds` after its last use (a listener pausing for a coffee gets a new one from the
 *   player; a leaked one is dead minutes after the listener is gone);
 * - `maxSeconds` after it was made, however busy (a long-lived link is never one).
 * Kept in Redis so any node behind the load balancer honours a ticket another node issued.
 * Every use still goes through the recordings service's scope check and play/download audit.
 */
export class AudioTickets {
  static readonly idleSeconds = 600;
  static readonly maxSeconds = 2 * 3600;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(ticket: string): string {
    return `${this.prefix}:rec-ticket:${ticket}`;
  }

  async issue(recordingId: number, user: PublicUser): Promise<string> {
    const ticket = crypto.randomBytes(24).toString("base64url");
    const value = JSON.stringify({ recordingId, user, until: Date.now() + AudioTickets.maxSeconds * 1000 });
    await this.redis.set(this.key(ticket), value, "EX", AudioTickets.idleSeconds);
    return ticket;
  }

  /** The user a ticket stands for, if it is alive and made for this recording; refreshes its idle time. */
  async redeem(ticket: string, recordingId: number): Promise<PublicUser | null> {
    const raw = await this.redis.get(this.key(ticket));
    if (!raw) return null;
    const t = JSON.parse(raw) as { recordingId: number; user: PublicUser; until: number };
    if (t.recordingId !== recordingId || t.until <= Date.now()) return null;
    await this.redis.expire(this.key(ticket), AudioTickets.idleSeconds);
    return t.user;
  }
}
