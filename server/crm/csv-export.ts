import { stringify } from "csv-stringify";
import type { Writable } from "node:stream";
import type { ClientDto } from "./client-dto.js";
import { defuseCell } from "./csv-cells.js";

export const exportHeader = [
  "id", "name", "kind", "company", "phone", "email", "stage", "tags", "lead_source", "vip",
  "address", "city", "region", "postal_code", "country", "owner", "notes", "created_at", "updated_at",
];


export function exportRow(c: ClientDto): string[] {
  const row = [
    String(c.id), c.name, c.kind, c.company ?? "",
    c.phones.map((p) => p.number).join(";"), c.emails.join(";"), c.stage, c.tags.join(";"),
    c.leadSource ?? "", c.vip ? "yes" : "", c.addressLine ?? "", c.city ?? "", c.region ?? "",
    c.postalCode ?? "", c.country ?? "", c.owner?.displayName ?? "", c.notes ?? "",
    c.createdAt.toISOString(), c.updatedAt.toISOString(),
  ];
  return row.map(defuseCell);
}

/**
 * Streams the clients as CSV (UTF-8 with BOM, so spreadsheet programs read accents right). Cells a
 * spreadsheet would evaluate are defused (csv-cells.ts), phone numbers included.
 */
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
