// Socket.IO link to the server: task reminders become toasts, client changes refresh open views.
import { io, type Socket } from "socket.io-client";
import { connection } from "./connection.svelte";
import { toast } from "./toasts.svelte";
import { formatDue } from "./format";
import type { Task } from "./types";

interface ServerToClient {
  "task:reminder": (payload: { task: Task }) => void;
  "client:changed": (payload: { clientId: number }) => void;
}

let socket: Socket<ServerToClient> | null = null;
const clientListeners = new Set<(clientId: number) => void>();

/** Subscribe to `client:changed`; returns the unsubscribe function. */
export function onClientChanged(fn: (clientId: number) => void): () => void {
  clientListeners.add(fn);
  return () => clientListeners.delete(fn);
}

export function connectRealtime(token: string): void {
  disconnectRealtime();
  const s: Socket<ServerToClient> = io({ path: "/socket.io", auth: { token }, transports: ["websocket", "polling"] });
  socket = s;
  s.on("connect", () => (connection.live = true));
  s.on("disconnect", () => (connection.live = false));
  s.on("connect_error", () => (connection.live = false));
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
}

export function disconnectRealtime(): void {
  if (!socket) return;
  socket.removeAllListeners();
  socket.disconnect();
  socket = null;
  connection.live = false;
}
