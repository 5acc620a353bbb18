// How each agent state looks in the phone bar.
import type { AgentStateName } from "../lib/types";

export const STATE_LABEL: Record<AgentStateName, string> = {
  available: "Available",
  ringing: "Ringing",
  "on-call": "On a call",
  paused: "Paused",
  "wrap-up": "Wrap-up",
  unavailable: "Phone offline",
  "logged-out": "Logged out",
  unknown: "Unknown",
};

/** "0:07", "12:04", "1:02:09". */
export function clock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export function secondsSince(iso: string | null | undefined, now: number): number {
  if (!iso) return 0;
  const t = new Date(iso).getTime();
  return Number.isNaN(t) ? 0 : Math.max(0, (now - t) / 1000);
}
