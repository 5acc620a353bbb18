import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { once } from "node:events";
import { TextDecoder } from "node:util";
import { parse as parseCsvSync } from "csv-parse/sync";
import { AppError } from "../platform/errors.js";
import { mapHeader } from "./csv-reader.js";
import type { CsvEncoding } from "./csv-import.js";

export const maxCsvBytes = 20 * 1024 * 1024;

export interface StoredUpload {
  /** Generated file name under the imports directory. */
  file: string;
  /** Bytes received (before re-encoding to UTF-8). */
  bytes: number;
}

/** Where uploads wait for their import: $DATA_DIR/imports. */
export const importsDir = (dataDir: string): string => path.join(dataDir, "imports");

/**
 * Streams an uploaded CSV to disk as UTF-8, under a generated name (the uploader's file name is
 * never used for a path). Checked on the way, chunk by chunk, so a bad file is a 400 at once and a
 * 20 MiB body never sits in memory: size (413), NUL bytes (UTF-16 or a spreadsheet file), the
 * encoding (invalid UTF-8 is refused whole rather than imported as mojibake), and a header row
 * with a name column.
 */
export async function storeUpload(body: Readable, encoding: CsvEncoding, dir: string, declaredBytes: number | null): Promise<StoredUpload> {
  if (declaredBytes !== null && declaredBytes > maxCsvBytes) throw tooLarge();
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const file = `${new Date().toISOString().slice(0, 10)}-${crypto.randomBytes(12).toString("hex")}.csv`;
  const full = path.join(dir, file);
  const out = fs.createWriteStream(full, { flags: "wx", mode: 0o600 });
  const decoder = new TextDecoder(encoding, { fatal: true });
  let bytes = 0;
  let head = "";
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxCsvBytes) throw tooLarge();
      if (chunk.includes(0))
        throw new AppError("VALIDATION", "file: contains NUL bytes; this is not a text CSV (UTF-16 or a spreadsheet file?)", "file");
      const text = decode(decoder, chunk, true);
      if (head.length < 64 * 1024 && !/\r|\n/.test(head)) head += text;
      if (!out.write(text)) await once(out, "drain");
    }
    const rest = decode(decoder, undefined, false);
    if (head.length < 64 * 1024 && !/\r|\n/.test(head)) head += rest;
    out.end(rest);
    await once(out, "finish");
    if (bytes === 0) throw new AppError("VALIDATION", "file: is empty", "file");
    checkHeader(head);
    return { file, bytes };
  } catch (err) {
    out.destroy();
    await fs.promises.rm(full, { force: true });
    throw err;
  }
}

function decode(decoder: TextDecoder, chunk: Buffer | undefined, stream: boolean): string {
  try {
    return decoder.decode(chunk, { stream });
  } catch {
    throw new AppError(
      "VALIDATION",
      "file: is not valid UTF-8; save it as UTF-8, or send ?encoding=windows-1252 for legacy Excel exports",
      "file",
    );
  }
}

/** The first line must be a header naming a `name` column (a header spanning lines is not one). */
function checkHeader(head: string): void {
  const firstLine = head.replace(/^\uFEFF/, "").split(/\r?\n|\r/)[0] ?? "";
  let cells: string[] = [];
  try {
    cells = (parseCsvSync(firstLine, { relax_quotes: true, relax_column_count: true }) as string[][])[0] ?? [];
  } catch {
    throw new AppError("VALIDATION", "file: the first line is not a CSV header row", "file");
  }
  mapHeader(cells);
}

const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `file: larger than ${maxCsvBytes / 1024 / 1024} MiB; split it`, "file");
