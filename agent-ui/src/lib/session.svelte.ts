// The signed-in user, shared by every view. The token itself lives in sessionStorage (api.ts).
import { api, getToken, setToken, setUnauthorizedHandler } from "./api";
import type { LoginAnswer, Role, User } from "./types";

export const session = $state<{ user: User | null; checking: boolean; expiredNotice: boolean }>({
  user: null,
  checking: true,
  expiredNotice: false,
});

const listeners = new Set<(user: User | null) => void>();

/** Called with the user after login / restore, and with null after logout. */
export function onSessionChange(fn: (user: User | null) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setUser(user: User | null): void {
  session.user = user;
  for (const fn of listeners) fn(user);
}

setUnauthorizedHandler(() => {
  if (!session.user) return;
  setToken(null);
  session.expiredNotice = true;
  setUser(null);
});

/** On page load: resume the session kept in sessionStorage, if it still works. */
export async function restoreSession(): Promise<void> {
  session.checking = true;
  try {
    if (!getToken()) return;
    const { user } = await api.get<{ user: User }>("/api/auth/me");
    setUser(user);
  } catch {
    setToken(null);
  } finally {
    session.checking = false;
  }
}

export async function login(username: string, password: string): Promise<void> {
  const answer = await api.post<LoginAnswer>("/api/auth/login", { username, password }, { anonymous: true });
  setToken(answer.token);
  session.expiredNotice = false;
  setUser(answer.user);
}

export async function logout(): Promise<void> {
  try {
    await api.post("/api/auth/logout");
  } catch {
    // The token is dropped either way.
  }
  setToken(null);
  setUser(null);
}

export function hasRole(...roles: Role[]): boolean {
  return !!session.user && roles.includes(session.user.role);
}

export const canDeleteClients = (): boolean => hasRole("supervisor", "manager", "admin");
