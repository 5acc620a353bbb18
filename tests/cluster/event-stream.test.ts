import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import type { AmiSimulator } from "../../server/pbx/sim/ami-simulator.js";
import { EventLog, type StreamEvent } from "../../server/integration/event-log.js";
import { createLogger } from "../../server/platform/logger.js";
import { freshPostgresDatabase } from "../support/databases.js";
import { expectEventually } from "../support/eventually.js";
import { adminPassword } from "../support/test-server.js";
import { clusterDid, clusterEnv, clusterSimulator, leaseHolder, login, startNode, type NodeProcess } from "../support/cluster.js";
import { openStream, type StreamClient as Stream } from "../support/stream-client.js";

const agents = ["1001", "1002"];

const seqs = (m: StreamEvent[]) => m.map((e) => e.seq);
const ended = (callId: string) => (m: StreamEvent[]) => m.some((e) => e.type === "call.ended" && e.callId === callId);
/** from, from+1, …: in order, none missing, none twice. */
const expectConsecutive = (m: StreamEvent[], what: string) => {
  const s = seqs(m);
  expect(s, `${what}: consecutive seq`).toEqual(Array.from({ length: s.length }, (_, i) => s[0]! + i));
};
/** Each call event of each call once (the calls here ring one agent, answered at the first ring). */
const expectEachCallEventOnce = (m: StreamEvent[], callIds: string[]) => {
  for (const callId of callIds)
    for (const type of ["call.started", "call.answered", "call.ended"])
      expect(m.filter((e) => e.callId === callId && e.type === type), `${type} of ${callId}`).toHaveLength(1);
};

/**
 * GET /api/stream on two server processes sharing PostgreSQL, one Redis prefix and one PBX (the
 * simulator over TCP, in this process), with calls flowing: a client on either node gets the same
 * events with the same seq, in order, none missing or twice; a client cut on one node resumes on
 * the other with `after` and gets exactly what it missed; a client that leaves during a long
 * catch-up is not read for any more; a resume point trimmed away is refused (4410) by both; when
 * the PBX's lease holder stops, the survivor takes over and the sequence goes on, each call event
 * once, for a client that resumes there.
 */
