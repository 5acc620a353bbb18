import type { Database } from "../platform/db/database.js";
import { validationError } from "../platform/errors.js";
import { maxDate, maxId, minDate } from "../platform/http/input.js";
import type { ClientsService } from "./clients.service.js";
import type { NoteDto, TimelineItem } from "./clients.schemas.js";

type Kind = TimelineItem["type"];
/** Tie-break order of kinds that share a timestamp (newest-first lists read right to left). */
const rank: Record<Kind, number> = { stage: 0, task: 1, note: 2, call: 3 };

interface Cursor {
  at: Date;
  type: Kind;
  id: number;
}

/**
 * One client's history, newest first: calls from the journal, notes, tasks and lifecycle changes. Keyset pagination on (time, kind, id), so items sharing a timestamp are neither
 * skipped nor repeated between pages.
 */
export class TimelineService {
  constructor(
    private readonly db: Database,
    private readonly clients: ClientsService,
  ) {}

  async addNote(clientId: number, body: string, authorId: number): Promise<NoteDto> {
    await this.clients.assertClient(clientId);
    const note = await this.db.prisma.note.create({
      data: { clientId, body, authorId },
      include: { author: { select: { id: true, displayName: true } } },
    });
    await this.db.prisma.client.update({ where: { id: clientId }, data: { updatedAt: new Date() } });
    await this.clients.changed(clientId);
    return { id: note.id, body: note.body, createdAt: note.createdAt, author: note.author };
  }

  async list(clientId: number, limit: number, cursorText?: string): Promise<{ items: TimelineItem[]; next: string | null }> {
    await this.clients.assertClient(clientId);
    const cursor = cursorText ? decodeCursor(cursorText) : null;
    const timeFilter = (type: Kind) => {
      if (!cursor) return {};
      if (rank[type] < rank[cursor.type]) return { lte: cursor.at };
      if (rank[type] > rank[cursor.type]) return { lt: cursor.at };
      return null; // same kind: (at, id) strictly before the cursor
    };
    const window = (type: Kind, column: string) => {
      const f = timeFilter(type);
      if (f !== null) return { [column]: f };
      return { OR: [{ [column]: { lt: cursor!.at } }, { [column]: cursor!.at, id: { lt: cursor!.id } }] };
    };
    const user = { select: { id: true, displayName: true } };
    const [notes, tasks, stages, calls] = await Promise.all([
      this.db.prisma.note.findMany({
        where: { clientId, ...window("note", "createdAt") },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: limit,
        include: { author: user },
      }),
      this.db.prisma.task.findMany({
        where: { clientId, ...window("task", "createdAt") },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: limit,
        include: { assignee: user },
      }),
      this.db.prisma.stageChange.findMany({
        where: { clientId, ...window("stage", "at") },
        orderBy: [{ at: "desc" }, { id: "desc" }],
        take: limit,
        include: { changedBy: user },
      }),
      this.db.prisma.call.findMany({
        where: { clientId, ...window("call", "startedAt") },
        orderBy: [{ startedAt: "desc" }, { id: "desc" }],
        take: limit,
        include: { agent: user },
      }),
    ]);
    const all: TimelineItem[] = [
      ...notes.map((n) => ({ type: "note" as const, id: n.id, at: n.createdAt, body: n.body, author: n.author })),
      ...tasks.map((t) => ({
        type: "task" as const,
        id: t.id,
        at: t.createdAt,
        title: t.title,
        body: t.body,
        dueAt: t.dueAt,
        doneAt: t.doneAt,
        assignee: t.assignee,
      })),
      ...stages.map((s) => ({ type: "stage" as const, id: s.id, at: s.at, from: s.fromStage, to: s.toStage, by: s.changedBy })),
      ...calls.map((c) => ({
        type: "call" as const,
        id: c.id,
        at: c.startedAt,
        direction: c.direction,
        outcome: c.outcome,
        queue: c.queue,
        agent: c.agentExtension,
        agentUser: c.agent,
        calledNumber: c.calledNumber,
        waitSeconds: c.waitSeconds,
        talkSeconds: c.talkSeconds,
        recordingId: c.recordingId,
      })),
    ];
    all.sort((a, b) => b.at.getTime() - a.at.getTime() || rank[b.type] - rank[a.type] || b.id - a.id);
    const items = all.slice(0, limit);
    const last = items[items.length - 1];
    return { items, next: all.length > limit && last ? encodeCursor(last) : null };
  }
}

function encodeCursor(i: TimelineItem): string {
  return Buffer.from(`${i.at.toISOString()}|${i.type}|${i.id}`).toString("base64url");
}

function decodeCursor(s: string): Cursor {
  const [at, type, id] = Buffer.from(s, "base64url").toString("utf8").split("|");
  const date = new Date(at ?? "");
  const sane = !Number.isNaN(date.getTime()) && date >= minDate && date <= maxDate;
  if (!sane || !(type && Object.hasOwn(rank, type)) || !/^[1-9]\d{0,9}$/.test(id ?? "") || Number(id) > maxId)
    throw validationError("cursor", "not a cursor this list gave out");
  return { at: date, type: type as Kind, id: Number(id) };
}
