import type { Database } from "../platform/db/database.js";
import type { ScriptGraph } from "./script-graph.js";

/** The card's `script` (interfaces.md: call:offer). */
export interface CardScript {
  scriptId: number;
  version: number;
  name: string;
  graph: ScriptGraph;
}

export interface ScriptRule {
  id: number;
  scriptId: number;
  queue: string | null;
  did: string | null;
  direction: "inbound" | "outbound" | null;
  stage: string | null;
  tag: string | null;
}

/** What a call offers to the rules: the card's own fields. */
export interface CallFacts {
  queue: string | null;
  direction: "inbound" | "outbound";
  dialed: { number: string; label: string | null };
  client: { stage: string; tags: string[] } | null;
}

const criteria = ["queue", "did", "direction", "stage", "tag"] as const;

export function specificity(r: ScriptRule): number {
  return criteria.filter((c) => r[c] !== null).length;
}

export function ruleMatches(r: ScriptRule, f: CallFacts): boolean {
  if (r.queue !== null && r.queue !== f.queue) return false;
  if (r.did !== null && r.did !== f.dialed.number && r.did !== f.dialed.label) return false;
  if (r.direction !== null && r.direction !== f.direction) return false;
  if (r.stage !== null && r.stage !== f.client?.stage) return false;
  if (r.tag !== null && !(f.client?.tags ?? []).includes(r.tag)) return false;
  return true;
}

/**
 * The rules and every script's newest published version, in memory: the ring path picks a call's
 * script without a query. Reloaded on every change here, and on "scripts-changed" from other nodes.
 */
export class ScriptCatalog {
  private rules: ScriptRule[] = [];
  private readonly published = new Map<number, CardScript>();

  constructor(private readonly db: Database) {}

  async load(): Promise<void> {
    const [rules, versions] = await Promise.all([
      this.db.query<{ id: number; script_id: number; queue: string | null; did: string | null; direction: "inbound" | "outbound" | null; stage: string | null; tag: string | null }>(
        `SELECT id, script_id, queue, did, direction, stage, tag FROM script_rules`,
      ),
      this.db.query<{ script_id: number; version: number; name: string; graph: ScriptGraph }>(
        `SELECT v.script_id, v.version, v.name, v.graph FROM script_versions v JOIN scripts s ON s.id = v.script_id AND s.published_version = v.version`,
      ),
    ]);
    // Most criteria first; among equals, the older rule.
    this.rules = rules
      .map((r) => ({ id: r.id, scriptId: r.script_id, queue: r.queue, did: r.did, direction: r.direction, stage: r.stage, tag: r.tag }))
      .sort((a, b) => specificity(b) - specificity(a) || a.id - b.id);
    this.published.clear();
    for (const v of versions) this.published.set(v.script_id, { scriptId: v.script_id, version: v.version, name: v.name, graph: v.graph });
  }

  /** The script for a call: the most specific matching rule whose script is published, or null. */
  choose(f: CallFacts): CardScript | null {
    for (const r of this.rules) {
      const s = this.published.get(r.scriptId);
      if (s && ruleMatches(r, f)) return s;
    }
    return null;
  }

  list(): ScriptRule[] {
    return this.rules;
  }
}