describe("event stream on two nodes", () => {
  let sim: AmiSimulator;
  let db: { url: string; drop: () => Promise<void> };
  let env: Record<string, string>;
  const nodes: NodeProcess[] = [];
  let adminToken: string;
  let streamToken: string;
  let redis: Redis;
  let log: EventLog;
  const open: Stream[] = [];
  const stream = (node: NodeProcess, query = "") => {
    const s = openStream(node.url, streamToken, query);
    open.push(s);
    return s;
  };
  let callNo = 0;
  /** One inbound call to the queue, answered by an agent's phone at the first ring. */
  const call = (talkSeconds = 1) => sim.pbx.inboundCall({ from: `+1415555${String(1000 + (callNo++ % 9000))}`, did: clusterDid, talkSeconds });
  /** Two overlapping calls, waited for to their end on `watch`: interleaved call and agent events. */
  const round = async (watch: Stream, callIds: string[]) => {
    const pair = [call(1), call(2)];
    callIds.push(...pair);
    await Promise.all(pair.map((id) => watch.until(ended(id))));
  };

  beforeAll(async () => {
    sim = clusterSimulator({ speed: 0.05, agents, autoAnswer: true, strategy: "rrmemory" });
    await sim.listen(0);
    db = await freshPostgresDatabase();
    env = clusterEnv(db.url, sim.port);
    // The first node migrates the empty database and creates the admin; the second joins it.
    nodes.push(await startNode("a", env));
    nodes.push(await startNode("b", env));
    await expectEventually(async () => void (await leaseHolder(nodes)), 30_000);
    adminToken = await login(nodes[0]!, "admin", adminPassword);
    // Made on node A, used on both: tokens live in the shared database.
    const t = await nodes[0]!.api("POST", "/api/api-tokens", { token: adminToken, body: { name: "crm sync", scopes: ["events:stream"] } });
    expect(t.status).toBe(201);
    streamToken = t.body.token;
    redis = new Redis(env.REDIS_URL ?? "redis://127.0.0.1:6379/0");
    // The test's own view of the shared log (to read the last seq given out, and to fill it).
    log = new EventLog(redis, env.REDIS_PREFIX!, 100, createLogger("silent"));
  }, 120_000);
  afterEach(async () => {
    for (const s of open.splice(0)) {
      s.ws.terminate();
      await s.closed;
    }
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    redis?.disconnect();
    await sim?.close();
    await db?.drop();
  });

  it("refuses a token without events:stream at the handshake on either node; one with it opens on both", async () => {
    const r = await nodes[1]!.api("POST", "/api/api-tokens", { token: await login(nodes[1]!, "admin", adminPassword), body: { name: "reader", scopes: ["calls:read"] } });
    expect(r.status).toBe(201);
    for (const n of nodes) {
      await expect(openStream(n.url, r.body.token).opened, n.name).rejects.toMatchObject({ status: 403 });
      const ok = stream(n);
      await ok.opened;
    }
  });

  it("a client on each node gets the same events with the same seq, in order, none missing or twice, while calls flow", async () => {
    const [onA, onB] = [stream(nodes[0]!), stream(nodes[1]!)];
    await Promise.all([onA.opened, onB.opened]);
    const callIds: string[] = [];
    for (let i = 0; i < 4; i++) await round(onA, callIds);
    await Promise.all(callIds.map((id) => onB.until(ended(id))));
    // Both saw the whole traffic: up to the last call's end, the same list.
    const last = Math.max(...onA.messages.filter((e) => e.type === "call.ended").map((e) => e.seq));
    await onB.until((m) => m.some((e) => e.seq >= last));
    for (const s of [onA, onB]) expectConsecutive(s.messages, "each client");
    const from = Math.max(onA.messages[0]!.seq, onB.messages[0]!.seq);
    const range = (s: Stream) => s.messages.filter((e) => e.seq >= from && e.seq <= last);
    expect(range(onA)).toEqual(range(onB));
    const types = new Set(range(onA).map((e) => e.type));
    for (const t of ["call.started", "call.answered", "call.ended", "agent.state"]) expect(types, t).toContain(t);
    // Both connected before the first call: every event of every call is in the common range.
    expect(range(onA).filter((e) => callIds.includes(e.callId as string))).toHaveLength(onA.messages.filter((e) => callIds.includes(e.callId as string)).length);
    expectEachCallEventOnce(range(onA), callIds);
  });

  it("a client cut on node A in the middle of traffic resumes on node B with after: exactly what it missed", async () => {
    const base = await log.lastSeq();
    const ref = stream(nodes[1]!, `?after=${base}`);
    const cut = stream(nodes[0]!, `?after=${base}`);
    await Promise.all([ref.opened, cut.opened]);
    let cutDone: () => void = () => {};
    const whileCut = new Promise<void>((r) => (cutDone = r));
    let resumedOpen: () => void = () => {};
    const afterResume = new Promise<void>((r) => (resumedOpen = r));
    const callIds: string[] = [];
    // Calls before the cut, while the client is away, and after it came back.
    const traffic = (async () => {
      for (let i = 0; i < 2; i++) await round(ref, callIds);
      await whileCut;
      for (let i = 0; i < 2; i++) await round(ref, callIds);
      await afterResume;
      for (let i = 0; i < 2; i++) await round(ref, callIds);
    })();
    await cut.until((m) => callIds.length >= 2 && callIds.slice(0, 2).every((id) => ended(id)(m)));
    cut.ws.terminate();
    await cut.closed;
    const lastSeen = cut.messages[cut.messages.length - 1]!.seq;
    cutDone();
    // Something happened while it was away.
    await ref.until((m) => m.some((e) => e.seq > lastSeen && e.type === "call.ended"));
    const resumed = stream(nodes[1]!, `?after=${lastSeen}`);
    await resumed.opened;
    resumedOpen();
    await traffic;
    const last = Math.max(...ref.messages.filter((e) => e.type === "call.ended").map((e) => e.seq));
    await resumed.until((m) => m.some((e) => e.seq >= last));

    const combined = [...cut.messages, ...resumed.messages].filter((e) => e.seq <= last);
    expect(resumed.messages[0]!.seq).toBe(lastSeen + 1);
    expectConsecutive(combined, "cut + resumed");
    expect(combined[0]!.seq).toBe(base + 1);
    expect(combined).toEqual(ref.messages.filter((e) => e.seq <= last));
    expect(resumed.messages.filter((e) => e.type === "call.ended").length, "calls ended after the cut reached the resumed client").toBeGreaterThanOrEqual(2);
    expectEachCallEventOnce(combined, callIds);
  });

  it("a client that leaves in the middle of a long catch-up: the node stops reading the log for it", async () => {
    const base = await log.lastSeq();
    // A long backlog (kept: this writer trims to 100,000), five pages of 1,000.
    const filler = new EventLog(redis, env.REDIS_PREFIX!, 100_000, createLogger("silent"));
    for (let i = 0; i < 4999; i++) void filler.append("test.filler", { i });
    const last = (await filler.append("test.filler", { i: 4999 }))!;
    // Every page the nodes read from the log: XRANGE <key> <first id> + COUNT 1000.
    const key = `${env.REDIS_PREFIX}:events`;
    const pageReads = new Map<string, number>();
    const monitor = await redis.monitor();
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === "xrange" && args[1] === key && args[2] !== "-") pageReads.set(args[2]!, (pageReads.get(args[2]!) ?? 0) + 1);
    });
    try {
      const leaving = stream(nodes[1]!, `?after=${base}`);
      await leaving.until((m) => m.length > 0);
      leaving.ws.terminate();
      await leaving.closed;
      // Another client's whole catch-up on the same node, from another point (its pages start elsewhere).
      const whole = stream(nodes[1]!, `?after=${base + 500}`);
      await whole.until((m) => m.some((e) => e.seq === last));
      expect(whole.messages[0]!.seq).toBe(base + 501);
      expectConsecutive(whole.messages.filter((e) => e.seq <= last), "the whole catch-up");
      // Each page read once for each client: none read again for the client that left.
      expect([...pageReads].filter(([, n]) => n > 1), "pages read more than once").toEqual([]);
      expect(pageReads.get(`${base + 501}-0`)).toBe(1);
    } finally {
      monitor.disconnect();
    }
  });

  it("a resume point trimmed from the shared log is refused by both nodes (RESUME_TOO_OLD, 4410)", async () => {
    // Another writer fills the shared log, trimmed to about 100 events.
    for (let i = 0; i < 1500; i++) void log.append("test.filler", { i });
    const last = (await log.append("test.filler", { i: 1500 }))!;
    for (const n of nodes) {
      const late = stream(n, "?after=1");
      await late.opened;
      expect((await late.closed).code, n.name).toBe(4410);
      expect(late.messages).toEqual([expect.objectContaining({ type: "error", code: "RESUME_TOO_OLD", lastSeq: last })]);
    }
    // Within what is kept, both resume.
    for (const n of nodes) {
      const recent = stream(n, `?after=${last - 3}`);
      await recent.until((m) => m.length >= 3);
      expect(seqs(recent.messages.slice(0, 3)), n.name).toEqual([last - 2, last - 1, last]);
    }
  });

  it("when the PBX's lease holder stops, the survivor takes over and the sequence goes on: a client resuming there gets every event once", async () => {
    const old = await leaseHolder(nodes);
    const survivor = nodes.find((n) => n !== old)!;
    const base = await log.lastSeq();
    const onOld = stream(old, `?after=${base}`);
    const onSurvivor = stream(survivor, `?after=${base}`);
    await Promise.all([onOld.opened, onSurvivor.opened]);
    const callIds: string[] = [];
    await round(onOld, callIds);
    // A call still talking when the holder stops: its end comes from the survivor.
    const long = call(100_000);
    callIds.push(long);
    await onOld.until((m) => m.some((e) => e.type === "call.answered" && e.callId === long));
    const longAgent = onOld.messages.find((e) => e.type === "call.answered" && e.callId === long)!.agent as string;

    await old.stop();
    nodes.splice(nodes.indexOf(old), 1);
    await onOld.closed;
    const lastSeen = onOld.messages[onOld.messages.length - 1]!.seq;
    const resumed = stream(survivor, `?after=${lastSeen}`);
    await resumed.opened;
    await expectEventually(async () => expect((await survivor.health()).lease).toBe("holder"), 60_000);

    expect(sim.pbx.agentHangup(longAgent)).toBe(true);
    await resumed.until(ended(long));
    await round(resumed, callIds);
    const last = Math.max(...resumed.messages.filter((e) => e.type === "call.ended").map((e) => e.seq));
    await onSurvivor.until((m) => m.some((e) => e.seq >= last));

    const combined = [...onOld.messages, ...resumed.messages].filter((e) => e.seq <= last);
    expect(combined[0]!.seq).toBe(base + 1);
    expectConsecutive(combined, "before the stop + resumed on the survivor");
    expect(combined).toEqual(onSurvivor.messages.filter((e) => e.seq <= last));
    expectEachCallEventOnce(combined, callIds);
  }, 120_000);
});
