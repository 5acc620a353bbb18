import type { ExtensionDirectory } from "../auth/extension-directory.js";
import type { PublicUser } from "../auth/users.service.js";
import type { Database } from "../platform/db/database.js";
import type { ClusterBus } from "../platform/cluster/cluster-bus.js";
import type { QueueTargets } from "./queue-targets.js";

/**
 * Who watches which queues, in memory (the wallboard push asks every second): supervisors see the
 * queues assigned to them (user_queues, set by admins); managers and admins see all. Reloaded when
 * users or assignments change on any node, and each minute. Who is behind each extension is the
 * ExtensionDirectory's.
 */
export class SupervisorScopes {
  private bySupervisor = new Map<number, Set<string>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly bus: ClusterBus,
    private readonly targets: QueueTargets,
    private readonly directory: ExtensionDirectory,
  ) {
    bus.on("supervisor-scopes", () => void this.reload().catch(() => {}));
    bus.on("queue-targets", () => void targets.load().catch(() => {}));
  }

  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => {}), 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    const sup = await this.db.query<{ id: number; queues: string[] | null }>(
      `SELECT u.id, array_remove(array_agg(q.queue), NULL) AS queues
         FROM users u LEFT JOIN user_queues q ON q.user_id = u.id
        WHERE u.role = 'supervisor' AND u.active GROUP BY u.id`,
    );
    this.bySupervisor = new Map(sup.map((s) => [s.id, new Set(s.queues ?? [])]));
  }

  /** Users or queue assignments changed (here): every node reloads. */
  changed(): void {
    void this.reload().catch(() => {});
    this.bus.publish("supervisor-scopes", "");
  }

  targetsChanged(_queue: string): void {
    this.bus.publish("queue-targets", "");
  }

  supervisors(): Map<number, Set<string>> {
    return this.bySupervisor;
  }

  /** The queues a user may watch and act on: null for all (managers, admins). */
  async queuesOf(user: PublicUser): Promise<Set<string> | null> {
    if (user.role === "manager" || user.role === "admin") return null;
    const rows = await this.db.query<{ queue: string }>("SELECT queue FROM user_queues WHERE user_id = $1", [user.id]);
    return new Set(rows.map((r) => r.queue));
  }

  userOf(extension: string): { id: number; name: string } | null {
    return this.directory.entryOf(extension) ?? null;
  }

  nameOf(extension: string): string | null {
    return this.directory.entryOf(extension)?.name ?? null;
  }
}
