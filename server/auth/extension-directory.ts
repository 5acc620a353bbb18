import type { Database } from "../platform/db/database.js";

/**
 * Which user answers which phone: extension → user id and name, in memory (the ring path asks it
 * for every ring, the wallboard each second). Reloaded when users change and every minute (other
 * nodes' changes).
 */
export class ExtensionDirectory {
  private byExt = new Map<string, { id: number; name: string }>();
  private byUser = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Database) {}

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => {}), 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    const rows = await this.db.query<{ id: number; extension: string; display_name: string }>(`SELECT id, extension, display_name FROM users WHERE extension IS NOT NULL AND active`);
    this.byExt = new Map(rows.map((r) => [r.extension, { id: r.id, name: r.display_name }]));
    this.byUser = new Map(rows.map((r) => [r.id, r.extension]));
  }

  userOf(extension: string): number | undefined {
    return this.byExt.get(extension)?.id;
  }

  /** The user at that phone, with their display name. */
  entryOf(extension: string): { id: number; name: string } | undefined {
    return this.byExt.get(extension);
  }

  extensionOf(userId: number): string | undefined {
    return this.byUser.get(userId);
  }
}
