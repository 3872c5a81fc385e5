/** A leading character a spreadsheet reads as the start of a formula ("CSV injection"), tab and carriage return included. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** Quoted when present: the comma, the semicolon and tab that spreadsheets in some locales split on, quotes, line breaks. */
const NEEDS_QUOTES = /[",;\t\r\n]/;

/**
 * One CSV cell (RFC 4180) that is safe to open in a spreadsheet: text that could run as a formula gets a leading
 * apostrophe, and text holding a separator, quote or line break is quoted, so no cell can split into a new one that
 * starts a formula. Report and ICS 211 fields come from credentials and staff input.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV text with CRLF line ends (RFC 4180), a line per row. */
export function csvText(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
