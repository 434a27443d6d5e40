import { type Db, sql } from '../../platform/db/db.ts';
import { htmlToText, sanitizeMessageHtml } from '../../platform/html/sanitize.ts';
import { preview } from './ticket-shapes.ts';

/** A message of another helpdesk's ticket, already mapped to Shopdesk's kinds. */
export interface ImportedMessage {
  kind: 'inbound' | 'outbound' | 'note';
  bodyText: string;
  bodyHtml: string | null;
  createdAt: Date;
  /** `<source>:<id>`, kept on the message (search, the ticket shows it). */
  externalId: string;
  /** Who wrote it in the source (agents are not created by an import). */
  author: { name: string | null; email: string | null };
  /** Attachments as the source lists them (not downloaded yet: docs/integrations.md "Not built yet"). */
  attachments?: { filename: string; url: string | null; size: number | null; contentType: string | null }[];
}

export interface ImportedTicket {
  subject: string;
  status: 'new' | 'open' | 'pending' | 'on-hold' | 'solved' | 'closed';
  priority: 'low' | 'normal' | 'high' | 'urgent';
  channel: string;
  contactId: number | null;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  messages: ImportedMessage[];
  /** Written on the ticket's `imported` timeline entry: source, its id, satisfaction rating … */
  source: { name: string; id: string; [k: string]: unknown };
}

const clean = (s: string) => s.replaceAll('\u0000', '');

/**
 * Writes one imported ticket with its messages in one statement, with the source's own timestamps and
 * counters computed here. Silent on purpose: no event is staged, so no automation, SLA, notice or
 * webhook reacts to history (issue #22). Runs in the caller's transaction (with its source-id claim).
 */
export async function insertImportedTicket(
  db: Db,
  workspaceId: number,
  t: ImportedTicket,
): Promise<{ ticketId: number; messages: number }> {
  const msgs = [...t.messages].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const rows = msgs.map((m) => {
    const html = m.bodyHtml ? sanitizeMessageHtml(clean(m.bodyHtml)) : null;
    const text = clean(m.bodyText || (html ? htmlToText(html) : ''));
    return {
      kind: m.kind,
      body_text: text,
      body_html: html,
      channel_meta: {
        imported: { source: t.source.name, author: m.author },
        ...(m.attachments?.length ? { importedAttachments: m.attachments } : {}),
      },
      external_id: m.externalId,
      delivery_status: m.kind === 'inbound' ? 'received' : m.kind === 'note' ? 'none' : 'sent',
      created_at: m.createdAt.toISOString(),
    };
  });
  const visible = rows.filter((r) => r.kind !== 'note');
  const last = visible[visible.length - 1] ?? rows[rows.length - 1];
  const inbound = rows.filter((r) => r.kind === 'inbound');
  const firstIn = inbound[0]?.created_at;
  const firstOut = rows.find((r) => r.kind === 'outbound' && (!firstIn || r.created_at >= firstIn));
  const done = t.status === 'solved' || t.status === 'closed' ? t.updatedAt.toISOString() : null;
  const tags = [...new Set(t.tags.map((x) => x.trim().toLowerCase()).filter(Boolean))].slice(0, 50);
  const row = await db.one<{ id: number; n: number }>(sql`
    WITH t AS (
      INSERT INTO tickets (workspace_id, subject, status, priority, channel, contact_id, tags, message_count,
                           last_message_preview, last_message_at, last_inbound_at, first_response_at,
                           solved_at, closed_at, created_at, updated_at)
      VALUES (${workspaceId}, ${clean(t.subject).slice(0, 500) || '(no subject)'}, ${t.status}, ${t.priority},
              ${t.channel}, ${t.contactId}, ${tags}, ${rows.length}, ${preview(last?.body_text ?? '')},
              ${last?.created_at ?? t.createdAt.toISOString()}::timestamptz,
              ${inbound[inbound.length - 1]?.created_at ?? null}::timestamptz,
              ${firstOut?.created_at ?? null}::timestamptz, ${done}::timestamptz,
              ${t.status === 'closed' ? done : null}::timestamptz,
              ${t.createdAt.toISOString()}::timestamptz, ${t.updatedAt.toISOString()}::timestamptz)
      RETURNING id, contact_id),
    m AS (
      INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_contact_id, body_text, body_html,
                            channel_meta, external_id, delivery_status, created_at)
      SELECT ${workspaceId}, t.id, x.kind, ${t.channel}, CASE WHEN x.kind = 'inbound' THEN t.contact_id END,
             x.body_text, x.body_html, x.channel_meta, x.external_id, x.delivery_status, x.created_at
      FROM t, jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(kind text, body_text text, body_html text, channel_meta jsonb, external_id text,
             delivery_status text, created_at timestamptz)
      RETURNING id),
    e AS (
      INSERT INTO ticket_events (workspace_id, ticket_id, type, data)
      SELECT ${workspaceId}, t.id, 'imported', ${JSON.stringify(t.source)}::jsonb FROM t),
    g AS (
      INSERT INTO tags (workspace_id, name) SELECT ${workspaceId}, unnest(${tags}::text[]) ON CONFLICT DO NOTHING)
    SELECT t.id, (SELECT count(*)::int FROM m) AS n FROM t`);
  return { ticketId: row!.id, messages: row!.n };
}
