import { z } from "zod";
import type { Prisma } from "../generated/prisma/client.js";
import type { Database } from "../platform/db/database.js";
import { AppError, notFound, validationError } from "../platform/errors.js";
import { allowed, type Role } from "../auth/roles.js";
import { dateInput, idNumber, idParam, queryInt, text } from "../platform/http/input.js";
import type { ClientsService } from "./clients.service.js";
import type { TaskDto } from "./clients.schemas.js";

export type { TaskDto };

export const newTaskBody = z
  .object({
    title: text(300, { required: "is required" }),
    body: text(10_000, { multiline: true }).nullable().optional(),
    clientId: idNumber.nullable().optional(),
    dueAt: dateInput.nullable().optional(),
    assigneeId: idNumber.nullable().optional(),
  })
  .strict();

export const taskChangesBody = z
  .object({
    title: text(300, { required: "may not be empty" }).optional(),
    body: text(10_000, { multiline: true }).nullable().optional(),
    dueAt: dateInput.nullable().optional(),
    assigneeId: idNumber.nullable().optional(),
    done: z.boolean().optional(),
  })
  .strict();

export const taskListQuery = z.object({
  assignee: z.union([z.literal("me"), idParam], { message: "must be 'me' or a user id" }).optional(),
  clientId: idParam.optional(),
  status: z.enum(["open", "done", "all"]).default("open"),
  due: z.enum(["today", "overdue"]).optional(),
  limit: queryInt(1, 500).default(200),
});

const taskInclude = {
  client: { select: { id: true, name: true } },
  assignee: { select: { id: true, displayName: true } },
  createdBy: { select: { id: true, displayName: true } },
} satisfies Prisma.TaskInclude;

type TaskRow = Prisma.TaskGetPayload<{ include: typeof taskInclude }>;

const toTaskDto = (t: TaskRow): TaskDto => ({
  id: t.id,
  clientId: t.clientId,
  client: t.client,
  title: t.title,
  body: t.body,
  dueAt: t.dueAt,
  assignee: t.assignee,
  createdBy: t.createdBy,
  doneAt: t.doneAt,
  createdAt: t.createdAt,
});

/** Who asks: agents see and change only their own tasks (assigned to them or created by them). */
export interface TaskActor {
  id: number;
  role: Role;
}

/** The tasks a user may see and change; null: all (supervisors, managers, admins). */
export function taskScope(me: TaskActor): Prisma.TaskWhereInput | null {
  return allowed(me.role, "allTasks") ? null : { OR: [{ assigneeId: me.id }, { createdById: me.id }] };
}

export class TasksService {
  constructor(
    private readonly db: Database,
    private readonly clients: ClientsService,
  ) {}

  async create(input: z.infer<typeof newTaskBody>, me: { id: number }): Promise<TaskDto> {
    if (input.clientId != null) await this.clients.assertClient(input.clientId);
    const assigneeId = input.assigneeId === undefined ? me.id : input.assigneeId;
    if (assigneeId !== null) await this.assertUser(assigneeId);
    const task = await this.db.prisma.task.create({
      data: {
        title: input.title,
        body: input.body ?? null,
        clientId: input.clientId ?? null,
        dueAt: input.dueAt ?? null,
        assigneeId,
        createdById: me.id,
      },
      include: taskInclude,
    });
    if (task.clientId) await this.clients.changed(task.clientId);
    return toTaskDto(task);
  }

  async update(id: number, changes: z.infer<typeof taskChangesBody>, me: TaskActor): Promise<TaskDto> {
    const before = await this.db.prisma.task.findUnique({ where: { id } });
    if (!before) throw notFound(`task ${id}`);
    if (taskScope(me) && before.assigneeId !== me.id && before.createdById !== me.id)
      throw new AppError("FORBIDDEN", `task ${id} is neither assigned to you nor created by you; a supervisor can change it`);
    if (changes.assigneeId != null) await this.assertUser(changes.assigneeId);
    const task = await this.db.prisma.task.update({
      where: { id },
      data: {
        ...(changes.title !== undefined ? { title: changes.title } : {}),
        ...(changes.body !== undefined ? { body: changes.body } : {}),
        // A new due time or assignee earns a new reminder.
        ...(changes.dueAt !== undefined ? { dueAt: changes.dueAt, remindedAt: null } : {}),
        ...(changes.assigneeId !== undefined ? { assigneeId: changes.assigneeId, remindedAt: null } : {}),
        ...(changes.done !== undefined ? { doneAt: changes.done ? (before.doneAt ?? new Date()) : null } : {}),
      },
      include: taskInclude,
    });
    if (task.clientId) await this.clients.changed(task.clientId);
    return toTaskDto(task);
  }

  async list(q: z.infer<typeof taskListQuery>, me: TaskActor, now = new Date()): Promise<TaskDto[]> {
    const scope = taskScope(me);
    const where: Prisma.TaskWhereInput = scope ? { AND: [scope] } : {};
    if (q.assignee !== undefined) where.assigneeId = q.assignee === "me" ? me.id : q.assignee;
    if (q.clientId) where.clientId = q.clientId;
    if (q.status === "open") where.doneAt = null;
    if (q.status === "done") where.doneAt = { not: null };
    if (q.due === "overdue") where.dueAt = { lt: now };
    if (q.due === "today") {
      const end = new Date(now);
      end.setHours(24, 0, 0, 0);
      where.dueAt = { lt: end };
    }
    const rows = await this.db.prisma.task.findMany({
      where,
      include: taskInclude,
      orderBy: [{ dueAt: { sort: "asc", nulls: "last" } }, { id: "asc" }],
      take: q.limit,
    });
    return rows.map(toTaskDto);
  }

  /**
   * Open tasks that fell due and were not yet reminded: each is marked reminded (so exactly one
   * node, one time, reminds it) and returned for the push to its assignee.
   */
  async claimDueReminders(now = new Date()): Promise<TaskDto[]> {
    const due = await this.db.prisma.task.findMany({
      where: { doneAt: null, remindedAt: null, dueAt: { lte: now }, assigneeId: { not: null } },
      select: { id: true },
      take: 500,
    });
    const claimed: TaskDto[] = [];
    for (const { id } of due) {
      const r = await this.db.prisma.task.updateMany({ where: { id, remindedAt: null }, data: { remindedAt: now } });
      if (r.count === 1) {
        const t = await this.db.prisma.task.findUnique({ where: { id }, include: taskInclude });
        if (t) claimed.push(toTaskDto(t));
      }
    }
    return claimed;
  }

  private async assertUser(id: number): Promise<void> {
    const u = await this.db.prisma.user.findUnique({ where: { id }, select: { id: true } });
    if (!u) throw validationError("assigneeId", `no user with id ${id}`);
  }
}
