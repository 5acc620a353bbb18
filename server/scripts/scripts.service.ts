import type { Database } from "../platform/db/database.js";
import { AppError, notFound, validationError } from "../platform/errors.js";
import type { Actor } from "../auth/users.service.js";
import { checkGraph, type GraphProblem, type ScriptGraph } from "./script-graph.js";
import type { ScriptCatalog, ScriptRule } from "./script-catalog.js";

interface ScriptRow {
  id: number;
  name: string;
  draft: ScriptGraph;
  published_version: number | null;
  created_at: Date;
  updated_at: Date;
  [k: string]: unknown;
}

export interface NewRule {
  queue?: string | undefined;
  did?: string | undefined;
  direction?: "inbound" | "outbound" | undefined;
  stage?: string | undefined;
  tag?: string | undefined;
  scriptId: number;
}

/** A graph with problems cannot be published or imported: the first problem names its step. */
export function assertPublishable(graph: ScriptGraph, field = "graph"): void {
  const problems = checkGraph(graph);
  if (problems.length > 0) throw validationError(field, problems.map((p) => p.message).join("; "));
}

/**
 * Scripts, their draft and frozen versions, and the rules choosing them. Every change reloads the
 * in-memory catalog and calls `onChange` (the cluster bus tells the other nodes).
 */
export class ScriptsService {
  constructor(
    private readonly db: Database,
    private readonly catalog: ScriptCatalog,
    private readonly onChange: () => void,
  ) {}

  private async changed(): Promise<void> {
    await this.catalog.load();
    this.onChange();
  }

  private async row(id: number): Promise<ScriptRow> {
    const [r] = await this.db.query<ScriptRow>(`SELECT * FROM scripts WHERE id = $1`, [id]);
    if (!r) throw notFound(`script ${id}`);
    return r;
  }

  private async dto(r: ScriptRow) {
    const versions = await this.db.query<{ version: number; name: string; published_at: Date }>(
      `SELECT version, name, published_at FROM script_versions WHERE script_id = $1 ORDER BY version DESC`,
      [r.id],
    );
    const problems: GraphProblem[] = checkGraph(r.draft);
    return {
      id: r.id,
      name: r.name,
      draft: r.draft,
      problems,
      publishedVersion: r.published_version,
      versions: versions.map((v) => ({ version: v.version, name: v.name, publishedAt: v.published_at })),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async create(name: string, graph: ScriptGraph, actor: Actor) {
    const [r] = await this.db.query<ScriptRow>(`INSERT INTO scripts (name, draft, created_by) VALUES ($1, $2, $3) RETURNING *`, [name, JSON.stringify(graph), actor.id]);
    return this.dto(r!);
  }

  async list() {
    const rows = await this.db.query<{ id: number; name: string; published_version: number | null; updated_at: Date; runs: string }>(
      `SELECT s.id, s.name, s.published_version, s.updated_at, (SELECT count(*) FROM script_runs r WHERE r.script_id = s.id) AS runs FROM scripts s ORDER BY s.name, s.id`,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, publishedVersion: r.published_version, updatedAt: r.updated_at, runs: Number(r.runs) }));
  }

  async get(id: number) {
    return this.dto(await this.row(id));
  }

  /** One frozen version (the newest when `version` is left out). */
  async version(id: number, version?: number): Promise<{ scriptId: number; version: number; name: string; graph: ScriptGraph; publishedAt: Date }> {
    const s = await this.row(id);
    const v = version ?? s.published_version;
    if (v === null) throw notFound(`a published version of script ${id}`);
    const [r] = await this.db.query<{ name: string; graph: ScriptGraph; published_at: Date }>(`SELECT name, graph, published_at FROM script_versions WHERE script_id = $1 AND version = $2`, [id, v]);
    if (!r) throw notFound(`version ${v} of script ${id}`);
    return { scriptId: id, version: v, name: r.name, graph: r.graph, publishedAt: r.published_at };
  }

