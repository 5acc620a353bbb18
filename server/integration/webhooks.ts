import crypto from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { createQueue, type Queue } from "../platform/queue.js";
import { notFound } from "../platform/errors.js";
import { text } from "../platform/http/input.js";
import type { AuditService } from "../audit/audit.service.js";
import type { Actor } from "../auth/users.service.js";
import type { EventLog, StreamEvent } from "./event-log.js";

export const newWebhookBody = z
  .object({
    name: text(100, { required: "a name" }),
    url: z.url({ protocol: /^https?$/, message: "an http(s) URL" }).max(2000),
    /** Event types to send (`call.ended`, ...); empty or absent: every event. */
    events: z.array(z.string().regex(/^[a-z]+\.[a-z-]+$/, "an event type such as call.ended")).max(50).default([]),
  })
  .strict();

export const webhookDto = z
  .object({ id: z.number().int(), name: z.string(), url: z.string(), events: z.array(z.string()), active: z.boolean(), createdAt: z.string() })
  .meta({ id: "Webhook" });
export const webhookCreated = webhookDto.extend({ secret: z.string().meta({ description: "the HMAC key: shown this once" }) }).meta({ id: "WebhookCreated" });
export const deliveryDto = z
  .object({
    id: z.number().int(),
    eventSeq: z.number().int(),
    eventType: z.string(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "WebhookDelivery" });

interface Hook {
  id: number;
  name: string;
  url: string;
  secret: string;
  events: string[];
  active: boolean;
  created_at: Date;
}

interface Job {
  deliveryId: number;
  webhookId: number;
  event: StreamEvent;
}

/** The signature a receiver recomputes: HMAC-SHA256 of `<timestamp>.<body>` under the webhook's secret, hex. */
export function signature(secret: string, timestamp: string, body: string): string {
  return crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * Outgoing webhooks for the stream's events. Every node hears every event (the event log); the
 * delivery row (unique per webhook and event) decides which node queues it, so each event goes out
 * once. A bull job posts it, signed; a non-2xx answer or no answer is retried with exponential
 * backoff (`retrySeconds`, doubling, `attempts` tries); every try is in the delivery log.
 */
export class Webhooks {
  private hooks: Hook[] = [];
  private readonly queue: Queue<Job>;
  private unsubscribe: () => void = () => {};
  private refreshTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly d: { db: Database; redis: Redis; redisPrefix: string; events: EventLog; audit: AuditService; log: Logger; retrySeconds: number; attempts?: number },
  ) {
    this.queue = createQueue<Job>("webhooks", d.redis, d.redisPrefix);
    this.queue.on("error", (err) => d.log.warn({ err: err.message }, "webhook queue error"));
  }

  async start(): Promise<void> {
    await this.refresh();
    // Webhooks made on another node are seen within this.
    this.refreshTimer = setInterval(() => void this.refresh().catch(() => {}), 15_000);
    this.refreshTimer.unref();
    this.unsubscribe = this.d.events.subscribe((e) => void this.enqueue(e));
    void this.queue.process(4, (job) => this.deliver(job.data, job.attemptsMade + 1));
  }

  async close(): Promise<void> {
    this.unsubscribe();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.queue.close().catch(() => {});
  }

  private async refresh(): Promise<void> {
    this.hooks = await this.d.db.query<Hook & Record<string, unknown>>("SELECT * FROM webhooks WHERE active ORDER BY id");
  }

  private async enqueue(e: StreamEvent): Promise<void> {
    for (const h of this.hooks) {
      if (h.events.length && !h.events.includes(e.type)) continue;
      try {
        const [row] = await this.d.db.query<{ id: number }>(
          `INSERT INTO webhook_deliveries (webhook_id, event_seq, event_type) VALUES ($1, $2, $3)
           ON CONFLICT (webhook_id, event_seq) DO NOTHING RETURNING id`,
          [h.id, e.seq, e.type],
        );
        // Another node queued it.
        if (!row) continue;
        await this.queue.add(
          { deliveryId: row.id, webhookId: h.id, event: e },
          { attempts: this.d.attempts ?? 8, backoff: { type: "exponential", delay: this.d.retrySeconds * 1000 }, removeOnComplete: true, removeOnFail: true },
        );
      } catch (err) {
        this.d.log.warn({ err: (err as Error).message, webhook: h.id, seq: e.seq }, "webhook: could not queue a delivery");
      }
    }
  }

  private async deliver(job: Job, attempt: number): Promise<void> {
    const [hook] = await this.d.db.query<Hook & Record<string, unknown>>("SELECT * FROM webhooks WHERE id = $1", [job.webhookId]);
    if (!hook?.active) return;
    const body = JSON.stringify(job.event);
    const timestamp = String(Math.floor(Date.now() / 1000));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "callcenter-crm-webhooks",
          "x-crm-event": job.event.type,
          "x-crm-delivery": String(job.deliveryId),
          "x-crm-timestamp": timestamp,
          "x-crm-signature": `sha256=${signature(hook.secret, timestamp, body)}`,
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) error = `answered ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const last = attempt >= (this.d.attempts ?? 8);
    await this.d.db.query(
      `UPDATE webhook_deliveries SET attempts = $2, last_status = $3, last_error = $4, status = $5, updated_at = now() WHERE id = $1`,
      [job.deliveryId, attempt, status, error, error === null ? "delivered" : last ? "failed" : "pending"],
    );
    if (error !== null) throw new Error(error);
  }

  async create(body: z.output<typeof newWebhookBody>, actor: Actor): Promise<z.output<typeof webhookCreated>> {
    const secret = `whsec_${crypto.randomBytes(24).toString("base64url")}`;
    const [row] = await this.d.db.query<Hook & Record<string, unknown>>(
      "INSERT INTO webhooks (name, url, secret, events, created_by) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING *",
      [body.name, body.url, secret, JSON.stringify(body.events), actor.id],
    );
    await this.d.audit.record({ actorId: actor.id, actorName: actor.username, action: "webhook.create", target: `webhook:${row!.id}`, details: { name: body.name, url: body.url, events: body.events }, ip: actor.ip ?? null });
    await this.refresh();
    return { ...dto(row!), secret };
  }

  async list(): Promise<z.output<typeof webhookDto>[]> {
    return (await this.d.db.query<Hook & Record<string, unknown>>("SELECT * FROM webhooks ORDER BY id DESC")).map(dto);
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const rows = await this.d.db.query<{ id: number; url: string }>("DELETE FROM webhooks WHERE id = $1 RETURNING id, url", [id]);
    if (!rows.length) throw notFound("webhook");
    await this.d.audit.record({ actorId: actor.id, actorName: actor.username, action: "webhook.delete", target: `webhook:${id}`, details: { url: rows[0]!.url }, ip: actor.ip ?? null });
    await this.refresh();
  }

  async deliveries(id: number): Promise<z.output<typeof deliveryDto>[]> {
    const rows = await this.d.db.query<{ id: number; event_seq: string | number; event_type: string; status: "pending" | "delivered" | "failed"; attempts: number; last_status: number | null; last_error: string | null; created_at: Date; updated_at: Date }>(
      "SELECT * FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT 200",
      [id],
    );
    return rows.map((r) => ({ id: r.id, eventSeq: Number(r.event_seq), eventType: r.event_type, status: r.status, attempts: r.attempts, lastStatus: r.last_status, lastError: r.last_error, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) }));
  }
}

const dto = (h: Hook) => ({ id: h.id, name: h.name, url: h.url, events: h.events, active: h.active, createdAt: iso(h.created_at) });
