// The queues agents are members of (GET /api/agents/states), for queue pickers.
import { api } from "./api";

let cache: Promise<string[]> | null = null;

export function loadQueues(force = false): Promise<string[]> {
  if (!cache || force) {
    cache = api
      .get<{ items: { agent: string; queues: string[] }[] }>("/api/agents/states")
      .then((r) => [...new Set(r.items.flatMap((a) => a.queues ?? []))].sort());
    cache.catch(() => (cache = null));
  }
  return cache;
}