  async saveDraft(id: number, graph: ScriptGraph, name?: string) {
    const [r] = await this.db.query<ScriptRow>(`UPDATE scripts SET draft = $2, name = COALESCE($3, name), updated_at = now() WHERE id = $1 RETURNING *`, [id, JSON.stringify(graph), name ?? null]);
    if (!r) throw notFound(`script ${id}`);
    return this.dto(r);
  }

  /** Freezes the draft as the next version; new calls get it, runs already under way keep theirs. */
  async publish(id: number, actor: Actor): Promise<{ version: number }> {
    const s = await this.row(id);
    assertPublishable(s.draft, "draft");
    await this.assertJumps(s.draft, id);
    const [v] = await this.db.query<{ version: number }>(
      `WITH next AS (SELECT COALESCE(MAX(version), 0) + 1 AS version FROM script_versions WHERE script_id = $1)
       INSERT INTO script_versions (script_id, version, name, graph, published_by) SELECT $1, next.version, $2, $3, $4 FROM next RETURNING version`,
      [id, s.name, JSON.stringify(s.draft), actor.id],
    );
    await this.db.query(`UPDATE scripts SET published_version = $2, updated_at = now() WHERE id = $1`, [id, v!.version]);
    await this.changed();
    return { version: v!.version };
  }

  private async assertJumps(graph: ScriptGraph, self: number): Promise<void> {
    for (const [stepId, s] of Object.entries(graph.steps)) {
      if (s.type !== "jump" || !s.script) continue;
      if (s.script === self) throw validationError(`graph.steps.${stepId}.script`, `step "${stepId}": a script cannot jump to itself`);
      const [t] = await this.db.query<{ published_version: number | null }>(`SELECT published_version FROM scripts WHERE id = $1`, [s.script]);
      if (!t?.published_version) throw validationError(`graph.steps.${stepId}.script`, `step "${stepId}": jumps to script ${s.script}, which does not exist or is not published`);
    }
  }

  /** The draft (or a version) as a file to import elsewhere. */
  async export(id: number, version?: number) {
    if (version !== undefined) {
      const v = await this.version(id, version);
      return { format: "crm-script/1" as const, name: v.name, version: v.version, graph: v.graph };
    }
    const s = await this.row(id);
    return { format: "crm-script/1" as const, name: s.name, graph: s.draft };
  }

  /** A new script from an exported file, refused whole when its graph has any problem. */
  async import(name: string, graph: ScriptGraph, actor: Actor) {
    assertPublishable(graph);
    return this.create(name, graph, actor);
  }

  rules(): ScriptRule[] {
    return this.catalog.list();
  }

  async addRule(rule: NewRule): Promise<ScriptRule> {
    await this.row(rule.scriptId).catch(() => {
      throw validationError("scriptId", `no script ${rule.scriptId}`);
    });
    if (!rule.queue && !rule.did && !rule.direction && !rule.stage && !rule.tag) throw validationError("queue", "a rule needs at least one of queue, did, direction, stage, tag");
    const [r] = await this.db.query<{ id: number }>(`INSERT INTO script_rules (script_id, queue, did, direction, stage, tag) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, [
      rule.scriptId,
      rule.queue ?? null,
      rule.did ?? null,
      rule.direction ?? null,
      rule.stage ?? null,
      rule.tag?.toLowerCase() ?? null,
    ]);
    await this.changed();
    const made = this.catalog.list().find((x) => x.id === r!.id);
    if (!made) throw new AppError("INTERNAL", "rule not loaded");
    return made;
  }

  async removeRule(id: number): Promise<void> {
    const rows = await this.db.query<{ id: number }>(`DELETE FROM script_rules WHERE id = $1 RETURNING id`, [id]);
    if (rows.length === 0) throw notFound(`script rule ${id}`);
    await this.changed();
  }
}
