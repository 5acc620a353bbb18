import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Redis } from "ioredis";
import type { Prisma } from "../generated/prisma/client.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { createQueue, type Queue } from "../platform/queue.js";
import type { Realtime } from "../platform/realtime/realtime.js";
import { AppError, notFound } from "../platform/errors.js";
import type { AuditService } from "../audit/audit.service.js";
import type { Actor } from "../auth/users.service.js";
import type { ImportDto, ImportReportDto, ImportStatus } from "./clients.schemas.js";
import type { ClientsService } from "./clients.service.js";
import type { PhoneIndex } from "./phone-index.js";
import { ClientRowImporter } from "./csv-import.js";
import { CsvStructureError, readCsvRows } from "./csv-reader.js";
import { importsDir, type StoredUpload } from "./csv-upload.js";
import { breather } from "../platform/breather.js";

export interface CsvImportDeps {
  db: Database;
  redis: Redis;
  redisPrefix: string;
  dataDir: string;
  realtime: Realtime;
  clients: ClientsService;
  phoneIndex: PhoneIndex;
  audit: AuditService;
  defaultCountry: string;
  log: Logger;
}

/** The most row errors one import lists. */
const maxReportedErrors = 1000;
/** Progress is saved and pushed after this many rows (and at the end). */
const progressEvery = 200;
/** The import gives the event loop back at least this often (ms), so requests and pops go on. */
const sliceMs = 10;

type Row = Prisma.CsvImportGetPayload<object>;

/**
 * CSV imports as background jobs. The upload is stored under $DATA_DIR/imports and a row in
 * `csv_imports` holds the job's state; a bull job on this node's queue does the work: it reads the
 * file once to count rows and check its structure, then imports it row by row, giving the event
 * loop back every few milliseconds, saving progress every `progressEvery` rows and pushing it to
 * the importing user (`import:progress`). The queue is per node (host and data directory), since
 * the file is on this node's disk. At start, imports left queued or running are queued again; a
 * resumed import skips the rows it had saved as done (the import is idempotent by phone, so a row
 * done twice after a crash changes nothing).
 */
export class CsvImports {
  private readonly queue: Queue<{ importId: number }>;
  private readonly node: string;
  private readonly dir: string;
  private stopping = false;

  constructor(private readonly d: CsvImportDeps) {
    this.dir = importsDir(d.dataDir);
    this.node = `${os.hostname()}:${crypto.createHash("sha256").update(path.resolve(d.dataDir)).digest("hex").slice(0, 12)}`;
    const queueKey = crypto.createHash("sha256").update(this.node).digest("hex").slice(0, 16);
    this.queue = createQueue(`csv-import-${queueKey}`, d.redis, d.redisPrefix);
    this.queue.on("error", (err) => d.log.warn({ err: err.message }, "csv import queue error"));
  }

  get uploadDir(): string {
    return this.dir;
  }

  /** Starts the worker and queues again what a previous run of this node left unfinished. */
  async start(): Promise<void> {
    void this.queue.process(1, async (job) => this.run(job.data.importId));
    const unfinished = await this.d.db.prisma.csvImport.findMany({ where: { node: this.node, status: { in: ["queued", "running"] } }, select: { id: true } });
    for (const { id } of unfinished) await this.enqueue(id);
    if (unfinished.length) this.d.log.info({ imports: unfinished.map((u) => u.id) }, "csv imports resumed");
    await this.sweepOrphans();
  }

  /** Uploads no import refers to (a crash between storing and recording): removed after a day. */
  private async sweepOrphans(): Promise<void> {
    const files = await fs.promises.readdir(this.dir).catch(() => [] as string[]);
    if (files.length === 0) return;
    const wanted = new Set(
      (await this.d.db.prisma.csvImport.findMany({ where: { node: this.node, status: { in: ["queued", "running"] } }, select: { file: true } })).map((r) => r.file),
    );
    const dayAgo = Date.now() - 24 * 3600_000;
    for (const f of files) {
      if (wanted.has(f)) continue;
      const full = path.join(this.dir, f);
      const stat = await fs.promises.stat(full).catch(() => null);
      if (stat?.isFile() && stat.mtimeMs < dayAgo) await fs.promises.rm(full, { force: true });
    }
  }

  /** Records an uploaded file as a queued import and queues it. */
  async create(upload: StoredUpload, opts: { dryRun: boolean; actor: Actor }): Promise<ImportDto> {
    const row = await this.d.db.prisma.csvImport.create({
      data: { userId: opts.actor.id, node: this.node, file: upload.file, bytes: upload.bytes, dryRun: opts.dryRun },
    });
    await this.enqueue(row.id);
    return toDto(row);
  }

  async get(id: number): Promise<ImportReportDto> {
    const row = await this.d.db.prisma.csvImport.findUnique({ where: { id } });
    if (!row) throw notFound(`import ${id}`);
    return { ...toDto(row), errors: row.errors as ImportReportDto["errors"] };
  }

  /** Stops between two rows; what is left is resumed at the next start. */
  async close(): Promise<void> {
    this.stopping = true;
    await this.queue.close().catch(() => {});
  }

  private async enqueue(id: number): Promise<void> {
    await this.queue.add({ importId: id }, { jobId: `import-${id}`, removeOnComplete: true, removeOnFail: 100 });
  }

