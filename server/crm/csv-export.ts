import { stringify } from "csv-stringify";
import type { Writable } from "node:stream";
import type { ClientDto } from "./client-dto.js";

export const exportHeader = [
  "id", "name", "kind", "company", "phone", "email", "stage", "tags", "lead_source", "vip",
  "address", "city", "region", "postal_code", "country", "owner", "notes", "created_at", "updated_at",
];

/**
 * A cell that a spreadsheet would run as a formula (=, @, or + / - not starting a number) gets a
 * leading apostrophe (CSV injection). "+14155550123" stays as it is.
 */
export function safeCell(v: string): string {
  return /^[=@\t\r]/.test(v) || /^[+-](?![\d\s(])/.test(v) ? `'${v}` : v;
}

export function exportRow(c: ClientDto): string[] {
  const row = [
    String(c.id), c.name, c.kind, c.company ?? "",
    c.phones.map((p) => p.number).join(";"), c.emails.join(";"), c.stage, c.tags.join(";"),
    c.leadSource ?? "", c.vip ? "yes" : "", c.addressLine ?? "", c.city ?? "", c.region ?? "",
    c.postalCode ?? "", c.country ?? "", c.owner?.displayName ?? "", c.notes ?? "",
    c.createdAt.toISOString(), c.updatedAt.toISOString(),
  ];
  return row.map(safeCell);
}

/** Streams the clients as CSV (UTF-8 with BOM, so spreadsheet programs read accents right). */
export async function writeClientsCsv(clients: AsyncIterable<ClientDto>, out: Writable): Promise<number> {
  const csv = stringify({ header: true, columns: exportHeader, bom: true });
  csv.pipe(out);
  let n = 0;
  for await (const c of clients) {
    if (!csv.write(exportRow(c))) await new Promise((r) => csv.once("drain", r));
    n++;
  }
  csv.end();
  await new Promise<void>((resolve, reject) => {
    out.once("finish", resolve);
    out.once("error", reject);
  });
  return n;
}
