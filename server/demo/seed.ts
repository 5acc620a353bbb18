import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import type { UsersService } from "../auth/users.service.js";
import type { Role } from "../auth/roles.js";
import { phoneKey } from "../crm/phone-numbers.js";
import { demoClient, demoNotes } from "./demo-data.js";
import { pick, seededRandom } from "./random.js";
import { breather } from "../platform/breather.js";
import { seedDemoScripts } from "../scripts/demo-scripts.js";

export const demoUsers: { username: string; password: string; role: Role; displayName: string; extension?: string }[] = [
  { username: "admin", password: "admin-demo-1", role: "admin", displayName: "Ada Admin" },
  { username: "agent1001", password: "agent-demo-1", role: "agent", displayName: "Agent One", extension: "1001" },
  { username: "agent1002", password: "agent-demo-1", role: "agent", displayName: "Agent Two", extension: "1002" },
  { username: "agent1003", password: "agent-demo-1", role: "agent", displayName: "Agent Three", extension: "1003" },
  { username: "supervisor", password: "super-demo-1", role: "supervisor", displayName: "Sam Supervisor", extension: "1010" },
  { username: "manager", password: "manager-demo-1", role: "manager", displayName: "Maria Manager" },
];

/** The caller of the transcripts in ../shared/ami-traces, seeded as a known client. */
export const demoKnownCaller = { name: "Customer Example", number: "+14155550123" };

/**
 * Deterministic demo data, written once into an empty database: the demo users and `count`
 * clients (same names and numbers on every machine), with notes and lifecycle history.
 */
export async function seedDemo(db: Database, users: UsersService, log: Logger, count = 3000): Promise<boolean> {
  if ((await db.prisma.client.count()) > 0) return false;
  const ids: Record<string, number> = {};
  for (const u of demoUsers) {
    const existing = await db.prisma.user.findUnique({ where: { username: u.username } });
    ids[u.username] = existing?.id ?? (await users.create(u, null)).id;
  }
  const agents = ["agent1001", "agent1002", "agent1003"].map((n) => ids[n]!);
  // The demo supervisor watches both queues (their recordings, their callbacks).
  for (const q of ["support", "sales"]) await db.query("INSERT INTO user_queues (user_id, queue) VALUES ($1, $2) ON CONFLICT DO NOTHING", [ids.supervisor!, q]);
  // The wallboard's thresholds: a caller waiting over a minute, or three waiting, turns the queue red.
  for (const q of ["support", "sales"])
    await db.query("INSERT INTO queue_targets (queue, target_seconds, target_percent, max_wait_seconds, max_waiting) VALUES ($1, 20, 80, 60, 3) ON CONFLICT DO NOTHING", [q]);
  // A demo runs at any hour: its simulated customers may be called back around the clock.
  for (const q of ["support", "sales"])
    await db.query("INSERT INTO callback_settings (queue, call_window_start, call_window_end) VALUES ($1, '00:00', '24:00') ON CONFLICT DO NOTHING", [q]);
  const rnd = seededRandom(20261125);
  const start = Date.now();
  const now = Date.now();
  // The embedded database runs on this thread: a 500-row batch held it (and the PBX lease's
  // renewals) for about 1.4 s, and two in a row let the 3 s lease lapse. 100 rows take about 0.3 s.
  const batch = 100;
  const breathe = breather(0);
  for (let from = 0; from < count; from += batch) {
    const list = Array.from({ length: Math.min(batch, count - from) }, (_, k) => demoClient(from + k, rnd));
    if (from === 0) {
      list[0] = { ...list[0]!, kind: "person", name: demoKnownCaller.name, company: "Example Corp", stage: "regular", vip: true, tags: ["vip", "support-plan"], phones: [{ number: demoKnownCaller.number, type: "mobile" }] };
    }
    const created = await db.prisma.client.createManyAndReturn({
      data: list.map((c, k) => {
        const at = new Date(now - (count - from - k) * 3_600_000);
        return {
          kind: c.kind, name: c.name, nameLower: c.name.toLowerCase(), company: c.company, emails: c.emails,
          addressLine: c.addressLine, city: c.city, region: c.region, postalCode: c.postalCode, country: c.country,
          stage: c.stage, tags: c.tags, leadSource: c.leadSource, vip: c.vip, notes: c.notes,
          ownerId: rnd() < 0.6 ? pick(rnd, agents) : null, createdAt: at, updatedAt: at,
        };
      }),
      select: { id: true, createdAt: true },
    });
    const phones = created.flatMap((row, k) =>
      list[k]!.phones
        .map((p, j) => ({ clientId: row.id, number: phoneKey(p.number, "US"), raw: p.number, type: p.type, isPrimary: j === 0 }))
        .filter((p): p is typeof p & { number: string } => p.number !== null),
    );
    await db.prisma.phone.createMany({ data: phones });
    await db.prisma.stageChange.createMany({
      data: created.map((row, k) => ({ clientId: row.id, fromStage: null, toStage: list[k]!.stage, at: row.createdAt })),
    });
    const notes = created.filter(() => rnd() < 0.4).map((row) => ({
      clientId: row.id, authorId: pick(rnd, agents), body: pick(rnd, demoNotes), createdAt: new Date(row.createdAt.getTime() + 600_000),
    }));
    await db.prisma.note.createMany({ data: notes });
    // Due timers run between batches (the PBX lease's renewal among them): without it the seeding
    // held them back for its whole 4 s and the lease lapsed.
    await breathe();
  }
  // A few open tasks for each agent, some due today, so "My tasks" and reminders have content.
  const firstClients = await db.prisma.client.findMany({ take: 30, orderBy: { id: "asc" }, select: { id: true, name: true } });
  await db.prisma.task.createMany({
    data: firstClients.map((c, k) => ({
      clientId: c.id, title: pick(rnd, ["Call back about renewal", "Send the price list", "Confirm delivery date", "Follow up on complaint"]),
      dueAt: new Date(now + (k - 10) * 3_600_000), assigneeId: agents[k % 3]!, createdById: ids.supervisor!,
      remindedAt: k < 10 ? new Date(now) : null,
    })),
  });
  await seedDemoScripts(db, ids.supervisor!, rnd);
  log.info({ clients: count, ms: Date.now() - start }, "demo data seeded");
  return true;
}
