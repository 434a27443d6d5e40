/**
 * CSV (RFC 4180) for report and drill-down exports. A writer, not a parser: every field quoted, quotes
 * doubled, CRLF line ends. Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
 * leading apostrophe, since ticket subjects come from customers. No library needed for this much.
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

function cell(v: unknown): string {
  if (v === null || v === undefined) return '""';
  let s = String(v);
  if (typeof v === 'string' && s.length > 0 && FORMULA_START.has(s[0]!)) s = `'${s}`;
  return `"${s.replaceAll('"', '""')}"`;
}

export const toCsv = (header: string[], rows: unknown[][]) =>
  `${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
