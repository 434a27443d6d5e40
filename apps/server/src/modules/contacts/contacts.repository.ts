import { type Db, type SQL, sql } from '../../platform/db/db.ts';

export type ContactRow = {
  id: number;
  workspace_id: number;
  name: string | null;
  email: string | null;
  phone: string | null;
  notes: string;
  tags: string[];
  custom_fields: Record<string, unknown>;
  merged_into_id: number | null;
  created_at: Date;
  updated_at: Date;
  identities: { kind: string; value: string; verified: boolean }[];
  ticket_count?: number;
};

const cols = sql`c.*, coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value, 'verified', i.verified) ORDER BY i.id)
  FROM contact_identities i WHERE i.contact_id = c.id), '[]') AS identities`;

export const findContact = (db: Db, workspaceId: number, id: number) =>
  db.one<ContactRow>(
    sql`SELECT ${cols} FROM contacts c WHERE c.workspace_id = ${workspaceId} AND c.id = ${id}`,
  );

export const findContactIdByIdentity = async (db: Db, workspaceId: number, kind: string, value: string) =>
  (
    await db.one<{ contact_id: number }>(sql`
    SELECT contact_id FROM contact_identities WHERE workspace_id = ${workspaceId} AND kind = ${kind} AND value = ${value}`)
  )?.contact_id;

export async function listContacts(
  db: Db,
  workspaceId: number,
  q: string | undefined,
  limit: number,
  beforeId?: number,
) {
  const filter = q
    ? sql`AND ((coalesce(c.name, '') || ' ' || coalesce(c.email, '')) ILIKE ${`%${q.replace(/[%_\\]/g, '\\$&')}%`} OR c.phone = ${q})`
    : sql``;
  return db.query<ContactRow>(sql`
    SELECT ${cols} FROM contacts c
    WHERE c.workspace_id = ${workspaceId} AND c.merged_into_id IS NULL ${filter} ${beforeId ? sql`AND c.id < ${beforeId}` : sql``}
    ORDER BY c.id DESC LIMIT ${limit}`);
}

export async function insertContact(
  db: Db,
  workspaceId: number,
  c: {
    name?: string | null;
    email?: string | null;
    phone?: string | null;
    notes?: string;
    tags?: string[];
    customFields?: Record<string, unknown>;
  },
): Promise<number> {
  const row = await db.one<{ id: number }>(sql`
    INSERT INTO contacts (workspace_id, name, email, phone, notes, tags, custom_fields)
    VALUES (${workspaceId}, ${c.name ?? null}, ${c.email?.toLowerCase() ?? null}, ${c.phone ?? null}, ${c.notes ?? ''},
            ${c.tags ?? []}, ${JSON.stringify(c.customFields ?? {})}::jsonb)
    RETURNING id`);
  return row!.id;
}

/**
 * Find-or-create by one identity as CTEs another module's statement can start with (a new ticket and
 * its contact in one round trip). `id` is the contact to use: the identity's owner, which is a
 * concurrent winner's contact when ours lost the race; `created` is our new row (delete it then).
 */
export function contactByIdentityCtes(
  workspaceId: number,
  i: { kind: string; value: string; verified: boolean },
  c: { name: string | null; email: string | null; phone: string | null },
): { ctes: SQL; id: SQL; created: SQL; nameEmail: SQL } {
  return {
    ctes: sql`ct_found AS (
      SELECT contact_id FROM contact_identities
      WHERE workspace_id = ${workspaceId} AND kind = ${i.kind} AND value = ${i.value}),
    ct_new AS (
      INSERT INTO contacts (workspace_id, name, email, phone, notes, tags, custom_fields)
      SELECT ${workspaceId}, ${c.name}, ${c.email}, ${c.phone}, '', '{}'::text[], '{}'::jsonb
      WHERE NOT EXISTS (SELECT 1 FROM ct_found)
      RETURNING id),
    ct_ident AS (
      INSERT INTO contact_identities (workspace_id, contact_id, kind, value, verified)
      SELECT ${workspaceId}, ct_new.id, ${i.kind}, ${i.value}, ${i.verified} FROM ct_new
      ON CONFLICT (workspace_id, kind, value) DO UPDATE SET verified = contact_identities.verified OR excluded.verified
      RETURNING contact_id)`,
    id: sql`coalesce((SELECT contact_id FROM ct_found), (SELECT contact_id FROM ct_ident))`,
    created: sql`(SELECT id FROM ct_new)`,
    // The contact's name and email as stored (a row inserted by this statement is not visible to a
    // plain SELECT in it, so a new contact's come from its own values).
    nameEmail: sql`coalesce(
      (SELECT jsonb_build_object('name', name, 'email', email) FROM contacts WHERE id = (SELECT contact_id FROM ct_found)),
      jsonb_build_object('name', ${c.name}::text, 'email', ${c.email}::text))`,
  };
}

