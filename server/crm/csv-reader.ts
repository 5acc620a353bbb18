import fs from "node:fs";
import { parse as parseCsv, type CsvError } from "csv-parse";
import { AppError } from "../platform/errors.js";

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

/** The API field of each header cell (null: ignored); a 400 naming `file` without a name column. */
export function mapHeader(header: string[]): (string | null)[] {
  const mapped = header.map((h) => columns[h.trim().toLowerCase().replace(/[\s-]+/g, "_")] ?? null);
  if (!mapped.includes("name")) throw new AppError("VALIDATION", "file: the header row needs a 'name' column", "file");
  return mapped;
}

/**
 * The file's structure is broken from some line on: a quote opened and never closed (or closed in
 * the middle of a field). The parser cannot tell where the following rows begin, so the whole
 * file is refused rather than importing a guess (csv-parse would silently swallow every later row
 * into one field).
 */
export class CsvStructureError extends AppError {
  constructor(public readonly line: number, detail: string) {
    super("VALIDATION", `file: line ${line}: ${detail}; nothing was imported, fix the file and send it again`, "file");
  }
}

/** A data row: its line (where the record ends, as editors number lines) and fields, or why it is unreadable. */
export type CsvRow = { line: number; record: Record<string, string> } | { line: number; unreadable: string };

/** One record may not be larger than this (a notes cell is at most 20,000 characters). */
const maxRecordBytes = 1024 * 1024;

/** csv-parse errors after which the parser has lost track of where records begin. */
const structural = new Set(["CSV_QUOTE_NOT_CLOSED", "CSV_INVALID_CLOSING_QUOTE", "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE", "CSV_MAX_RECORD_SIZE"]);

/**
 * Streams the data rows of a UTF-8 CSV file, in order. Rows the parser skips (a stray quote inside
 * an unquoted field) come out as `unreadable` with their line; a broken quote ends the stream with
 * a CsvStructureError naming the line where the broken record starts. `ignoredColumns` is set once
 * the header was read.
 */
export async function* readCsvRows(file: string, header: { ignoredColumns: string[] } = { ignoredColumns: [] }): AsyncGenerator<CsvRow> {
  const skipped: CsvRow[] = [];
  const parser = parseCsv({
    bom: true,
    columns: (cells: string[]) => {
      const mapped = mapHeader(cells);
      header.ignoredColumns = cells.filter((_, i) => mapped[i] === null);
      return mapped.map((m, i) => m ?? `__ignored_${i}`);
    },
    info: true,
    raw: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: maxRecordBytes,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const line = Number(err?.lines ?? 0);
      if (err && structural.has(err.code)) {
        // The record began where its raw text began: count the line breaks inside it.
        const inside = (raw ?? "").replace(/\r?\n$/, "").split("\n").length - 1;
        const start = Math.max(1, line - inside);
        throw new CsvStructureError(
          start,
          err.code === "CSV_MAX_RECORD_SIZE"
            ? `a record over ${maxRecordBytes / 1024} KiB starts here (is a quote left open?)`
            : err.code === "CSV_QUOTE_NOT_CLOSED"
              ? "a quoted field starts here and is never closed"
              : `a quoted field starts here and its closing quote (line ${line}) is followed by more text`,
        );
      }
      skipped.push({ line, unreadable: err?.message ?? "unreadable row" });
      return undefined;
    },
  });
  const input = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  input.on("error", (err) => parser.destroy(err));
  input.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      while (skipped.length > 0 && skipped[0]!.line < info.lines) yield skipped.shift()!;
      yield { line: info.lines, record };
    }
    yield* skipped.splice(0);
  } finally {
    input.destroy();
    parser.destroy();
  }
}
