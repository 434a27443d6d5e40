import { parse } from 'csv-parse/sync';
import { badRequest } from '../../platform/errors.ts';
import type { ImportedMessage } from '../tickets/index.ts';
import { dateOr, type ImportSourceDef, type SourceTicket } from './import-source.ts';

/**
 * The documented CSV format (docs/migrating.md): a header row, then one row per message; rows with the
 * same `ticket_id` make one ticket (its fields are read from its first row). Parsed by csv-parse
 * (quoted fields with commas and line breaks, BOM) rather than by hand.
 */
export const CSV_COLUMNS = [
  'ticket_id',
  'subject',
  'status',
  'priority',
  'tags',
  'requester_email',
  'requester_name',
  'requester_phone',
  'message_id',
  'message_type',
  'author_name',
  'author_email',
  'created_at',
  'body',
] as const;
const REQUIRED = ['ticket_id', 'message_type', 'body'] as const;
type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

const STATUS: Record<string, SourceTicket['status']> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  'on-hold': 'on-hold',
  hold: 'on-hold',
  solved: 'solved',
  resolved: 'solved',
  closed: 'closed',
};
const PRIORITY: Record<string, SourceTicket['priority']> = {
  low: 'low',
  normal: 'normal',
  medium: 'normal',
  high: 'high',
  urgent: 'urgent',
};
const KIND: Record<string, ImportedMessage['kind']> = {
  customer: 'inbound',
  agent: 'outbound',
  note: 'note',
};
export const CSV_TICKETS_PER_PAGE = 200;
const MAX_ROWS = 200_000;

/** Parses and checks the whole file: any bad row is a 400 naming it, before anything is stored. */
export function parseImportCsv(text: string): Map<string, Row[]> {
  let rows: Row[];
  try {
    rows = parse(text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      trim: false,
      relax_column_count: false,
      max_record_size: 1_000_000,
      to: MAX_ROWS + 1,
    }) as Row[];
  } catch (err) {
    throw badRequest(`The CSV file cannot be read: ${(err as Error).message}`);
  }
  if (!rows.length) throw badRequest('The CSV file has no rows after its header');
  if (rows.length > MAX_ROWS) throw badRequest(`At most ${MAX_ROWS} rows per file; split the file`);
  const cols = Object.keys(rows[0]!);
  const unknown = cols.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED.filter((c) => !cols.includes(c));
  if (unknown.length || missing.length)
    throw badRequest('The CSV header does not match the import format', { unknown, missing });
  const byTicket = new Map<string, Row[]>();
  rows.forEach((r, i) => {
    const line = i + 2;
    const id = r.ticket_id?.trim();
    if (!id || id.length > 200)
      throw badRequest(`Row ${line}: ticket_id is required (at most 200 characters)`);
    const type = r.message_type?.trim().toLowerCase() ?? '';
    if (!KIND[type]) throw badRequest(`Row ${line}: message_type must be customer, agent or note`);
    if (r.status && !STATUS[r.status.trim().toLowerCase()])
      throw badRequest(`Row ${line}: unknown status "${r.status.slice(0, 40)}"`);
    if (r.priority && !PRIORITY[r.priority.trim().toLowerCase()])
      throw badRequest(`Row ${line}: unknown priority "${r.priority.slice(0, 40)}"`);
    if (r.created_at && Number.isNaN(new Date(r.created_at).getTime()))
      throw badRequest(`Row ${line}: created_at is not a date`);
    const list = byTicket.get(id);
    if (list) list.push(r);
    else byTicket.set(id, [r]);
  });
  return byTicket;
}

function toTicket(id: string, rows: Row[]): SourceTicket {
  const first = rows[0]!;
  const now = new Date();
  const messages = rows.map((r, i): ImportedMessage => {
    const kind = KIND[r.message_type!.trim().toLowerCase()]!;
    const customer = kind === 'inbound';
    return {
      kind,
      bodyText: r.body ?? '',
      bodyHtml: null,
      createdAt: dateOr(r.created_at, now),
      externalId: `csv:${id}:${r.message_id?.trim() || String(i + 1)}`,
      author: {
        name: r.author_name?.trim() || (customer ? first.requester_name?.trim() || null : null),
        email: r.author_email?.trim() || (customer ? first.requester_email?.trim() || null : null),
      },
    };
  });
  const times = messages.map((m) => m.createdAt.getTime());
  const email = first.requester_email?.trim() || null;
  const phone = first.requester_phone?.trim() || null;
  return {
    externalId: id,
    subject: first.subject?.trim() || messages[0]!.bodyText.slice(0, 80) || '(no subject)',
    status: STATUS[first.status?.trim().toLowerCase() ?? ''] ?? 'open',
    priority: PRIORITY[first.priority?.trim().toLowerCase() ?? ''] ?? 'normal',
    channel: 'email',
    tags: (first.tags ?? '').split(/[,;]/).filter((t) => t.trim()),
    createdAt: new Date(Math.min(...times)),
    updatedAt: new Date(Math.max(...times)),
    requester: email || phone ? { name: first.requester_name?.trim() || null, email, phone } : null,
    messages,
    extra: {},
  };
}

export const csvSource: ImportSourceDef = {
  name: 'csv',
  async fetchPage(ctx) {
    const all = [...parseImportCsv(await ctx.file()).entries()];
    const start = Number(ctx.cursor ?? 0);
    const slice = all.slice(start, start + CSV_TICKETS_PER_PAGE);
    const known = await ctx.known(slice.map(([id]) => id));
    const tickets = slice.map(([id, rows]) => {
      const t = toTicket(id, rows);
      return known.has(id) ? { ...t, skipReason: 'already imported' } : t;
    });
    const next = start + slice.length;
    return { tickets, cursor: String(next), done: next >= all.length, total: all.length };
  },
};
