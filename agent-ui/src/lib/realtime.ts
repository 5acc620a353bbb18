// Socket.IO link to the server: task reminders become toasts, client changes refresh open views,
// and the agent's phone (screen pops, call control, status) drives the workspace.
import { io, type Socket } from "socket.io-client";
import { api } from "./api";
import { connection } from "./connection.svelte";
import { toast } from "./toasts.svelte";
import { formatDue } from "./format";
import {
  onAgentState,
  onAnswered,
  onEnded,
  onHeld,
  onOffer,
  onPbxStatus,
  onTransferred,
  onWithdrawn,
  refreshWorkspace,
} from "./workspace.svelte";
import { onCallbackChangedForDock, onCallbackGone, onCallbackOffer, onCallOfferForDock } from "./callbacks.svelte";
import type { AgentStatus, Callback, CallbackOffer, CallOffer, ImportJob, PbxStatus, Task, WithdrawReason } from "./types";

interface ServerToClient {
  "task:reminder": (payload: { task: Task }) => void;
  "client:changed": (payload: { clientId: number }) => void;
  "call:offer": (payload: CallOffer) => void;
  "call:withdrawn": (payload: { callId: string; reason: WithdrawReason }) => void;
  "call:answered": (payload: { callId: string; answeredAt: string }) => void;
  "call:held": (payload: { callId: string }) => void;
  "call:resumed": (payload: { callId: string }) => void;
  "call:transferred": (payload: { callId: string; to: string }) => void;
  "call:ended": (payload: { callId: string; outcome: string; reason: string | null; talkSeconds: number | null; wrapup: boolean }) => void;
  "agent:state": (payload: AgentStatus) => void;
  "pbx:status": (payload: PbxStatus) => void;
  "import:progress": (payload: ImportJob) => void;
  "callback:offer": (payload: CallbackOffer) => void;
  "callback:gone": (payload: { id: number; result: string }) => void;
  "callback:changed": (payload: Callback) => void;
}

let socket: Socket<ServerToClient> | null = null;
const clientListeners = new Set<(clientId: number) => void>();
const importListeners = new Set<(job: ImportJob) => void>();
const reconnectListeners = new Set<() => void>();
const callbackListeners = new Set<(cb: Callback) => void>();

/** Subscribe to `callback:changed` (every callback created or changed); returns the unsubscribe function. */
export function onCallbackChanged(fn: (cb: Callback) => void): () => void {
  callbackListeners.add(fn);
  return () => callbackListeners.delete(fn);
}

/** Subscribe to `client:changed`; returns the unsubscribe function. */
export function onClientChanged(fn: (clientId: number) => void): () => void {
  clientListeners.add(fn);
  return () => clientListeners.delete(fn);
}

/** Subscribe to `import:progress` (the user's own CSV imports); returns the unsubscribe function. */
export function onImportProgress(fn: (job: ImportJob) => void): () => void {
  importListeners.add(fn);
  return () => importListeners.delete(fn);
}

const pushListeners = new Map<string, Set<(payload: never) => void>>();

/**
 * Subscribe to any server push by name (the supervisor console's `wallboard:update`,
 * `supervisor:alert`, `supervisor:spy`); returns the unsubscribe function.
 */
export function onPush<T>(event: string, fn: (payload: T) => void): () => void {
  let set = pushListeners.get(event);
  if (!set) pushListeners.set(event, (set = new Set()));
  set.add(fn as (payload: never) => void);
  return () => set.delete(fn as (payload: never) => void);
}

/** Called after every (re)connect, for views that must catch up on what they missed. */
export function onRealtimeConnect(fn: () => void): () => void {
  reconnectListeners.add(fn);
  return () => reconnectListeners.delete(fn);
}

/** A tab coming back to the front, or the network coming back, reconnects without waiting for the backoff timer. */
function reconnectNow(): void {
  if (socket && !socket.connected && document.visibilityState === "visible") socket.connect();
}

export function connectRealtime(token: string): void {
  disconnectRealtime();
  // WebSocket only: long-polling falls behind in background tabs, and a pop must not wait.
  const s: Socket<ServerToClient> = io({ path: "/socket.io", auth: { token }, transports: ["websocket"] });
  socket = s;
  s.on("connect", () => {
    connection.live = true;
    // Whatever happened while we were away (a call answered, ended, a status change) comes back at once.
    void refreshWorkspace();
    for (const fn of reconnectListeners) fn();
  });
  s.on("disconnect", (reason) => {
    connection.live = false;
    // The server ends a session's sockets when the session ends (the 401 then signs the console
    // out) and all of a user's sockets when their role changes (the session still works: reconnect).
    if (reason === "io server disconnect")
      void api.get("/api/auth/me").then(
        () => socket === s && s.connect(),
        () => {},
      );
  });
  s.on("connect_error", () => (connection.live = false));
  s.onAny((event: string, payload: unknown) => {
    for (const fn of pushListeners.get(event) ?? []) (fn as (p: unknown) => void)(payload);
  });
  s.on("task:reminder", ({ task }) => {
    const parts = [task.client?.name, task.dueAt ? formatDue(task.dueAt) : null].filter(Boolean);
    toast({
      kind: "reminder",
      title: `Reminder: ${task.title}`,
      message: parts.join(" · ") || undefined,
      href: task.client ? `#/clients/${task.client.id}` : "#/tasks",
      linkText: task.client ? "Open client" : "Open my tasks",
    });
  });
  s.on("client:changed", ({ clientId }) => {
    for (const fn of clientListeners) fn(Number(clientId));
  });
  s.on("call:offer", (o) => {
    onOffer(o);
    onCallOfferForDock(o);
  });
  s.on("callback:offer", onCallbackOffer);
  s.on("callback:gone", onCallbackGone);
  s.on("callback:changed", (cb) => {
    onCallbackChangedForDock(cb);
    for (const fn of callbackListeners) fn(cb);
  });
  s.on("call:withdrawn", onWithdrawn);
  s.on("call:answered", onAnswered);
  s.on("call:held", (p) => onHeld(p, true));
  s.on("call:resumed", (p) => onHeld(p, false));
  s.on("call:transferred", onTransferred);
  s.on("call:ended", onEnded);
  s.on("agent:state", onAgentState);
  s.on("pbx:status", onPbxStatus);
  s.on("import:progress", (job) => {
    for (const fn of importListeners) fn(job);
  });
  document.addEventListener("visibilitychange", reconnectNow);
  window.addEventListener("online", reconnectNow);
}

export function disconnectRealtime(): void {
  document.removeEventListener("visibilitychange", reconnectNow);
  window.removeEventListener("online", reconnectNow);
  if (!socket) return;
  socket.removeAllListeners();
  socket.disconnect();
  socket = null;
  connection.live = false;
}

