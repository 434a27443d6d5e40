import { type Db, sql } from '../../platform/db/db.ts';

export const ERASED = '[erased]';

/**
 * Right to be forgotten, the tickets side: every message on the contacts' tickets and every message
 * they wrote elsewhere loses its body, HTML, channel data and provider id; their attachment rows go;
 * the tickets keep only counters and dates (subject and preview replaced), their timeline entries lose
 * their data. Set-based, in the caller's transaction (with the contact's anonymisation).
 */
export async function eraseTicketsOfContacts(db: Db, workspaceId: number, contactIds: number[]) {
  const r = await db.one<{ tickets: number; messages: number; attachments: number }>(sql`
    WITH t AS (
      UPDATE tickets SET subject = ${ERASED}, last_message_preview = '', custom_fields = '{}'::jsonb,
                         tags = '{}', updated_at = now()
      WHERE workspace_id = ${workspaceId} AND contact_id = ANY(${contactIds}::bigint[])
      RETURNING id),
    m AS (
      SELECT id FROM messages
      WHERE workspace_id = ${workspaceId}
        AND (ticket_id IN (SELECT id FROM t) OR author_contact_id = ANY(${contactIds}::bigint[]))),
    a AS (
      DELETE FROM attachments WHERE workspace_id = ${workspaceId} AND message_id IN (SELECT id FROM m)
      RETURNING id),
    u AS (
      UPDATE messages SET body_text = ${ERASED}, body_html = NULL, channel_meta = '{}'::jsonb, external_id = NULL
      WHERE id IN (SELECT id FROM m)
      RETURNING id),
    e AS (
      UPDATE ticket_events SET data = '{}'::jsonb
      WHERE workspace_id = ${workspaceId} AND ticket_id IN (SELECT id FROM t)
      RETURNING id)
    SELECT (SELECT count(*)::int FROM t) AS tickets, (SELECT count(*)::int FROM u) AS messages,
           (SELECT count(*)::int FROM a) AS attachments`);
  return r!;
}
