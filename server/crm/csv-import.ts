import { z } from "zod";
import { AppError } from "../platform/errors.js";
import type { Actor } from "../auth/users.service.js";
import type { ClientsService } from "./clients.service.js";
import { clientChangesBody, newClientBody, type ClientChanges } from "./clients.schemas.js";
import type { ClientDto } from "./client-dto.js";
import { normalizePhoneList } from "./phone-input.js";
import type { PhoneIndex } from "./phone-index.js";
import { restoreCell } from "./csv-cells.js";

/** What one row did. */
export type RowOutcome = "created" | "updated" | "unchanged" | { row: number; field: string; message: string };

const listFields = new Set(["phones", "emails", "tags"]);
const split = (s: string) => s.split(/[;|]/).map((x) => x.trim()).filter(Boolean);

export type CsvEncoding = "utf-8" | "windows-1252" | "iso-8859-1";

export const importQuery = z.object({
  dryRun: z
    .enum(["1", "0", "true", "false"])
    .optional()
    .transform((v) => v === "1" || v === "true"),
  encoding: z.enum(["utf-8", "windows-1252", "iso-8859-1"]).default("utf-8"),
});

/**
 * Imports clients row by row. Idempotent by phone: a row whose number already belongs to a client
 * updates that client (adds numbers, tags, e-mails; fills or replaces the other columns) instead of
 * creating a second one, so importing the same file twice changes nothing. A dry run writes
 * nothing and counts what the import would do.
 */
export class ClientRowImporter {
  /** A dry run writes nothing, so numbers of rows it would create are remembered: a later row with one of them is an update, as in the real import. */
  private readonly wouldCreate = new Set<string>();

  constructor(
    private readonly opts: { dryRun: boolean; actor: Actor; defaultCountry: string },
    private readonly deps: { clients: ClientsService; phoneIndex: PhoneIndex },
  ) {}

  async importRow(line: number, record: Record<string, string>): Promise<RowOutcome> {
    const input = rowInput(record);
    try {
      const checked = newClientBody.safeParse(input);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        return { row: line, field: issue.path.join(".") || "row", message: issue.message };
      }
      const phones = normalizePhoneList(checked.data.phones ?? [], this.opts.defaultCountry);
      const existing = await findExisting(phones.map((p) => p.number), this.deps.phoneIndex);
      if (this.opts.dryRun && existing === null && phones.some((p) => this.wouldCreate.has(p.number))) return "updated";
      if (existing === null) {
        if (this.opts.dryRun) for (const p of phones) this.wouldCreate.add(p.number);
        else await this.deps.clients.create(checked.data, this.opts.actor);
        return "created";
      }
      const current = await this.deps.clients.get(existing);
      const changes = mergeChanges(current, clientChangesBody.parse(input), phones.map((p) => p.number));
      if (Object.keys(changes).length === 0) return "unchanged";
      if (!this.opts.dryRun) await this.deps.clients.update(existing, changes, this.opts.actor);
      return "updated";
    } catch (err) {
      if (err instanceof AppError && err.code === "VALIDATION") return { row: line, field: err.field ?? "row", message: err.message };
      throw err;
    }
  }
}

/** A CSV record as an API body: list cells split, cells the export defused restored. */
function rowInput(record: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, cell] of Object.entries(record)) {
    if (key.startsWith("__ignored_") || cell === undefined || cell === "") continue;
    const value = restoreCell(cell);
    if (key === "vip") input.vip = /^(1|true|yes|y)$/i.test(value);
    else if (listFields.has(key)) input[key] = split(value);
    else input[key] = key === "kind" || key === "stage" ? value.toLowerCase() : value;
  }
  return input;
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
