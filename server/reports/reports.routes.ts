import type { Request, Router } from "express";
import { stringify } from "csv-stringify/sync";
import type { Database } from "../platform/db/database.js";
import { parse } from "../platform/http/validate.js";
import { currentUser } from "../auth/auth.middleware.js";
import { guardedRouter } from "../auth/guarded-router.js";
import { defuseCell } from "../crm/csv-cells.js";
import { agentReportRow, agentsReportQuery, callsReportQuery, callsReportRow } from "./reports.schemas.js";
import type { ReportsService } from "./reports.service.js";
import { businessReportQuery, type BusinessReport, type BusinessTable } from "./business.schemas.js";
import type { BusinessReportsService } from "./business.service.js";

/** CSV columns: the JSON field names of a row, in the same order (docs/api.md "Reports"). */
export const reportCsvColumns = Object.keys(callsReportRow.shape);

/** CSV is asked for with `?format=csv` or `Accept: text/csv` (JSON otherwise). */
export function wantsCsv(req: Request, format: string | undefined): boolean {
  if (format) return format === "csv";
  const accept = req.headers.accept ?? "";
  return /\btext\/csv\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
}

export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? defuseCell(v) : String(v));
  return stringify(rows.map((r) => columns.map((c) => cell(r[c]))), { header: true, columns, bom: true });
}

/**
 * Managers and admins see every queue; supervisors the queues they are responsible for
 * (user_queues, set by an admin), and nothing else.
 */
export function reportsRoutes(d: { db: Database; reports: ReportsService; business: BusinessReportsService }): Router {
  const r = guardedRouter();
  const scope = async (req: Request): Promise<string[] | null> => {
    const me = currentUser(req);
    if (me.role !== "supervisor") return null;
    const rows = await d.db.query<{ queue: string }>("SELECT queue FROM user_queues WHERE user_id = $1", [me.id]);
    return rows.map((x) => x.queue);
  };
  r.get("/reports/calls", async (req, res) => {
    const q = parse(callsReportQuery, req.query);
    const report = await d.reports.calls(q, await scope(req));
    if (!wantsCsv(req, q.format)) {
      res.json(report);
      return;
    }
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="calls-by-${q.groupBy}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`);
    // Script outcomes: one cell, "outcome=count;…".
    res.send(toCsv(report.rows.map((x) => ({ ...x, scriptOutcomes: Object.entries(x.scriptOutcomes).map(([k, v]) => `${k}=${v}`).join(";") })), reportCsvColumns));
  });
  r.get("/reports/agents", async (req, res) => {
    const q = parse(agentsReportQuery, req.query);
    const to = q.to ?? new Date();
    const from = q.from ?? new Date(to.getTime() - 7 * 86_400_000);
    const rows = await d.reports.agents({ ...q, from, to }, await scope(req));
    if (!wantsCsv(req, q.format)) {
      res.json({ from: from.toISOString(), to: to.toISOString(), rows });
      return;
    }
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="agents-${from.toISOString().slice(0, 10)}-${to.toISOString().slice(0, 10)}.csv"`);
    // Pause time by reason: one cell, "reason=seconds;…".
    const flat = rows.map((x) => ({ ...x, pauseByReason: Object.entries(x.pauseByReason).map(([k, v]) => `${k}=${v}`).join(";") }));
    res.send(toCsv(flat, Object.keys(agentReportRow.shape)));
  });
  // The CRM's figures: not per queue, so managers and admins only (server/auth/roles.ts).
  r.get("/reports/business", async (req, res) => {
    const q = parse(businessReportQuery, req.query);
    const report = await d.business.report(q);
    if (!wantsCsv(req, q.format)) {
      res.json(report);
      return;
    }
    const { rows, columns } = businessTable(report, q.table);
    res.setHeader("Content-Type", "text/csv; charset=utf-8");
    res.setHeader("Content-Disposition", `attachment; filename="business-${q.table}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv"`);
    res.send(toCsv(rows, columns));
  });
  return r;
}

/** One table of the business report as CSV rows (docs/api.md "Reports"). */
export function businessTable(b: BusinessReport, table: BusinessTable): { rows: Record<string, unknown>[]; columns: string[] } {
  switch (table) {
    case "conversion":
      return { rows: b.conversionByMonth, columns: ["month", "leads", "converted", "rate"] };
    case "stages":
      return { rows: b.stages, columns: ["stage", "clients", "enteredInRange", "reachedByLeads"] };
    case "growth":
      return { rows: b.growth, columns: ["month", "newClients", "becameLost", "totalClients"] };
    case "processing":
      return {
        rows: (["firstContact", "tasks", "callbacks"] as const).map((what) => ({ what, ...b[what] })),
        columns: ["what", "count", "done", "meanSeconds", "p50Seconds"],
      };
    case "lost":
      return { rows: b.lost.clients, columns: ["id", "name", "lastContactAt"] };
    case "complaints":
      return { rows: b.complaints.items, columns: ["linkedid", "startedAt", "clientId", "source", "taskId", "closedAt", "closeSeconds"] };
  }
}
