import type { Router } from "express";
import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.js";
import type { Database } from "../platform/db/database.js";
import { parse } from "../platform/http/validate.js";
import { dateInput, idParam, queryInt } from "../platform/http/input.js";
import { currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import type { BulkReadBudget } from "../crm/bulk-read-budget.js";
import type { PbxSet } from "./pbx-set.js";
import type { TrackedCall } from "./call.types.js";

const outcomes = ["answered", "abandoned", "missed", "busy", "failed", "reached", "not-reached"] as const;

export const journalQuery = z.object({
  from: dateInput.optional(),
  to: dateInput.optional(),
  agent: z.union([z.literal("me"), z.string().regex(/^\d{2,8}$/, "an extension (digits) or 'me'")]).optional(),
  queue: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "a queue name").optional(),
  clientId: idParam.optional(),
  outcome: z.enum(outcomes).optional(),
  direction: z.enum(["inbound", "outbound", "internal"]).optional(),
  /** Calls that rang this agent and ended unanswered (abandoned or missed). */
  missedBy: z.union([z.literal("me"), z.string().regex(/^\d{2,8}$/, "an extension (digits) or 'me'")]).optional(),
  limit: queryInt(1, 500).default(50),
  cursor: idParam.optional(),
});

type Row = Prisma.CallGetPayload<{ include: { client: { select: { id: true; name: true } }; agent: { select: { id: true; displayName: true } } } }>;

/** A journal row on the wire (../shared/docs/interfaces.md: GET /api/calls). */
export const callDto = (c: Row) => ({
  id: c.id,
  linkedid: c.linkedid,
  direction: c.direction,
  callerNumber: c.callerNumber,
  callerName: c.callerName,
  calledNumber: c.calledNumber,
  queue: c.queue,
  agent: c.agentExtension,
  agentUser: c.agent,
  clientId: c.clientId,
  client: c.client,
  startedAt: c.startedAt,
  queuedAt: c.queuedAt,
  ringingAt: c.ringingAt,
  answeredAt: c.answeredAt,
  endedAt: c.endedAt,
  waitSeconds: c.waitSeconds,
  talkSeconds: c.talkSeconds,
  holdSeconds: c.holdSeconds,
  transfers: c.transfers,
  outcome: c.outcome,
  hangupCause: c.hangupCause,
  hangupCauseText: c.hangupCauseText,
  recordingId: c.recordingId,
  segments: c.segments,
  endedWhileDisconnected: c.endedWhileDisconnected,
  estimated: c.estimated,
  endReason: c.endReason,
  pbx: c.pbx,
});

const liveDto = (c: TrackedCall) => ({
  linkedid: c.linkedid,
  direction: c.direction,
  callerNumber: c.callerNumber,
  calledNumber: c.calledNumber,
  queue: c.queue,
  agent: c.agent,
  ringing: [...new Set(c.ringing.values())],
  startedAt: c.startedAt,
  answeredAt: c.answeredAt,
  onHold: c.holdStartedAt !== null,
});

/**
 * `listBudget`: the journal beyond one's own calls (callers' numbers, clients) is bulk reading, like
 * the client list: agents and supervisors read it within the same row budget.
 */
export function callsRoutes(db: Database, pbxes: PbxSet, listBudget: BulkReadBudget): Router {
  const r = guardedRouter();
  r.get("/calls", async (req, res) => {
    const q = parse(journalQuery, req.query);
    const me = currentUser(req);
    const mine = (who: string | undefined) => who !== undefined && me.extension !== null && (who === "me" || who === me.extension);
    const settle = mine(q.agent) || mine(q.missedBy) ? async () => {} : await listBudget.reserve(me, req.ip, "calls", q.limit, q);
    const where: Prisma.CallWhereInput = {
      ...(q.from || q.to ? { startedAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
      ...(q.agent ? { agentExtension: q.agent === "me" ? (me.extension ?? "-") : q.agent } : {}),
      ...(q.queue ? { queue: q.queue } : {}),
      ...(q.clientId ? { clientId: q.clientId } : {}),
      ...(q.outcome ? { outcome: q.outcome } : {}),
      ...(q.direction ? { direction: q.direction } : {}),
      ...(q.missedBy
        ? { outcome: { in: ["abandoned", "missed"] }, segments: { array_contains: [{ agent: q.missedBy === "me" ? (me.extension ?? "-") : q.missedBy }] } }
        : {}),
      ...(q.cursor ? { id: { lt: q.cursor } } : {}),
    };
    const rows = await db.prisma.call.findMany({
      where,
      orderBy: { id: "desc" },
      take: q.limit + 1,
      include: { client: { select: { id: true, name: true } }, agent: { select: { id: true, displayName: true } } },
    });
    const items = rows.slice(0, q.limit);
    await settle(items.length);
    res.json({ items: items.map(callDto), next: rows.length > q.limit ? String(items[items.length - 1]!.id) : null });
  });
  r.get("/calls/live", (_req, res) => {
    res.json({ items: pbxes.liveCalls().map(({ pbx, call }) => ({ ...liveDto(call), pbx })) });
  });
  r.get("/agents/states", (_req, res) => {
    res.json({ items: pbxes.agentStates(), pbx: pbxes.all.map((t) => ({ pbx: t.name, ...t.agents.pbx })) });
  });
  return r;
}
