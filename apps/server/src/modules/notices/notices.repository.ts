import { type Db, sql } from '../../platform/db/db.ts';

export interface NoticeRow {
  id: number;
  workspace_id: number;
  dedupe_key: string;
  kind: string;
  contact_id: number | null;
  ticket_id: number;
  subject_type: string | null;
  subject_id: number | null;
  channel: string | null;
  locale: string;
  status: 'sent' | 'scheduled' | 'skipped';
  reason: string | null;
  subject: string;
  body: string;
  message_id: number | null;
  send_after: Date | null;
  created_by: number | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface SettingsRow {
  timezone: string;
  quiet_start: string;
  quiet_end: string;
  cap_count: number;
  cap_hours: number;
  default_locale: string;
}

export const DEFAULT_SETTINGS: SettingsRow = {
  timezone: 'UTC',
  quiet_start: '21:00',
  quiet_end: '08:00',
  cap_count: 3,
  cap_hours: 24,
  default_locale: 'en',
};

export async function settings(db: Db, workspaceId: number): Promise<SettingsRow> {
  const r = await db.one<SettingsRow>(sql`
    SELECT timezone, quiet_start, quiet_end, cap_count, cap_hours, default_locale
    FROM notice_settings WHERE workspace_id = ${workspaceId}`);
  return r ?? DEFAULT_SETTINGS;
}

export async function saveSettings(db: Db, workspaceId: number, s: SettingsRow) {
  await db.query(sql`
    INSERT INTO notice_settings (workspace_id, timezone, quiet_start, quiet_end, cap_count, cap_hours, default_locale)
    VALUES (${workspaceId}, ${s.timezone}, ${s.quiet_start}, ${s.quiet_end}, ${s.cap_count}, ${s.cap_hours}, ${s.default_locale})
    ON CONFLICT (workspace_id) DO UPDATE SET timezone = EXCLUDED.timezone, quiet_start = EXCLUDED.quiet_start,
      quiet_end = EXCLUDED.quiet_end, cap_count = EXCLUDED.cap_count, cap_hours = EXCLUDED.cap_hours,
      default_locale = EXCLUDED.default_locale, updated_at = now()`);
}

export const templates = (db: Db, workspaceId: number, kind?: string) =>
  db.query<{ kind: string; locale: string; subject: string; body: string }>(sql`
    SELECT kind, locale, subject, body FROM notice_templates
    WHERE workspace_id = ${workspaceId} ${kind ? sql`AND kind = ${kind}` : sql``} ORDER BY kind, locale`);

export async function saveTemplate(
  db: Db,
  workspaceId: number,
  t: { kind: string; locale: string; subject: string; body: string },
) {
  await db.query(sql`
    INSERT INTO notice_templates (workspace_id, kind, locale, subject, body)
    VALUES (${workspaceId}, ${t.kind}, ${t.locale}, ${t.subject}, ${t.body})
    ON CONFLICT (workspace_id, kind, locale) DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body,
      updated_at = now()`);
}

export async function deleteTemplate(db: Db, workspaceId: number, kind: string, locale: string) {
  await db.query(sql`
    DELETE FROM notice_templates WHERE workspace_id = ${workspaceId} AND kind = ${kind} AND locale = ${locale}`);
}

export const optOuts = async (db: Db, workspaceId: number, contactId: number) =>
  (
    await db.query<{ kind: string }>(sql`
      SELECT kind FROM notice_opt_outs WHERE workspace_id = ${workspaceId} AND contact_id = ${contactId}`)
  ).map((r) => r.kind);

export async function setOptOuts(db: Db, workspaceId: number, contactId: number, kinds: string[]) {
  await db.tx(async (tx) => {
    await tx.query(sql`
      DELETE FROM notice_opt_outs WHERE workspace_id = ${workspaceId} AND contact_id = ${contactId}
        AND NOT (kind = ANY(${kinds}))`);
    await tx.query(sql`
      INSERT INTO notice_opt_outs (workspace_id, contact_id, kind)
      SELECT ${workspaceId}, ${contactId}, k FROM unnest(${kinds}::text[]) AS k
      ON CONFLICT DO NOTHING`);
  });
}

/** Serialises decisions about one customer (the frequency cap counts what the other decision sent). */
export async function lockContact(tx: Db, workspaceId: number, contactId: number) {
  await tx.query(sql`SELECT pg_advisory_xact_lock(${workspaceId}::int, ${contactId}::int)`);
}

export const byDedupeKey = (db: Db, workspaceId: number, key: string) =>
  db.one<NoticeRow>(sql`SELECT * FROM notices WHERE workspace_id = ${workspaceId} AND dedupe_key = ${key}`);

export const byId = (db: Db, workspaceId: number, id: number, lock = false) =>
  db.one<NoticeRow>(sql`
    SELECT * FROM notices WHERE workspace_id = ${workspaceId} AND id = ${id} ${lock ? sql`FOR UPDATE` : sql``}`);

/** Notices sent or waiting to be sent to this customer since `since` (the frequency cap). */
export async function countRecent(db: Db, workspaceId: number, contactId: number, since: Date) {
  const r = await db.one<{ n: number }>(sql`
    SELECT count(*)::int AS n FROM notices
    WHERE workspace_id = ${workspaceId} AND contact_id = ${contactId} AND status IN ('sent', 'scheduled')
      AND created_at >= ${since.toISOString()}::timestamptz`);
  return r?.n ?? 0;
}

export type NewNotice = Omit<NoticeRow, 'id' | 'created_at' | 'sent_at' | 'message_id'>;

/** The row, or nothing when the dedupe key is already taken (the caller then reads that one). */
export const insert = (db: Db, n: NewNotice) =>
  db.one<NoticeRow>(sql`
    INSERT INTO notices (workspace_id, dedupe_key, kind, contact_id, ticket_id, subject_type, subject_id, channel,
      locale, status, reason, subject, body, send_after, created_by, sent_at)
    VALUES (${n.workspace_id}, ${n.dedupe_key}, ${n.kind}, ${n.contact_id}, ${n.ticket_id}, ${n.subject_type},
      ${n.subject_id}, ${n.channel}, ${n.locale}, ${n.status}, ${n.reason}, ${n.subject}, ${n.body},
      ${n.send_after?.toISOString() ?? null}::timestamptz, ${n.created_by},
      ${n.status === 'sent' ? sql`now()` : sql`NULL`})
    ON CONFLICT (workspace_id, dedupe_key) DO NOTHING
    RETURNING *`);

export async function markSent(db: Db, id: number, messageId: number | null) {
  await db.query(sql`
    UPDATE notices SET status = 'sent', reason = NULL, message_id = ${messageId}, sent_at = now() WHERE id = ${id}`);
}

export async function markSkipped(db: Db, id: number, reason: string) {
  await db.query(sql`UPDATE notices SET status = 'skipped', reason = ${reason} WHERE id = ${id}`);
}

export const list = (
  db: Db,
  workspaceId: number,
  f: { ticketId?: number; contactId?: number; limit: number },
) =>
  db.query<NoticeRow>(sql`
    SELECT * FROM notices WHERE workspace_id = ${workspaceId}
      ${f.ticketId ? sql`AND ticket_id = ${f.ticketId}` : sql``}
      ${f.contactId ? sql`AND contact_id = ${f.contactId}` : sql``}
    ORDER BY id DESC LIMIT ${f.limit}`);

/** Counts per kind and status since a time (analytics and the settings page). */
export const stats = (db: Db, workspaceId: number, since: Date) =>
  db.query<{ kind: string; status: string; n: number }>(sql`
    SELECT kind, status, count(*)::int AS n FROM notices
    WHERE workspace_id = ${workspaceId} AND created_at >= ${since.toISOString()}::timestamptz
    GROUP BY kind, status ORDER BY kind, status`);
