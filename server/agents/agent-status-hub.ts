import type { AgentState } from "../calls/agent-states.js";
import type { PbxSet } from "../calls/pbx-set.js";
import type { PbxStatus } from "../platform/realtime/events.js";
import type { AgentStatusService, RequestedStatus } from "./agent-status.service.js";

/**
 * Agent status across every PBX: each PBX has its own AgentStatusService (its queues, its wrap-ups);
 * an agent is served by the one whose PBX has their phone in its queues.
 */
export class AgentStatusHub {
  constructor(
    private readonly pbxes: PbxSet,
    private readonly byPbx: Map<string, AgentStatusService>,
  ) {}

  private of(ext: string): AgentStatusService {
    return this.byPbx.get(this.pbxes.ofAgent(ext).name)!;
  }

  /** The PBX that has the agent's phone, and whether it is reachable. */
  pbx(ext: string): PbxStatus {
    const t = this.pbxes.ofAgent(ext);
    return { pbx: t.name, ...t.agents.pbx };
  }

  status(ext: string): AgentState {
    return this.of(ext).status(ext);
  }

  set(ext: string, requested: RequestedStatus, reason?: string): Promise<AgentState> {
    return this.of(ext).set(ext, requested, reason);
  }

  endWrapup(ext: string): Promise<void> {
    return this.of(ext).endWrapup(ext);
  }

  stop(): void {
    for (const s of this.byPbx.values()) s.stop();
  }
}
