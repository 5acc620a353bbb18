import type { Database } from "../platform/db/database.js";

/** A queue's service-level target and the thresholds that colour the wallboard and raise alerts. */
export interface QueueTarget {
  queue: string;
  /** Answered within this many seconds counts toward the service level. */
  targetSeconds: number;
  /** The share (percent) of calls the call center means to answer within targetSeconds. */
  targetPercent: number;
  /** Alert when the longest waiting caller has waited longer (null: no alert). */
  maxWaitSeconds: number | null;
  /** Alert when the service level falls below this percent. */
  minServiceLevel: number | null;
  /** Alert when more callers than this wait. */
  maxWaiting: number | null;
}

/** The industry's usual 80/20: 80 % of calls answered within 20 seconds. */
export const defaultTarget = (queue: string): QueueTarget => ({ queue, targetSeconds: 20, targetPercent: 80, maxWaitSeconds: null, minServiceLevel: null, maxWaiting: null });

interface Row extends Record<string, unknown> {
  queue: string;
  target_seconds: number;
  target_percent: number;
  max_wait_seconds: number | null;
  min_service_level: number | null;
  max_waiting: number | null;
}

/** Every queue's targets, in memory (the wallboard reads them on every update); the table is the truth. */
export class QueueTargets {
  private byQueue = new Map<string, QueueTarget>();

  constructor(private readonly db: Database) {}

  async load(): Promise<void> {
    const rows = await this.db.query<Row>("SELECT * FROM queue_targets");
    this.byQueue = new Map(rows.map((r) => [r.queue, fromRow(r)]));
  }

  of(queue: string): QueueTarget {
    return this.byQueue.get(queue) ?? defaultTarget(queue);
  }

  queues(): string[] {
    return [...this.byQueue.keys()];
  }

  async set(t: QueueTarget): Promise<QueueTarget> {
    const [row] = await this.db.query<Row>(
      `INSERT INTO queue_targets (queue, target_seconds, target_percent, max_wait_seconds, min_service_level, max_waiting, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (queue) DO UPDATE SET target_seconds = $2, target_percent = $3, max_wait_seconds = $4, min_service_level = $5, max_waiting = $6, updated_at = now()
       RETURNING *`,
      [t.queue, t.targetSeconds, t.targetPercent, t.maxWaitSeconds, t.minServiceLevel, t.maxWaiting],
    );
    const saved = fromRow(row!);
    this.byQueue.set(saved.queue, saved);
    return saved;
  }
}

function fromRow(r: Row): QueueTarget {
  return {
    queue: r.queue,
    targetSeconds: r.target_seconds,
    targetPercent: r.target_percent,
    maxWaitSeconds: r.max_wait_seconds,
    minServiceLevel: r.min_service_level,
    maxWaiting: r.max_waiting,
  };
}
