// The staff list (GET /api/users), cached for owner and assignee pickers.
import { api } from "./api";
import type { User } from "./types";

let cache: Promise<User[]> | null = null;

export function loadUsers(force = false): Promise<User[]> {
  if (!cache || force) {
    cache = api.get<{ items: User[] }>("/api/users").then((r) => r.items);
    cache.catch(() => (cache = null));
  }
  return cache;
}

export function forgetUsers(): void {
  cache = null;
}
