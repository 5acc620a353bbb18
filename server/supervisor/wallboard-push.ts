import type { Redis } from "ioredis";
import type { Logger } from "../platform/logger.js";
import type { WallboardModel } from "./wallboard.js";
import type { Breach, SupervisorAlert, WallboardAgent, WallboardQueue, WallboardUpdate } from "./supervisor.schemas.js";

/** Who sees what: managers and admins every queue; a supervisor the queues assigned to them. */
export interface WallboardViewers {
  /** Supervisors (user id → their queues), reloaded as assignments change. */
  supervisors(): Map<number, Set<string>>;
  toRole(role: "manager" | "admin", event: "wallboard:update" | "supervisor:alert", payload: WallboardUpdate | SupervisorAlert): void;
  toUser(userId: number, event: "wallboard:update" | "supervisor:alert", payload: WallboardUpdate | SupervisorAlert): void;
}

interface Dirty {
  queues: string[];
  agents: string[];
  all?: boolean;
}

/**
 * The shortest gap between two pushes to a viewer ("about one a second"): 0.8 s, so that a change
 * that just missed a push, plus building and delivering the next, still reaches the console within
 * a second.
 */
export const pushIntervalMs = 800;

/**
 * Coalesced wallboard pushes from the node holding the PBX (`active`): the first change after a
 * quiet second goes out at once (after a few ms gathering the other events of the same moment);
 * changes within a second of the last push wait for the next, so each viewer gets at most one
 * update a second and none staler than that. Each push carries whole entries of the queues and
 * agents that changed and a version; a console seeing a gap reloads GET /api/wallboard.
 */
export class WallboardPush {
  private queues = new Set<string>();
  private agents = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private lastPush = 0;
  private version = 0;
  private readonly breaches = new Map<string, Set<Breach>>();
  private readonly tick: NodeJS.Timeout;
  /** Pushes sent (the benchmark's updates a second). */
  pushes = 0;

  constructor(
    private readonly model: WallboardModel,
    private readonly viewers: WallboardViewers,
    private readonly o: { active: () => boolean; source: string; redis: Redis; redisPrefix: string; log: Logger; gatherMs?: number },
  ) {
    model.on("dirty", (d: Dirty) => this.dirty(d));
    // Waits grow without events: thresholds on the longest wait are checked each second.
    this.tick = setInterval(() => this.checkWaits(), 1000);
    this.tick.unref();
  }

  get current(): { version: number; source: string } {
    return { version: this.version, source: this.o.source };
  }

  /** The version and source of the last push of whichever node holds the PBX (GET on any node says it). */
  async published(): Promise<{ version: number; source: string }> {
    const raw = await this.o.redis.get(this.key()).catch(() => null);
    if (raw) {
      const v = JSON.parse(raw) as { version: number; source: string };
      if (typeof v.version === "number" && typeof v.source === "string") return v;
    }
    return this.current;
  }

  private key(): string {
    return `${this.o.redisPrefix}:wallboard:version`;
  }

  private dirty(d: Dirty): void {
    if (!this.o.active()) return;
    for (const q of d.queues) this.queues.add(q);
    for (const a of d.agents) this.agents.add(a);
    if (this.timer) return;
    const wait = Math.max(this.o.gatherMs ?? 20, this.lastPush + pushIntervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  private checkWaits(): void {
    if (!this.o.active()) return;
    this.model.rollOver();
    const board = this.model.build({ agents: [] });
    for (const q of board.queues) {
      const before = this.breaches.get(q.name) ?? new Set();
      if (q.breaches.length !== before.size || q.breaches.some((b) => !before.has(b))) this.dirty({ queues: [q.name], agents: [] });
    }
  }

  flush(): void {
    this.timer = null;
    if (!this.o.active()) return;
    const queues = this.queues;
    const agents = this.agents;
    this.queues = new Set();
    this.agents = new Set();
    this.lastPush = Date.now();
    this.version++;
    this.pushes++;
    const board = this.model.build({ queues, agents });
    const removed = [...agents].filter((a) => !board.agents.some((x) => x.agent === a));
    const update: WallboardUpdate = { at: board.at, version: this.version, source: this.o.source, queues: board.queues, agents: board.agents, removedAgents: removed };
    void this.o.redis.set(this.key(), JSON.stringify(this.current), "EX", 86_400).catch(() => {});
    this.viewers.toRole("manager", "wallboard:update", update);
    this.viewers.toRole("admin", "wallboard:update", update);
    const supervisors = this.viewers.supervisors();
    for (const [userId, mine] of supervisors) this.viewers.toUser(userId, "wallboard:update", limitTo(update, mine));
    for (const alert of this.alerts(board.queues)) {
      this.viewers.toRole("manager", "supervisor:alert", alert);
      this.viewers.toRole("admin", "supervisor:alert", alert);
      for (const [userId, mine] of supervisors) if (mine.has(alert.queue)) this.viewers.toUser(userId, "supervisor:alert", alert);
    }
  }

  /** Thresholds newly crossed (an alert once per crossing, not every second it lasts). */
  private alerts(queues: WallboardQueue[]): SupervisorAlert[] {
    const out: SupervisorAlert[] = [];
    for (const q of queues) {
      const before = this.breaches.get(q.name) ?? new Set<Breach>();
      for (const kind of q.breaches) {
        if (before.has(kind)) continue;
        const [value, threshold] =
          kind === "longest-wait"
            ? [q.longestWaitSeconds, q.thresholds.maxWaitSeconds!]
            : kind === "waiting"
              ? [q.waiting.length, q.thresholds.maxWaiting!]
              : [q.today.serviceLevel ?? 0, q.thresholds.minServiceLevel!];
        out.push({ queue: q.name, kind, value, threshold, at: new Date() });
      }
      this.breaches.set(q.name, new Set(q.breaches));
    }
    return out;
  }

  close(): void {
    clearInterval(this.tick);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** What a supervisor limited to `queues` sees: those queues, and the agents who serve any of them. */
export function limitTo<T extends { queues: WallboardQueue[]; agents: WallboardAgent[] }>(board: T, queues: Set<string>): T {
  return { ...board, queues: board.queues.filter((q) => queues.has(q.name)), agents: board.agents.filter((a) => a.queues.some((q) => queues.has(q))) };
}
