import { parse as parseCsv } from "csv-parse/sync";
import { z } from "zod";
import { AppError } from "../platform/errors.js";
import type { Actor } from "../auth/users.service.js";
import type { AuditService } from "../audit/audit.service.js";
import type { ClientsService } from "./clients.service.js";
import { clientChangesBody, newClientBody, type ClientChanges } from "./clients.schemas.js";
import type { ClientDto } from "./client-dto.js";
import { normalizePhoneList } from "./phone-input.js";
import type { PhoneIndex } from "./phone-index.js";

export interface ImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: { row: number; field: string; message: string }[];
}

/** The most row errors one report lists (the counts stay exact). */
const maxReportedErrors = 1000;
/** One cell larger than this is a broken file, not a client (e.g. an unclosed quote). */
const maxRecordBytes = 64 * 1024;

/** CSV header → API field. Headers are matched case-insensitively, spaces and dashes as '_'. */
const columns: Record<string, string> = {
  name: "name",
  phone: "phones",
  phones: "phones",
  email: "emails",
  emails: "emails",
  kind: "kind",
  company: "company",
  stage: "stage",
  tags: "tags",
  tag: "tags",
  lead_source: "leadSource",
  address: "addressLine",
  city: "city",
  region: "region",
  state: "region",
  postal_code: "postalCode",
  zip: "postalCode",
  country: "country",
  notes: "notes",
  vip: "vip",
};

const listFields = new Set(["phones", "emails", "tags"]);
const split = (s: string) => s.split(/[;|]/).map((x) => x.trim()).filter(Boolean);

export type CsvEncoding = "utf-8" | "windows-1252" | "iso-8859-1";

/** Reads the uploaded bytes; invalid UTF-8 is refused whole rather than imported as mojibake. */
export function decodeCsv(bytes: Buffer, encoding: CsvEncoding): string {
  if (bytes.includes(0))
    throw new AppError("VALIDATION", "file: contains NUL bytes; this is not a text CSV (UTF-16 or a spreadsheet file?)", "file");
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw new AppError(
      "VALIDATION",
      "file: is not valid UTF-8; save it as UTF-8, or send ?encoding=windows-1252 for legacy Excel exports",
      "file",
    );
  }
}

/**
 * Imports clients from CSV. Idempotent by phone: a row whose number already belongs to a client
 * updates that client (adds numbers, tags, e-mails; fills or replaces the other columns) instead of
 * creating a second one, so importing the same file twice changes nothing. Bad rows are reported
 * with their line and field; good rows go in.
 */