/**
 * The usual inbound case in one round trip: the contact that owns this identity, or a new contact with
 * it. `created` is the new row's id; when `owner` differs from it a concurrent insert won the identity.
 */
export async function findOrInsertByIdentity(
  db: Db,
  workspaceId: number,
  i: { kind: string; value: string; verified: boolean },
  c: { name: string | null; email: string | null; phone: string | null },
) {
  const f = contactByIdentityCtes(workspaceId, i, c);
  const row = await db.one<{ id: number; created: number | null }>(sql`
    WITH ${f.ctes} SELECT ${f.id} AS id, ${f.created} AS created`);
  return row!;
}

/** Adds an identity; returns the contact that owns it (another one if it was already taken). */
export async function addIdentity(
  db: Db,
  workspaceId: number,
  contactId: number,
  kind: string,
  value: string,
  verified = false,
) {
  const row = await db.one<{ contact_id: number }>(sql`
    INSERT INTO contact_identities (workspace_id, contact_id, kind, value, verified)
    VALUES (${workspaceId}, ${contactId}, ${kind}, ${value}, ${verified})
    ON CONFLICT (workspace_id, kind, value) DO UPDATE SET verified = contact_identities.verified OR excluded.verified
    RETURNING contact_id`);
  return row!.contact_id;
}

export async function updateContactRow(db: Db, workspaceId: number, id: number, f: Record<string, unknown>) {
  const sets = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) =>
      k === 'custom_fields'
        ? sql`custom_fields = ${JSON.stringify(v)}::jsonb`
        : sql`${sql.identifier(k)} = ${v}`,
    );
  await db.query(
    sql`UPDATE contacts SET ${sql.join([...sets, sql`updated_at = now()`], sql`, `)} WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );
}

/** Locks the given contacts' rows in id order (a fixed order, so two lockers cannot deadlock). */
export const lockContacts = (db: Db, workspaceId: number, ids: number[]) =>
  db.query<{ id: number; merged_into_id: number | null }>(sql`
    SELECT id, merged_into_id FROM contacts WHERE workspace_id = ${workspaceId} AND id = ANY(${ids}::bigint[])
    ORDER BY id FOR UPDATE`);

export async function mergeContactRows(db: Db, workspaceId: number, sourceId: number, targetId: number) {
  await db.query(
    sql`UPDATE contact_identities SET contact_id = ${targetId} WHERE workspace_id = ${workspaceId} AND contact_id = ${sourceId}`,
  );
  await db.query(
    sql`UPDATE contacts SET merged_into_id = ${targetId} WHERE workspace_id = ${workspaceId} AND (id = ${sourceId} OR merged_into_id = ${sourceId})`,
  );
  await db.query(sql`
    UPDATE contacts t SET
      name = coalesce(t.name, s.name), email = coalesce(t.email, s.email), phone = coalesce(t.phone, s.phone),
      notes = CASE WHEN s.notes = '' THEN t.notes WHEN t.notes = '' THEN s.notes ELSE t.notes || E'\n\n' || s.notes END,
      tags = ARRAY(SELECT DISTINCT unnest(t.tags || s.tags)), custom_fields = s.custom_fields || t.custom_fields, updated_at = now()
    FROM contacts s WHERE t.id = ${targetId} AND s.id = ${sourceId} AND t.workspace_id = ${workspaceId}`);
}

export const deleteContactRow = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM contacts WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );

/** The contact and every contact merged into it. */
export const contactIdsIncludingMerged = async (db: Db, workspaceId: number, id: number) =>
  (
    await db.query<{ id: number }>(sql`
    SELECT id FROM contacts WHERE workspace_id = ${workspaceId} AND (id = ${id} OR merged_into_id = ${id})`)
  ).map((r) => r.id);

/** A contact with its identities, as the ticket's delivery and the ticket form need it (one query). */
export const contactCard = (db: Db, workspaceId: number, id: number) =>
  db.one<{
    id: number;
    name: string | null;
    email: string | null;
    phone: string | null;
    identities: { kind: string; value: string }[];
  }>(sql`
    SELECT c.id, c.name, c.email, c.phone,
      coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'value', i.value)) FROM contact_identities i WHERE i.contact_id = c.id), '[]') AS identities
    FROM contacts c WHERE c.workspace_id = ${workspaceId} AND c.id = ${id}`);

/** Right to be forgotten: the contacts keep their ids (tickets point at them) and nothing else. */
export async function anonymiseContacts(db: Db, workspaceId: number, ids: number[]) {
  await db.query(
    sql`DELETE FROM contact_identities WHERE workspace_id = ${workspaceId} AND contact_id = ANY(${ids}::bigint[])`,
  );
  await db.query(sql`
    UPDATE contacts SET name = NULL, email = NULL, phone = NULL, notes = '', tags = '{}',
                        custom_fields = '{}'::jsonb, updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ANY(${ids}::bigint[])`);
}
