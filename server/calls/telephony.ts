import path from "node:path";
import type { Config } from "../platform/config.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import type { PhoneIndex } from "../crm/phone-index.js";
import type { ExtensionDirectory } from "../auth/extension-directory.js";
import { AmiClient } from "../pbx/ami-client.js";
import { PbxLink, type PbxSnapshot } from "../pbx/pbx-link.js";
import { PbxCommands } from "../pbx/pbx-commands.js";
import type { PbxEvent } from "../pbx/pbx-events.js";
import { AmiSimulator } from "../pbx/sim/ami-simulator.js";
import { DemoTraffic } from "../pbx/sim/demo-traffic.js";
import { CallTracker, type CallEvent } from "./call-tracker.js";
import { AgentStates } from "./agent-states.js";
import { CallJournal } from "./call-journal.js";

export interface Telephony {
  link: PbxLink;
  commands: PbxCommands;
  tracker: CallTracker;
  agents: AgentStates;
  journal: CallJournal;
  /** The built-in simulator when AMI_URL=sim. */
  sim: AmiSimulator | null;
  traffic: DemoTraffic | null;
  close(): Promise<void>;
}

/**
 * Wires the PBX link to the call tracker, the agent states and the call journal. With AMI_URL=sim
 * the simulator runs in this process on a loopback port and the link reaches it over TCP, exactly
 * as it would reach Asterisk.
 */
export async function startTelephony(config: Config, db: Database, phoneIndex: PhoneIndex, directory: ExtensionDirectory, log: Logger): Promise<Telephony> {
  let sim: AmiSimulator | null = null;
  let target = config.pbx;
  if (target.kind === "sim") {
    sim = new AmiSimulator({ secret: "sim-secret", badLoginDelayMs: 200, pbx: { monitorDir: config.monitorDir, speed: config.simSpeed, ...loadTestPbx(config.simAgents) } });
    const port = await sim.listen(0, "127.0.0.1");
    log.info({ port }, "AMI simulator listening");
    target = { kind: "ami", host: "127.0.0.1", port, username: sim.username, secret: sim.secret };
  }
  const client = new AmiClient({ host: target.host, port: target.port, username: target.username, secret: target.secret, log: log.child({ module: "ami" }) });
  const link = new PbxLink(client, log.child({ module: "pbx" }));
  const tracker = new CallTracker();
  const agents = new AgentStates();
  const journal = new CallJournal(db, phoneIndex, config.defaultCountry, log.child({ module: "journal" }), {
    userOf: (ext) => directory.userOf(ext),
    rejectFile: path.join(config.dataDir, "journal-rejected.jsonl"),
  });

  link.on("event", (e: PbxEvent, receivedAt: number) => {
    tracker.handle(e, receivedAt);
    agents.handle(e);
  });
  link.on("snapshot", (s: PbxSnapshot) => {
    tracker.reconcile(s.channels, s.since);
    agents.resetFromSnapshot(s.members);
  });
  tracker.on("call", (e: CallEvent) => {
    if (e.type !== "call.ended") return;
    journal.add(e.call);
  });

  client.start();
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
    link,
    commands: new PbxCommands(client),
    tracker,
    agents,
    journal,
    sim,
    traffic,
    async close() {
      traffic?.stop();
      link.stop();
      await client.stop();
      await journal.close();
      await sim?.close();
    },
  };
}

/** SIM_AGENTS=N: agents 1001..1000+N answering one round-robin queue (the pop-latency benchmark). */
function loadTestPbx(n: number) {
  if (n <= 0) return {};
  const agents = Array.from({ length: n }, (_, i) => ({ ext: String(1001 + i), name: `Agent ${1001 + i}`, autoAnswer: true }));
  return {
    agents,
    queues: [{ name: "support", strategy: "rrmemory" as const, timeoutSeconds: 15, retrySeconds: 2, members: agents.map((a) => a.ext) }],
    dids: { "8005551000": "support" },
  };
}

/** A few E.164 numbers of known clients for the simulated callers. */
function phoneIndexSample(index: PhoneIndex): string[] {
  return index.sampleNumbers(50).filter((n) => n.startsWith("+"));
}
