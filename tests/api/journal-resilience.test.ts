import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { openDatabase, type Database } from "../../server/platform/db/database.js";
import { PhoneIndex } from "../../server/crm/phone-index.js";
import { CallJournal } from "../../server/calls/call-journal.js";
import type { TrackedCall } from "../../server/calls/call.types.js";
import { dbKinds, freshPostgresDatabase } from "../support/databases.js";
import { expectEventually } from "../support/eventually.js";

function endedCall(i: number, over: Partial<TrackedCall> = {}): TrackedCall {
  const at = new Date(Date.UTC(2026, 11, 2, 9, 0, i % 60));
  return {
    linkedid: `1800000000.${i}`, direction: "inbound", callerNumber: "+14155550123", callerName: "Caller", calledNumber: "8005551000",
    customerNumber: "+14155550123", queue: "support", startedAt: at, queuedAt: at, ringingAt: at, answeredAt: at, endedAt: at,
    agent: "1001", segments: [], ringing: new Map(), legs: new Map(), holdStartedAt: null, holdSeconds: 0, waitSeconds: 3,
    talkSeconds: 40, transfers: 0, abandoned: false, busy: false, failed: false, outcome: "answered", hangupCause: 16,
    hangupCauseText: "Normal Clearing", recordingFile: null, recordingMuted: [], vars: {}, endedWhileDisconnected: true, adopted: false, estimated: new Set(), endReason: null, lastEventAt: 0,
    ...over,
  };
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}
function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * The journal under the loads and faults that wedged it: thousands of calls ending at once (one
 * INSERT passed PostgreSQL's 65,535 parameters and failed for ever), a row the database refuses,
 * and the database going away and coming back.
 */
describe.each(dbKinds)("call journal resilience on %s", (kind) => {
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  let down = false;
  let held: { gate: Deferred; reached: Deferred } | null = null;
  let faulty: Database;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "journal-"));
  const rejectFile = path.join(dir, "journal-rejected.jsonl");
  let journal: CallJournal;
  const stored: string[] = [];
  const count = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM calls"))[0]!.n;

  beforeAll(async () => {
    if (kind === "postgres") {
      const pg = await freshPostgresDatabase();
      drop = pg.drop;
      db = await openDatabase({ url: pg.url, dataDir: null });
    } else db = await openDatabase({ url: null, dataDir: null });
    // The same database behind a switch: while `down`, every query fails as an unreachable server would.
    // `held`: the journal's INSERTs wait until it is let go (a slow write, caught in the middle).
    faulty = {
      ...db,
      query: async (sql, params) => {
        if (down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
        if (held && /INSERT INTO calls/.test(sql)) {
          held.reached.resolve();
          await held.gate.promise;
        }
        return db.query(sql, params);
      },
    };
    const index = new PhoneIndex(db);
    await index.load();
    journal = new CallJournal(faulty, index, "US", pino({ level: "silent" }), { userOf: () => undefined, rejectFile, retryMs: 20 });
    journal.onStored = (linkedid) => stored.push(linkedid);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("journals 3,100 calls that end at once, in bounded chunks", async () => {
    for (let i = 0; i < 3100; i++) journal.add(endedCall(i));
    await journal.flush();
    expect(await count()).toBe(3100);
    expect(journal.health()).toMatchObject({ backlog: 0, failing: false, setAside: 0 });
  });

  it("sets aside the one row the database refuses, reports it, and writes every other", async () => {
    for (let i = 5000; i < 5300; i++) journal.add(endedCall(i, i === 5123 ? { waitSeconds: 2 ** 40 } : {}));
    await journal.flush();
    expect(await count()).toBe(3100 + 299);
    expect(journal.health()).toMatchObject({ backlog: 0, failing: false, setAside: 1 });
    const lines = fs.readFileSync(rejectFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].call.linkedid).toBe("1800000000.5123");
    expect(lines[0].reason).toMatch(/range|integer/i);
    // Calls that end afterwards are journaled as usual.
    journal.add(endedCall(6000));
    await journal.flush();
    expect(stored).toContain("1800000000.6000");
  });

  it("keeps a NUL or a lone surrogate from the PBX out of the way of the row", async () => {
    journal.add(endedCall(7000, { callerName: "Bad\0Name \ud800", hangupCauseText: "x\0" }));
    await journal.flush();
    const row = (await db.query<{ caller_name: string }>("SELECT caller_name FROM calls WHERE linkedid = '1800000000.7000'"))[0];
    expect(row?.caller_name).toBe("Bad\uFFFDName \uFFFD");
    expect(journal.health().setAside).toBe(1);
  });

  it("says it is failing while the database is unreachable, and catches up when it is back", async () => {
    down = true;
    for (let i = 8000; i < 8500; i++) journal.add(endedCall(i));
    await journal.flush();
    expect(journal.health()).toMatchObject({ failing: true, backlog: 500 });
    expect(journal.health().lastError).toMatch(/ECONNREFUSED/);
    down = false;
    // The retry timer writes the backlog without anyone asking.
    await expectEventually(() => expect(journal.health()).toMatchObject({ failing: false, backlog: 0 }), 15_000);
    expect(await count()).toBe(3100 + 299 + 1 + 1 + 500);
    expect(journal.health().setAside).toBe(1);
  });

  it("counts the rows of the INSERT under way in its backlog until they are stored", async () => {
    const hold = (held = { gate: deferred(), reached: deferred() });
    for (let i = 8700; i < 8750; i++) journal.add(endedCall(i));
    const flushed = journal.flush();
    // The 50 rows have left the queue for the INSERT, which is held: not stored, so still the backlog.
    await hold.reached.promise;
    const before = await count();
    try {
      expect(journal.health()).toMatchObject({ backlog: 50 });
    } finally {
      held = null;
      hold.gate.resolve();
    }
    await flushed;
    expect(journal.health()).toMatchObject({ backlog: 0 });
    expect(await count()).toBe(before + 50);
  });

  it("writes under its fencing number only while that number is current", async () => {
    await db.query("INSERT INTO pbx_fences (pbx, fence, node) VALUES ('main', 7, 'node-a') ON CONFLICT (pbx) DO UPDATE SET fence = 7");
    journal.setFence(7);
    journal.add(endedCall(8600));
    await journal.flush();
    expect(stored).toContain("1800000000.8600");
    // Another node took the lease (fence 8): this holder's late rows are refused and counted.
    await db.query("UPDATE pbx_fences SET fence = 8, node = 'node-b' WHERE pbx = 'main'");
    journal.add(endedCall(8601));
    await journal.flush();
    expect((await db.query("SELECT 1 FROM calls WHERE linkedid = '1800000000.8601'")).length).toBe(0);
    expect(journal.fencedOut).toBe(1);
    expect(journal.health()).toMatchObject({ backlog: 0, failing: false, setAside: 1, fencedOut: 1 });
    // A newer holder whose number the database does not know yet (it was down at the takeover)
    // raises it with its first write, and writes.
    journal.setFence(9);
    journal.add(endedCall(8602));
    await journal.flush();
    expect((await db.query("SELECT 1 FROM calls WHERE linkedid = '1800000000.8602'")).length).toBe(1);
    expect((await db.query<{ fence: number }>("SELECT fence::int AS fence FROM pbx_fences WHERE pbx = 'main'"))[0]!.fence).toBe(9);
    journal.setFence(null);
  });

  it("keeps rows it could not write before shutdown in the reject file", async () => {
    down = true;
    journal.add(endedCall(9000));
    await journal.close();
    down = false;
    const lines = fs.readFileSync(rejectFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ call: { linkedid: "1800000000.9000" }, reason: expect.stringMatching(/shutdown/) });
  });
});
