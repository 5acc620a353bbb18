import type { Queue } from "../platform/queue.js";
import type { Logger } from "../platform/logger.js";
import type { Realtime } from "../platform/realtime/realtime.js";
import type { TasksService } from "./tasks.service.js";

/**
 * A repeating bull job that pushes `task:reminder` to the assignee of every task that fell due.
 * The database marks each task reminded, so a Redis outage delays reminders but loses none.
 */
export async function scheduleTaskReminders(
  queue: Queue<{ kind: string }>,
  tasks: TasksService,
  realtime: Realtime,
  log: Logger,
  everyMs = 30_000,
): Promise<void> {
  void queue.process("task-reminders", 1, async () => {
    const due = await tasks.claimDueReminders();
    for (const task of due) if (task.assignee) realtime.toUser(task.assignee.id, "task:reminder", { task });
    if (due.length) log.info({ count: due.length }, "task reminders sent");
    return due.length;
  });
  await queue.add("task-reminders", { kind: "task-reminders" }, {
    repeat: { every: everyMs },
    jobId: "task-reminders",
    removeOnComplete: 10,
    removeOnFail: 50,
  });
}
