// The live wallboard in the console: GET /api/wallboard once, then `wallboard:update` pushes
// (whole queues and agents that changed, with a version). A push that skips a version, or comes
// from another node than the board, means something was missed: the board is read again.
import { api } from "../lib/api";
import { onPush, onRealtimeConnect } from "../lib/realtime";
import type { SpyNotice, SupervisorAlert, Wallboard, WallboardUpdate } from "./types";

export const wallboard = $state<{ board: Wallboard | null; error: string | null; alerts: SupervisorAlert[]; updates: number; mySpy: SpyNotice | null }>({
  board: null,
  error: null,
  alerts: [],
  updates: 0,
  mySpy: null,
});

let loading: Promise<void> | null = null;

export function loadWallboard(): Promise<void> {
  loading ??= api
    .get<Wallboard>("/api/wallboard")
    .then((b) => {
      wallboard.board = b;
      wallboard.error = null;
    })
    .catch((err: Error) => {
      wallboard.error = err.message;
    })
    .finally(() => (loading = null));
  return loading;
}

function apply(u: WallboardUpdate): void {
  const b = wallboard.board;
  if (!b) return;
  wallboard.updates++;
  if (u.source === b.source && u.version <= b.version) return;
  const gap = u.source !== b.source || u.version !== b.version + 1;
  const queues = new Map(b.queues.map((q) => [q.name, q]));
  for (const q of u.queues) queues.set(q.name, q);
  const agents = new Map(b.agents.map((a) => [a.agent, a]));
  for (const a of u.agents) agents.set(a.agent, a);
  for (const gone of u.removedAgents) agents.delete(gone);
  wallboard.board = {
    at: u.at,
    version: u.version,
    source: u.source,
    queues: [...queues.values()].sort((x, y) => x.name.localeCompare(y.name)),
    agents: [...agents.values()].sort((x, y) => x.agent.localeCompare(y.agent)),
  };
  if (gap) void loadWallboard();
}

/** Starts following the board (the wallboard page); returns the function that stops. */
export function followWallboard(): () => void {
  void loadWallboard();
  const offs = [
    onPush<WallboardUpdate>("wallboard:update", apply),
    onPush<SupervisorAlert>("supervisor:alert", (a) => {
      wallboard.alerts = [a, ...wallboard.alerts.filter((x) => !(x.queue === a.queue && x.kind === a.kind))].slice(0, 20);
    }),
    onPush<SpyNotice>("supervisor:spy", (n) => {
      wallboard.mySpy = n.active ? n : null;
    }),
    onRealtimeConnect(() => void loadWallboard()),
  ];
  return () => offs.forEach((off) => off());
}

export function dismissAlert(a: SupervisorAlert): void {
  wallboard.alerts = wallboard.alerts.filter((x) => x !== a);
}

export const STATE_LABEL: Record<string, string> = {
  available: "Available",
  ringing: "Ringing",
  "on-call": "On call",
  paused: "Paused",
  "wrap-up": "Wrap-up",
  unavailable: "Offline",
  "logged-out": "Logged out",
  unknown: "Unknown",
};

export const BREACH_LABEL: Record<string, string> = {
  "longest-wait": "Longest wait over limit",
  "service-level": "Service level under limit",
  waiting: "Too many callers waiting",
};
