import type { Redis } from "ioredis";
import type { PbxEvent } from "../pbx/pbx-events.js";
import { agentOf, talkingAgent, type CallEvent } from "../calls/call-tracker.js";
import type { PbxSet } from "../calls/pbx-set.js";
import type { Telephony } from "../calls/telephony.js";
import { AppError } from "../platform/errors.js";
import type { Logger } from "../platform/logger.js";

export const spyModes = ["listen", "whisper", "barge"] as const;
export type SpyMode = (typeof spyModes)[number];

/** A supervisor on an agent's call: listening, whispering (the agent hears, the caller does not) or barging. */
export interface SpySession {
  agent: string;
  mode: SpyMode;
  supervisor: { id: number; name: string; extension: string };
  /** The spy call's Linkedid (its own call, between the supervisor's phone and ChanSpy). */
  spyCallId: string | null;
  /** The spied call. */
  callId: string;
  startedAt: Date;
}

interface Requested {
  agent: string;
  mode: SpyMode;
  supervisor: SpySession["supervisor"];
  callId: string;
  at: number;
}

/**
 * Listen / whisper / barge through an Originate to the supervisor's own phone running ChanSpy on
 * the agent's channel (the spy capture in ../shared/ami-traces). ChanSpyStart and ChanSpyStop do
 * not say the mode: the server remembers what it asked for, in Redis (any node may take the
 * request, the lease holder sees the events), keyed by the supervisor's extension. Switching mode
 * hangs up the spy channel and originates again with the new options, as the capture did.
 * Emits "session" (SpySession) when ChanSpy starts and "ended" (SpySession) when the spy call ends.
 */
export class SpyService {
  /** Live sessions by agent, on every node (from the feed's ChanSpyStart and the spy call's end). */
  private readonly byAgent = new Map<string, SpySession>();
  private readonly bySpyCall = new Map<string, SpySession>();
  private readonly listeners: ((e: "session" | "ended", s: SpySession) => void)[] = [];

  constructor(
    private readonly pbxes: PbxSet,
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly log: Logger,
  ) {
    for (const t of pbxes.all) {
      t.pbxEvents.on("event", (e: PbxEvent) => {
        if (e.type === "spy.start") void this.started(t, e).catch((err: Error) => log.warn({ err: err.message }, "spy session lookup failed"));
      });
      t.tracker.on("call", (e: CallEvent) => {
        if (e.type !== "call.ended") return;
        const s = this.bySpyCall.get(e.call.linkedid);
        if (!s) return;
        this.bySpyCall.delete(e.call.linkedid);
        if (this.byAgent.get(s.agent) === s) this.byAgent.delete(s.agent);
        for (const l of this.listeners) l("ended", s);
      });
    }
  }

  onChange(l: (e: "session" | "ended", s: SpySession) => void): void {
    this.listeners.push(l);
  }

  of(agent: string): SpySession | null {
    return this.byAgent.get(agent) ?? null;
  }

  all(): SpySession[] {
    return [...this.byAgent.values()];
  }

  private key(ext: string): string {
    return `${this.redisPrefix}:spy:${ext}`;
  }

  /**
   * Rings the supervisor's phone to spy on the agent's live call in `mode`; a session the same
   * supervisor already has on that agent is switched (hung up, then originated again).
   */
  async start(o: { agent: string; mode: SpyMode; supervisor: SpySession["supervisor"] }): Promise<{ callId: string; switched: boolean }> {
    if (o.supervisor.extension === o.agent) throw new AppError("VALIDATION", "a supervisor cannot listen to their own phone", "agent");
    const found = this.pbxes.all.map((t) => ({ t, call: this.liveCallOf(t, o.agent) })).find((x) => x.call);
    if (!found?.call) throw new AppError("CONFLICT", `agent ${o.agent} is not on a call`);
    const current = [...this.byAgent.values()].find((s) => s.supervisor.extension === o.supervisor.extension);
    const requested: Requested = { agent: o.agent, mode: o.mode, supervisor: o.supervisor, callId: found.call, at: Date.now() };
    await this.redis.set(this.key(o.supervisor.extension), JSON.stringify(requested), "EX", 4 * 3600);
    if (current) await this.hangUp(current);
    await found.t.commands.spy({ supervisorExtension: o.supervisor.extension, agentExtension: o.agent, mode: o.mode });
    return { callId: found.call, switched: current !== undefined };
  }

  /** Ends the supervisor's session (their phone hangs up). */
  async stop(supervisorExtension: string): Promise<SpySession | null> {
    const current = [...this.byAgent.values()].find((s) => s.supervisor.extension === supervisorExtension);
    await this.redis.del(this.key(supervisorExtension));
    if (!current) return null;
    await this.hangUp(current);
    return current;
  }

  private async hangUp(s: SpySession): Promise<void> {
    if (!s.spyCallId) return;
    for (const t of this.pbxes.all) {
      const call = t.tracker.calls.get(s.spyCallId);
      const leg = call && [...call.legs.values()].find((l) => !l.ended);
      if (leg) await t.commands.hangup(leg.channel).catch(() => {});
    }
  }

  /** The call the agent talks on now (not one that only rings). */
  private liveCallOf(t: Telephony, agent: string): string | null {
    for (const c of t.tracker.calls.values()) if (talkingAgent(c) === agent) return c.linkedid;
    return null;
  }

  private async started(t: Telephony, e: Extract<PbxEvent, { type: "spy.start" }>): Promise<void> {
    const supExt = agentOf(e.spyerChannel);
    const agent = agentOf(e.spyeeChannel);
    if (!supExt || !agent) return;
    const raw = await this.redis.get(this.key(supExt));
    const r = raw ? (JSON.parse(raw) as Requested) : null;
    // Not ours (a supervisor dialling ChanSpy from their phone's own feature code): listen, by default.
    const session: SpySession = {
      agent,
      mode: r && r.agent === agent ? r.mode : "listen",
      supervisor: r && r.agent === agent ? r.supervisor : { id: 0, name: supExt, extension: supExt },
      spyCallId: e.spyerLinkedid,
      callId: e.spyeeLinkedid,
      startedAt: new Date(),
    };
    // The spy call may already be over (a short session, a slow Redis).
    if (!t.tracker.calls.get(e.spyerLinkedid) || t.tracker.calls.get(e.spyerLinkedid)?.endedAt) return;
    this.byAgent.set(agent, session);
    this.bySpyCall.set(e.spyerLinkedid, session);
    this.log.info({ agent, mode: session.mode, supervisor: supExt, callId: session.callId }, "supervisor spy session started");
    for (const l of this.listeners) l("session", session);
  }
}
