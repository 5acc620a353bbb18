// What the recordings search and the player share: labels, durations, and finding turns.
import type { Recording, RecordingStatus, Spans } from "../lib/types";

export const OUTCOMES = ["answered", "abandoned", "missed", "busy", "failed", "reached", "not-reached"] as const;

export const OUTCOME_LABEL: Record<string, { label: string; tone: "success" | "danger" | "warning" | "muted" }> = {
  answered: { label: "Answered", tone: "success" },
  reached: { label: "Reached", tone: "success" },
  abandoned: { label: "Abandoned", tone: "danger" },
  missed: { label: "Missed", tone: "danger" },
  "not-reached": { label: "Not reached", tone: "warning" },
  busy: { label: "Busy", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
};

export const STATUS_LABEL: Record<RecordingStatus, { label: string; tone: "success" | "danger" | "warning" | "muted" }> = {
  ready: { label: "Ready", tone: "success" },
  pending: { label: "Processing", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
  empty: { label: "No audio", tone: "muted" },
  deleted: { label: "Deleted", tone: "muted" },
};

/** 0:42, 12:05, 1:02:03; "—" when unknown. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/** A position with tenths, for the player's clock (seeking is finer than a second). */
export function position(seconds: number): string {
  const whole = Math.floor(Math.max(0, seconds));
  return `${duration(whole)}.${Math.floor((Math.max(0, seconds) - whole) * 10)}`;
}

/**
 * The start of the first turn strictly after `t` (a small margin, so pressing "next" while a turn
 * has just begun moves on instead of landing on the same turn). null when there is none.
 */
export function nextTurn(turns: Spans, t: number): number | null {
  for (const [start] of turns) if (start > t + 0.25) return start;
  return null;
}

/** The agent as a person reads it: "Ann Lee (1001)", or the bare extension. */
export function agentLabel(r: Pick<Recording, "agent">): string {
  const { name, extension } = r.agent;
  if (name && extension) return `${name} (${extension})`;
  return name ?? (extension ? `Ext. ${extension}` : "—");
}
