/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet opening an exported file runs any cell that
 * starts with = + - @ (or their full-width forms ＝ ＋ － ＠, which some locales accept), a tab or a
 * line break, as a formula. Any agent can type such a value into a client, and the manager who
 * opens the export runs it. Every such cell is written with a leading apostrophe, which
 * spreadsheets read as "this is text".
 *
 * That includes phone numbers: "+14155550123" is exported as "'+14155550123". A spreadsheet would
 * otherwise evaluate it (=+14155550123, the number 14155550123 without its "+"), and a cell
 * "+1 415-555-0123" or "-2+3" is an arithmetic formula. One rule for every column is simpler to
 * trust than exceptions that look like numbers.
 *
 * The import undoes exactly what the export did, so an exported file imports to the same data:
 * a cell made of apostrophes followed by a trigger loses one apostrophe. Values that really begin
 * with apostrophes before a trigger ("'=x") get one more on export, so the round trip is exact.
 */

/** Leading apostrophes, then what a spreadsheet evaluates (optionally after spaces). */
const dangerous = /^'*(?:[\t\r\n]| *[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/** The cell as it is written to the CSV file. */
export function defuseCell(v: string): string {
  return dangerous.test(v) ? `'${v}` : v;
}

/** The value a CSV cell written by `defuseCell` stood for; other cells are returned unchanged. */
export function restoreCell(v: string): string {
  return v.startsWith("'") && dangerous.test(v) ? v.slice(1) : v;
}