export async function importClients(
  text: string,
  opts: { dryRun: boolean; actor: Actor; defaultCountry: string },
  deps: { clients: ClientsService; phoneIndex: PhoneIndex; audit: AuditService },
): Promise<ImportReport> {
  const report: ImportReport = { dryRun: opts.dryRun, rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0, errors: [] };
  const fail = (row: number, field: string, message: string) => {
    report.failed++;
    if (report.errors.length < maxReportedErrors) report.errors.push({ row, field, message });
  };

  let unknownHeaders: string[] = [];
  const records = parseCsv(text, {
    bom: true,
    columns: (header: string[]) => {
      const mapped = header.map((h) => columns[h.trim().toLowerCase().replace(/[\s-]+/g, "_")] ?? null);
      unknownHeaders = header.filter((_, i) => mapped[i] === null);
      if (!mapped.includes("name"))
        throw new AppError("VALIDATION", "file: the header row needs a 'name' column", "file");
      return mapped.map((m, i) => m ?? `__ignored_${i}`);
    },
    info: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: maxRecordBytes,
    skip_records_with_error: true,
    on_skip: (err) => {
      fail(Number(err?.lines ?? 0), "row", err?.message ?? "unreadable row");
      return undefined;
    },
  }) as { record: Record<string, string>; info: { lines: number } }[];

  // A dry run writes nothing, so numbers of rows it would create are remembered here: a later row
  // with one of them counts as an update, as it would in the real import.
  const wouldCreate = new Set<string>();
  for (const { record, info } of records) {
    report.rows++;
    const line = info.lines;
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
      if (key.startsWith("__ignored_") || value === undefined || value === "") continue;
      if (key === "vip") input.vip = /^(1|true|yes|y)$/i.test(value);
      else if (listFields.has(key)) input[key] = split(value);
      else input[key] = key === "kind" || key === "stage" ? value.toLowerCase() : value;
    }
    try {
      const checked = newClientBody.safeParse(input);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        fail(line, issue.path.join(".") || "row", issue.message);
        continue;
      }
      const phones = normalizePhoneList(checked.data.phones ?? [], opts.defaultCountry);
      const existing = await findExisting(phones.map((p) => p.number), deps.phoneIndex);
      if (opts.dryRun && existing === null && phones.some((p) => wouldCreate.has(p.number))) {
        report.updated++;
        continue;
      }
      if (existing === null) {
        if (opts.dryRun) for (const p of phones) wouldCreate.add(p.number);
        report.created++;
        if (!opts.dryRun) await deps.clients.create(checked.data, opts.actor);
        continue;
      }
      const current = await deps.clients.get(existing);
      const changes = mergeChanges(current, clientChangesBody.parse(input), phones.map((p) => p.number));
      if (Object.keys(changes).length === 0) report.unchanged++;
      else {
        report.updated++;
        if (!opts.dryRun) await deps.clients.update(existing, changes, opts.actor);
      }
    } catch (err) {
      if (err instanceof AppError && err.code === "VALIDATION") fail(line, err.field ?? "row", err.message);
      else throw err;
    }
  }
  if (unknownHeaders.length) report.errors.unshift({ row: 1, field: "header", message: `ignored columns: ${unknownHeaders.join(", ")}` });
  if (!opts.dryRun)
    await deps.audit.record({
      actorId: opts.actor.id,
      actorName: opts.actor.username,
      action: "clients.import",
      details: { rows: report.rows, created: report.created, updated: report.updated, failed: report.failed },
      ip: opts.actor.ip ?? null,
    });
  return report;
}

async function findExisting(numbers: string[], index: PhoneIndex): Promise<number | null> {
  for (const n of numbers) {
    const owners = await index.lookup(n);
    if (owners[0]) return owners[0].clientId;
  }
  return null;
}

/** The part of a CSV row that differs from the stored client; list columns only add. */
function mergeChanges(current: ClientDto, row: ClientChanges, numbers: string[]): ClientChanges {
  const out: ClientChanges = {};
  const have = new Set(current.phones.map((p) => p.number));
  if (numbers.some((n) => !have.has(n)))
    out.phones = [
      ...current.phones.map((p) => ({ number: p.number, type: p.type, isPrimary: p.isPrimary })),
      ...numbers.filter((n) => !have.has(n)),
    ];
  const addTo = (list: string[], extra: string[] | undefined) =>
    extra && extra.some((x) => !list.includes(x)) ? [...new Set([...list, ...extra])] : undefined;
  const tags = addTo(current.tags, row.tags);
  if (tags) out.tags = tags;
  const emails = addTo(current.emails, row.emails);
  if (emails) out.emails = emails;
  const scalars = ["name", "kind", "company", "stage", "leadSource", "addressLine", "city", "region", "postalCode", "country", "notes", "vip"] as const;
  for (const k of scalars) {
    const v = row[k];
    if (v !== undefined && v !== null && v !== (current as Record<string, unknown>)[k]) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

export const importQuery = z.object({
  dryRun: z
    .enum(["1", "0", "true", "false"])
    .optional()
    .transform((v) => v === "1" || v === "true"),
  encoding: z.enum(["utf-8", "windows-1252", "iso-8859-1"]).default("utf-8"),
});
