// Transient notifications in the corner of the screen.

export type ToastKind = "info" | "success" | "error" | "reminder";

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message?: string;
  href?: string;
  linkText?: string;
}

export const toasts = $state<{ items: Toast[] }>({ items: [] });

let seq = 0;
const MAX_VISIBLE = 3;

export function toast(t: Omit<Toast, "id">, timeoutMs = t.kind === "reminder" ? 15000 : 5000): number {
  const id = ++seq;
  toasts.items.push({ ...t, id });
  // Keep the corner readable: the oldest plain notices give way first, reminders last.
  while (toasts.items.length > MAX_VISIBLE) {
    const i = toasts.items.findIndex((x) => x.kind !== "reminder");
    toasts.items.splice(i >= 0 ? i : 0, 1);
  }
  if (timeoutMs > 0) setTimeout(() => dismiss(id), timeoutMs);
  return id;
}

export function dismiss(id: number): void {
  const i = toasts.items.findIndex((t) => t.id === id);
  if (i >= 0) toasts.items.splice(i, 1);
}

export function clearToasts(): void {
  toasts.items.splice(0);
}
