import { EventEmitter } from "node:events";
import path from "node:path";
import type { Redis } from "ioredis";
import type { Config, PbxTarget } from "../platform/config.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { Lease } from "../platform/cluster/lease.js";
import type { PhoneIndex } from "../crm/phone-index.js";
import type { ExtensionDirectory } from "../auth/extension-directory.js";
import { AmiClient } from "../pbx/ami-client.js";
import { PbxLink, type PbxSnapshot } from "../pbx/pbx-link.js";
import { PbxFeed, type FeedItem } from "../pbx/pbx-feed.js";
import { PbxCommands } from "../pbx/pbx-commands.js";
import type { PbxEvent } from "../pbx/pbx-events.js";
import { AmiSimulator } from "../pbx/sim/ami-simulator.js";
import { DemoTraffic } from "../pbx/sim/demo-traffic.js";
import { CallTracker, type CallEvent } from "./call-tracker.js";
import { AgentStates } from "./agent-states.js";
import { CallJournal } from "./call-journal.js";
import type { TrackedCall } from "./call.types.js";

export type PbxRole = "holder" | "standby";

export interface Telephony {
  /** The PBX's name (from AMI_URL; "main" for a single PBX). */
  name: string;
  kind: "simulator" | "asterisk";
  /** The event link: consumed only while this node holds the PBX's lease. */
  link: PbxLink;
  /** This node's own link for actions (Login with Events: off), on every node. */
  actions: AmiClient;
  commands: PbxCommands;
  tracker: CallTracker;
  agents: AgentStates;
  /** Every PBX event once the tracker and the agent states have applied it (on every node): "event" (PbxEvent, at). */
  pbxEvents: EventEmitter;
  journal: CallJournal;
  lease: Lease;
  readonly role: PbxRole;
  /** Whether this node reaches the PBX (its action link is up). */
  readonly connected: boolean;
  /** The built-in simulator when AMI_URL=sim. */
  sim: AmiSimulator | null;
  traffic: DemoTraffic | null;
  /** Resolves once an ended call's journal row is written (by this node or, on a standby, the holder). */
  journaled(linkedid: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** How long a standby keeps the calls it saw end, to journal them itself if it takes over. */
const keepEndedMs = 120_000;

/**
 * Wires one PBX to the call tracker, the agent states and the call journal, on one node of
 * possibly several. Exactly one node at a time (the holder of a lease in Redis, with fencing)
 * consumes the PBX's event stream; it applies each event and appends it to the PBX's feed (a Redis
 * stream). Every other node applies the same feed, so /api/calls/live, /api/agents/states and the
 * workspace are the same on every node. Only the holder journals and pushes (the callers ask
 * `role`). Every node sends its own actions over a link of its own. A standby that takes over
 * reads the feed to its end, connects, resyncs from the PBX (the tracker closes what ended
 * meanwhile, adopts what it did not know) and journals again the calls it saw end lately (the
 * journal keeps one row per call), so none is lost and none doubled.
 *
 * With AMI_URL=sim the simulator runs in this process on a loopback port and the links reach it
 * over TCP, exactly as they would reach Asterisk.
 */
export async function startTelephony(config: Config, pbx: PbxTarget & { name: string }, db: Database, redis: Redis, nodeId: string, phoneIndex: PhoneIndex, directory: ExtensionDirectory, log: Logger): Promise<Telephony> {
  const name = pbx.name;
  let sim: AmiSimulator | null = null;
  let target: PbxTarget = pbx;
  if (target.kind === "sim") {
    sim = new AmiSimulator({ secret: "sim-secret", badLoginDelayMs: 200, pbx: { monitorDir: config.monitorDir, speed: config.simSpeed, recordAudio: config.simAgents === 0, ...loadTestPbx(config.simAgents) } });
    const port = await sim.listen(0, "127.0.0.1");
    log.info({ port }, "AMI simulator listening");
    target = { kind: "ami", host: "127.0.0.1", port, username: sim.username, secret: sim.secret };
  }
  const plog = log.child({ pbx: name });
  const linkOpts = { host: target.host, port: target.port, username: target.username, secret: target.secret };
  const events = new AmiClient({ ...linkOpts, log: plog.child({ module: "ami" }) });
  const actions = new AmiClient({ ...linkOpts, events: false, log: plog.child({ module: "ami-actions" }) });
  const link = new PbxLink(events, plog.child({ module: "pbx" }));
  const tracker = new CallTracker();
  // Unknown until the PBX's state is read (the holder's first snapshot, or the feed's latest).
  const agents = new AgentStates(10_000, { reachable: false });
  // A phone reported BUSY rings or talks: the calls followed on it tell which.
  tracker.on("call", (e: CallEvent) => agents.onCall(e, tracker.frameAt));
  const journal = new CallJournal(db, phoneIndex, config.defaultCountry, plog.child({ module: "journal" }), {
    pbx: name,
    node: nodeId,
    userOf: (ext) => directory.userOf(ext),
    rejectFile: path.join(config.dataDir, "journal-rejected.jsonl"),
  });
  const leaseKey = `${config.redisPrefix}:pbx:${name}:lease`;
  const lease = new Lease(redis, leaseKey, nodeId, plog.child({ module: "lease" }), { floor: () => journal.storedFence() });
  const feed = new PbxFeed(redis, `${config.redisPrefix}:pbx:${name}:feed`, leaseKey, plog.child({ module: "feed" }));
  let role: PbxRole = "standby";

  const pbxEvents = new EventEmitter();
  const apply = (item: FeedItem): void => {
    switch (item.k) {
      case "event":
        tracker.handle(item.e, item.at);
        agents.handle(item.e, item.at);
        pbxEvents.emit("event", item.e, item.at);
        return;
      case "snapshot":
        tracker.reconcile(item.s.channels, item.s.since);
        agents.resetFromSnapshot(item.s.members, item.at, item.s.afterConnect === true);
        return;
      case "link-down":
        agents.linkDown(item.at);
        return;
    }
  };
  feed.on("item", apply);
  // The holder applies what its link reads at once (the screen pop waits for nobody) and appends it.
  const local = (item: FeedItem): void => {
    apply(item);
    feed.append(item);
  };
  link.on("event", (e: PbxEvent, at: number) => local({ k: "event", e, at }));
  link.on("snapshot", (s: PbxSnapshot) => local({ k: "snapshot", s, at: Date.now() }));
  // Only a holder that lost the PBX says so; one that stops consuming (lease lost, shutdown) does not.
  link.on("down", () => {
    if (role === "holder") local({ k: "link-down", at: Date.now() });
  });

  // Calls seen to end: the holder journals them; a standby keeps them a while in case it takes over.
  const recentlyEnded = new Map<string, { call: TrackedCall; at: number }>();
  tracker.on("call", (e: CallEvent) => {
    if (e.type !== "call.ended") return;
    if (role === "holder") return journal.add(e.call);
    recentlyEnded.set(e.call.linkedid, { call: e.call, at: Date.now() });
    for (const [id, r] of recentlyEnded) {
      if (r.at > Date.now() - keepEndedMs) break;
      recentlyEnded.delete(id);
    }
  });

  // A newer fencing number where we write, or the feed refusing our appends: another node holds the PBX.
  journal.onFencedOut = () => void lease.release("a newer fencing number holds the PBX");
  feed.onFenced = () => void lease.release("the feed refused an append");

  let transition = Promise.resolve();
  lease.on("acquired", (fence: number) => {
    transition = transition.then(async () => {
      if (lease.fence !== fence) return;
      // Everything the last holder appended is applied before this node reads the PBX itself.
      await feed.stopReadingCaughtUp();
      // Fence the last holder out of the journal at once (every write of ours does it too, so a
      // database that is down now does not stop the takeover).
      await journal.raiseFence(fence).catch((err: Error) => plog.warn({ err: err.message }, "could not record the fencing number yet"));
      if (lease.fence !== fence) {
        feed.startReading();
        return;
      }
      role = "holder";
      journal.setFence(fence);
      feed.beginAppending(`${nodeId} ${fence}`);
      for (const r of recentlyEnded.values()) journal.add(r.call);
      recentlyEnded.clear();
      events.start();
      plog.info({ fence }, "consuming the PBX's events (lease holder)");
    }).catch(async (err: Error) => {
      plog.error({ err }, "taking over the PBX failed; giving the lease up");
      await lease.release("takeover failed");
      if (role !== "holder") feed.startReading();
    });
  });
  lease.on("lost", () => {
    transition = transition.then(async () => {
      if (role !== "holder") return;
      role = "standby";
      link.stop();
      await events.stop();
      feed.stopAppending();
      await journal.flush();
      journal.setFence(null);
      feed.startReading();
      plog.warn("stopped consuming the PBX's events (lease lost); following the feed");
    });
  });

  feed.startReading();
  actions.start();
  lease.start();

  let traffic: DemoTraffic | null = null;
  if (sim && config.simCallsPerMinute > 0) {
    // Known callers come from the demo clients' numbers, so the demo pops real cards.
    const known = () => {
      const rows = phoneIndexSample(phoneIndex);
      return rows.length ? rows : ["+14155550123"];
    };
    traffic = new DemoTraffic(sim.pbx, config.simCallsPerMinute, known);
    traffic.start();
  }
  return {
    name,
    kind: sim ? "simulator" : "asterisk",
    link,
    actions,
    commands: new PbxCommands(actions),
    tracker,
    agents,
    pbxEvents,
    journal,
    lease,
    get role() {
      return role;
    },
    get connected() {
      return actions.state === "connected";
    },
    sim,
    traffic,
    async journaled(linkedid, timeoutMs = 5000) {
      if (role === "holder") return journal.flush();
      // The holder writes it: wait for its row (a standby has no write of its own to wait on).
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if ((await db.query("SELECT 1 FROM calls WHERE linkedid = $1", [linkedid])).length) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      traffic?.stop();
      // Stop consuming and write out what was seen, then hand the lease over at once (a standby
      // takes over without waiting for it to expire).
      await transition;
      const wasHolder = role === "holder";
      role = "standby";
      link.stop();
      await events.stop();
      if (wasHolder) await feed.drainAppends();
      await journal.close();
      await lease.stop();
      await actions.stop();
      await feed.close();
      await sim?.close();
    },
  };
}

/**
 * SIM_AGENTS=N: agents 1001..1000+N answering one round-robin queue (the pop-latency benchmark).
 * That load-test PBX records no calls (mixMonitor: false, so no recording audio either):
 * thousands of calls a minute would only measure the disk and a pipeline waiting for files that
 * never come; the recordings benchmark measures that pipeline on its own. The demo (SIM_AGENTS=0)
 * records every call and writes its WAVs into MONITOR_DIR.
 */
function loadTestPbx(n: number) {
  if (n <= 0) return {};
  const agents = Array.from({ length: n }, (_, i) => ({ ext: String(1001 + i), name: `Agent ${1001 + i}`, autoAnswer: true }));
  return {
    agents,
    queues: [{ name: "support", strategy: "rrmemory" as const, timeoutSeconds: 15, retrySeconds: 2, members: agents.map((a) => a.ext) }],
    dids: { "8005551000": "support" },
    mixMonitor: false,
  };
}

/** A few E.164 numbers of known clients for the simulated callers. */
function phoneIndexSample(index: PhoneIndex): string[] {
  return index.sampleNumbers(50).filter((n) => n.startsWith("+"));
}
