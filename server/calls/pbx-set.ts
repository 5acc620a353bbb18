import type { AgentState } from "./agent-states.js";
import type { TrackedCall } from "./call.types.js";
import type { Telephony } from "./telephony.js";

/**
 * Every PBX the server follows (AMI_URL names each), one Telephony each, with the questions the
 * routes ask of them all: which PBX carries this call, which one this agent's phone is on. An
 * extension names one phone across all PBXs (users.extension is unique).
 */
export class PbxSet {
  constructor(readonly all: Telephony[]) {
    if (all.length === 0) throw new Error("no PBX");
  }

  get first(): Telephony {
    return this.all[0]!;
  }

  /** The PBX carrying a live call. */
  ofCall(linkedid: string): { pbx: Telephony; call: TrackedCall } | null {
    for (const pbx of this.all) {
      const call = pbx.tracker.calls.get(linkedid);
      if (call) return { pbx, call };
    }
    return null;
  }

  /** The PBX whose queues have this agent's phone as a member (the first PBX when none says so). */
  ofAgent(extension: string): Telephony {
    return this.all.find((t) => t.agents.get(extension)) ?? this.first;
  }

  liveCalls(): { pbx: string; call: TrackedCall }[] {
    return this.all.flatMap((t) => [...t.tracker.calls.values()].map((call) => ({ pbx: t.name, call })));
  }

  agentStates(): (AgentState & { pbx: string })[] {
    return this.all.flatMap((t) => t.agents.all().map((s) => ({ ...s, pbx: t.name })));
  }

  /** Resolves once an ended call's journal row is written, whichever PBX it went through. */
  async journaled(linkedid: string): Promise<void> {
    await Promise.all(this.all.map((t) => t.journaled(linkedid)));
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((t) => t.close()));
  }
}
