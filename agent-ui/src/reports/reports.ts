// The reports page's data: GET /api/reports/calls (docs/api.md "Reports"; formulas in docs/reports.md).
import type { ApiQuery, Schema } from "../api/types";
import { api, getToken, withQuery } from "../lib/api";

// The answers' shapes come from the server's zod schemas (server/reports/reports.schemas.ts and
// business.schemas.ts) through the generated OpenAPI types: `npm run api:types` after changing them.
export type CallsReport = Schema<"CallsReport">;
export type ReportRow = Schema<"CallsReportRow">;
export type Grouping = CallsReport["groupBy"];
export type AgentsReport = Schema<"AgentsReport">;
export type AgentRow = Schema<"AgentReportRow">;

export const loadAgents = (f: ReportFilter, signal?: AbortSignal) => {
  const { from, to, queue } = reportQuery(f, "agent");
  return api.get<AgentsReport>("/api/reports/agents", { from, to, queue }, signal);
};

/** The server's CSV of the per-agent table. */
export async function downloadAgentsCsv(f: ReportFilter): Promise<void> {
  const { from, to, queue } = reportQuery(f, "agent");
  const res = await fetch(withQuery("/api/reports/agents", { from, to, queue, format: "csv" }), { headers: { Authorization: `Bearer ${getToken() ?? ""}` } });
  if (!res.ok) throw new Error(`CSV export failed (${res.status})`);
  save(await res.blob(), `agents-${f.from}-${f.to}.csv`);
}

/** Hours and minutes of a total in seconds. */
export const fmtDuration = (s: number) => `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}`;

export interface ReportFilter {
  /** YYYY-MM-DD, the first and last day, in the browser's time zone. */
  from: string;
  to: string;
  queue: string;
  agent: string;
}

export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** The API's query for a filter: local midnights as instants, `to` the midnight after the last day. */
export function reportQuery(f: ReportFilter, groupBy: Grouping): ApiQuery<"/reports/calls", "get"> {
  const from = new Date(`${f.from}T00:00:00`);
  const to = new Date(`${f.to}T00:00:00`);
  to.setDate(to.getDate() + 1);
  return { from: from.toISOString(), to: to.toISOString(), groupBy, tz: browserZone, queue: f.queue.trim() || undefined, agent: f.agent.trim() || undefined };
}

export const loadReport = (f: ReportFilter, groupBy: Grouping, signal?: AbortSignal) => api.get<CallsReport>("/api/reports/calls", reportQuery(f, groupBy), signal);

function save(blob: Blob, name: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The server's CSV of one grouping (it needs the bearer token: fetched, then handed over as a file). */
export async function downloadReportCsv(f: ReportFilter, groupBy: Grouping): Promise<void> {
  const res = await fetch(withQuery("/api/reports/calls", { ...reportQuery(f, groupBy), format: "csv" }), { headers: { Authorization: `Bearer ${getToken() ?? ""}` } });
  if (!res.ok) throw new Error(`CSV export failed (${res.status})`);
  save(await res.blob(), `calls-by-${groupBy}-${f.from}-${f.to}.csv`);
}

/** A small table made here (abandon times, dispositions) as CSV. */
export function downloadCsv(name: string, header: string[], rows: (string | number | null)[][]): void {
  const cell = (v: string | number | null) => {
    const s = v === null ? "" : String(v);
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  save(new Blob([[header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n"], { type: "text/csv" }), name);
}

export const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

export const fmtPct = (v: number | null) => (v === null ? "–" : `${v.toFixed(1)} %`);
export function fmtSec(v: number | null): string {
  if (v === null) return "–";
  if (v < 60) return `${v.toFixed(v < 10 ? 1 : 0)} s`;
  const m = Math.floor(v / 60);
  return `${m}:${String(Math.round(v - m * 60)).padStart(2, "0")}`;
}

// ---- Business reports: GET /api/reports/business (managers, admins; docs/reports.md "Business reports").

export type BusinessReport = Schema<"BusinessReport">;
export type BusinessTable = NonNullable<ApiQuery<"/reports/business", "get">["table"]>;

function businessQuery(f: ReportFilter): Record<string, string> {
  const { from, to, tz } = reportQuery(f, "day");
  return { from: from!, to: to!, tz: tz! };
}

export const loadBusiness = (f: ReportFilter, signal?: AbortSignal) => api.get<BusinessReport>("/api/reports/business", businessQuery(f), signal);

/** The server's CSV of one business table. */
export async function downloadBusinessCsv(f: ReportFilter, table: BusinessTable): Promise<void> {
  const res = await fetch(withQuery("/api/reports/business", { ...businessQuery(f), format: "csv", table }), { headers: { Authorization: `Bearer ${getToken() ?? ""}` } });
  if (!res.ok) throw new Error(`CSV export failed (${res.status})`);
  save(await res.blob(), `business-${table}-${f.from}-${f.to}.csv`);
}

/** A long duration: seconds, minutes, hours or days. */
export function fmtLong(v: number | null): string {
  if (v === null) return "–";
  if (v < 3600) return fmtSec(v);
  if (v < 86_400 * 2) return `${(v / 3600).toFixed(1)} h`;
  return `${(v / 86_400).toFixed(1)} d`;
}
