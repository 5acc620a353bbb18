import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import pino from "pino";
import { AgentStates } from "../../server/calls/agent-states.js";
import { CallTracker } from "../../server/calls/call-tracker.js";
import { AgentStatusService } from "../../server/agents/agent-status.service.js";
import type { AgentPresenceStore, Presence } from "../../server/agents/agent-presence.store.js";
import type { PbxCommands } from "../../server/pbx/pbx-commands.js";

type PauseCall = { extension: string; paused: boolean; reason?: string };

/** The service against AgentStates fed by hand, a PBX that records QueuePause, and an in-memory presence table. */
function setup(chosen: Presence[] = []) {
  const states = new AgentStates();
  const sent: PauseCall[] = [];
  const commands = { pauseMember: vi.fn(async (o: PauseCall) => void sent.push(o)) } as unknown as PbxCommands;
  const kept = new Map(chosen.map((p) => [p.extension, p]));
  const presence = {
    save: vi.fn(async (p: Presence) => void kept.set(p.extension, p)),
    endWrapup: vi.fn(async (ext: string) => {
      if (kept.get(ext)?.status === "wrap-up") kept.set(ext, { extension: ext, status: "available", reason: null, until: null });
    }),
    all: vi.fn(async () => [...kept.values()]),
  } as unknown as AgentPresenceStore;
  const service = new AgentStatusService({ commands, states, tracker: new CallTracker(), presence, wrapupSeconds: 30, pauseCodes: ["lunch", "break"], log: pino({ level: "silent" }) });
  const member = (ext: string, paused = false, reason = "") => ({ queue: "support", iface: `PJSIP/${ext}`, status: 1, paused, reason });
  return { states, service, sent, kept, member };
}

describe("agent status service", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date("2026-12-03T10:00:00Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("answers at once when the PBX already holds what the agent asks for (no wait for an event that never comes)", async () => {
    const { states, service, sent, member } = setup();
    states.resetFromSnapshot([member("1001"), member("1002", true, "lunch")]);
    // Fake timers: were the answer to wait for a timeout, these promises would never settle.
    await expect(service.set("1001", "available")).resolves.toMatchObject({ agent: "1001", state: "available" });
    await expect(service.set("1002", "paused", "lunch")).resolves.toMatchObject({ state: "paused", reason: "lunch" });
    expect(sent).toEqual([
      { extension: "1001", paused: false },
      { extension: "1002", paused: true, reason: "lunch" },
    ]);
    service.stop();
  });

  it("answers with the PBX's word once it reports the new pause", async () => {
    const { states, service, kept, member } = setup();
    states.resetFromSnapshot([member("1001")]);
    const answer = service.set("1001", "paused", "break");
    await vi.advanceTimersByTimeAsync(0);
    states.handle({ type: "member.pause", queue: "support", iface: "PJSIP/1001", memberName: "A", paused: true, reason: "break" });
    await expect(answer).resolves.toMatchObject({ state: "paused", reason: "break" });
    expect(kept.get("1001")).toMatchObject({ status: "paused", reason: "break" });
    service.stop();
  });

  it("after a reconnect puts back the pauses, logouts and wrap-ups the PBX lost, and lifts only our own stale pauses", async () => {
    const now = Date.now();
    const { states, service, sent, member } = setup([
      { extension: "1001", status: "paused", reason: "lunch", until: null },
      { extension: "1002", status: "logged-out", reason: null, until: null },
      { extension: "1003", status: "wrap-up", reason: "after-call-work", until: new Date(now + 10_000) },
      { extension: "1004", status: "available", reason: null, until: null },
      { extension: "1005", status: "available", reason: null, until: null },
      { extension: "1006", status: "wrap-up", reason: "after-call-work", until: new Date(now - 1000) },
      { extension: "1007", status: "paused", reason: "lunch", until: null },
      { extension: "1999", status: "paused", reason: "lunch", until: null },
    ]);
    // What a restarted Asterisk says: static members unpaused; 1004 paused at the phone; 1005 and
    // 1006 still in an after-call-work pause nobody wants; 1007 already paused as chosen.
    states.resetFromSnapshot(
      [member("1001"), member("1002"), member("1003"), member("1004", true, "meeting"), member("1005", true, "after-call-work"), member("1006", true, "after-call-work"), member("1007", true, "lunch")],
      now,
      true,
    );
    await vi.advanceTimersByTimeAsync(0);
    await service.reapplying;
    expect(sent).toEqual([
      { extension: "1001", paused: true, reason: "lunch" },
      { extension: "1002", paused: true, reason: "logged-out" },
      { extension: "1003", paused: true, reason: "after-call-work" },
      { extension: "1005", paused: false },
      { extension: "1006", paused: false },
    ]);
    // The wrap-up put back ends when its own time is up, not a full wrap-up later.
    sent.length = 0;
    states.handle({ type: "member.pause", queue: "support", iface: "PJSIP/1003", memberName: "C", paused: true, reason: "after-call-work" });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toEqual([{ extension: "1003", paused: false }]);
    service.stop();
  });

  it("a periodic re-read (not a reconnect) changes nothing", async () => {
    const { states, service, sent, member } = setup([{ extension: "1001", status: "paused", reason: "lunch", until: null }]);
    states.resetFromSnapshot([member("1001")], Date.now(), false);
    await vi.advanceTimersByTimeAsync(0);
    await service.reapplying;
    expect(sent).toEqual([]);
    service.stop();
  });
});
