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

export function toast(t: Omit<Toast, "id">, timeoutMs = t.kind === "reminder" ? 15000 : 5000): number {
  const id = ++seq;
  toasts.items.push({ ...t, id });
  if (timeoutMs > 0) setTimeout(() => dismiss(id), timeoutMs);
  return id;
}

export function dismiss(id: number): void {
  const i = toasts.items.findIndex((t) => t.id === id);
  if (i >= 0) toasts.items.splice(i, 1);
}