  private async run(id: number): Promise<void> {
    const row = await this.d.db.prisma.csvImport.findUnique({ where: { id } });
    if (!row || row.status === "done" || row.status === "failed" || this.stopping) return;
    const file = path.join(this.dir, row.file);
    if (!fs.existsSync(file)) {
      await this.finish(row, "failed", { code: "FILE_GONE", message: "the uploaded file is no longer on the server; send it again" });
      return;
    }
    const actor = await this.actorOf(row.userId);
    if (!actor) {
      await this.finish(row, "failed", { code: "NOT_FOUND", message: "the user who started the import no longer exists" });
      return;
    }
    let current = await this.save(row.id, { status: "running", startedAt: row.startedAt ?? new Date() });
    this.push(current);
    try {
      if (current.totalRows === null) {
        const total = await this.countRows(file);
        if (total === null) return;
        current = await this.save(row.id, { totalRows: total });
        this.push(current);
      }
      const done = await this.importRows(current, file, actor);
      if (done) await this.finish(done, "done", null);
    } catch (err) {
      if (err instanceof CsvStructureError || (err instanceof AppError && err.code === "VALIDATION"))
        await this.finish(current, "failed", { code: "VALIDATION", message: err.message, ...(err instanceof CsvStructureError ? { line: err.line } : {}) });
      else {
        this.d.log.error({ err, importId: id }, "csv import failed");
        await this.finish(current, "failed", { code: "INTERNAL", message: "the import stopped on a server error; the rows counted as done are in" });
      }
    }
  }

  /** Reads the file through once: its row count, or a CsvStructureError before anything is written. Null when stopping. */
  private async countRows(file: string): Promise<number | null> {
    let n = 0;
    const breathe = breather(sliceMs);
    for await (const row of readCsvRows(file)) {
      void row;
      n++;
      if (await breathe()) if (this.stopping) return null;
    }
    return n;
  }

  /** The import proper, from the first row not yet done. The final row, or null when stopping. */
  private async importRows(start: Row, file: string, actor: Actor): Promise<Row | null> {
    const importer = new ClientRowImporter(
      { dryRun: start.dryRun, actor, defaultCountry: this.d.defaultCountry },
      { clients: this.d.clients, phoneIndex: this.d.phoneIndex },
    );
    const counts = { rowsDone: start.rowsDone, created: start.created, updated: start.updated, unchanged: start.unchanged, failed: start.failed };
    const errors = [...(start.errors as ImportReportDto["errors"])];
    const header = { ignoredColumns: [] as string[] };
    let seen = 0;
    let sinceSave = 0;
    let current = start;
    const breathe = breather(sliceMs);
    try {
      for await (const row of readCsvRows(file, header)) {
        if (seen === 0 && start.rowsDone === 0 && header.ignoredColumns.length)
        errors.push({ row: 1, field: "header", message: `ignored columns: ${header.ignoredColumns.join(", ")}` });
        if (++seen <= start.rowsDone) continue;
        const outcome = "unreadable" in row ? { row: row.line, field: "row", message: row.unreadable } : await importer.importRow(row.line, row.record);
        counts.rowsDone++;
        if (typeof outcome === "string") counts[outcome]++;
        else {
          counts.failed++;
          if (errors.length < maxReportedErrors) errors.push(outcome);
        }
        if (++sinceSave >= progressEvery) {
          sinceSave = 0;
          current = await this.save(start.id, { ...counts, errors });
          this.push(current);
        }
        if ((await breathe()) && this.stopping) {
          await this.save(start.id, { ...counts, errors });
          return null;
        }
      }
    } catch (err) {
      // The rows done so far are in: count them before the error ends the import.
      await this.save(start.id, { ...counts, errors }).catch(() => {});
      throw err;
    }
    return this.save(start.id, { ...counts, errors });
  }

  private async finish(row: Row, status: "done" | "failed", error: ImportDto["error"]): Promise<void> {
    const final = await this.save(row.id, { status, finishedAt: new Date(), ...(error ? { error } : {}) });
    await fs.promises.rm(path.join(this.dir, row.file), { force: true });
    const actor = await this.actorOf(final.userId);
    if (status === "done" && !final.dryRun && actor) {
      await this.d.audit.record({
        actorId: actor.id,
        actorName: actor.username,
        action: "clients.import",
        target: `import:${final.id}`,
        details: { rows: final.rowsDone, created: final.created, updated: final.updated, unchanged: final.unchanged, failed: final.failed },
      });
    }
    this.push(final);
  }

  private save(id: number, data: Prisma.CsvImportUpdateInput): Promise<Row> {
    return this.d.db.prisma.csvImport.update({ where: { id }, data });
  }

  private push(row: Row): void {
    if (row.userId !== null) this.d.realtime.toUser(row.userId, "import:progress", toDto(row));
  }

  private async actorOf(userId: number | null): Promise<Actor | null> {
    const u = userId === null ? null : await this.d.db.prisma.user.findUnique({ where: { id: userId }, select: { id: true, username: true } });
    return u ? { id: u.id, username: u.username } : null;
  }
}

function toDto(r: Row): ImportDto {
  return {
    id: r.id,
    status: r.status as ImportStatus,
    dryRun: r.dryRun,
    bytes: r.bytes,
    totalRows: r.totalRows,
    rowsDone: r.rowsDone,
    created: r.created,
    updated: r.updated,
    unchanged: r.unchanged,
    failed: r.failed,
    error: (r.error as ImportDto["error"]) ?? null,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}
