import { type Db, sql } from '../../platform/db/db.ts';

/* Money grants: the one ledger of money given, for the policy's limits. */

/** Serialises money decisions of one workspace, so two simultaneous split requests cannot both pass. */
export const lockMoney = (db: Db, workspaceId: number) =>
  db.query(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`money:${workspaceId}`}, 0))`);

/** Money given (and, with `pending`, awaiting approval) for this order or these contacts in the window. */
export const sumMoneyGrants = async (
  db: Db,
  q: {
    workspaceId: number;
    orderId: number | null;
    contactIds: number[];
    currency: string;
    hours: number;
    statuses: ('pending' | 'granted')[];
    except?: { source: string; sourceId: number };
  },
) =>
  Number(
    (
      await db.one<{ total: string | number }>(sql`SELECT coalesce(sum(value_minor), 0)::bigint AS total
        FROM money_grants WHERE workspace_id = ${q.workspaceId} AND currency = ${q.currency}
        AND status = ANY(${q.statuses}::text[])
        AND created_at > now() - make_interval(hours => ${q.hours})
        AND (order_id = ${q.orderId ?? 0} OR contact_id = ANY(${q.contactIds}::bigint[]))
        ${q.except ? sql`AND NOT (source = ${q.except.source} AND source_id = ${q.except.sourceId})` : sql``}`)
    )?.total ?? 0,
  );

export const insertMoneyGrant = (
  db: Db,
  g: {
    workspaceId: number;
    source: string;
    sourceId: number;
    kind: string;
    orderId: number | null;
    contactId: number | null;
    value: number;
    currency: string;
    status: 'pending' | 'granted';
    requestedBy: number | null;
  },
) =>
  db.query(sql`INSERT INTO money_grants (workspace_id, source, source_id, kind, order_id, contact_id, value_minor,
      currency, status, requested_by)
    VALUES (${g.workspaceId}, ${g.source}, ${g.sourceId}, ${g.kind}, ${g.orderId}, ${g.contactId}, ${g.value},
      ${g.currency}, ${g.status}, ${g.requestedBy})
    ON CONFLICT (workspace_id, source, source_id) DO NOTHING`);

export const findMoneyGrant = (db: Db, workspaceId: number, source: string, sourceId: number) =>
  db.one<{
    id: number;
    kind: string;
    order_id: number | null;
    contact_id: number | null;
    value_minor: number;
    currency: string;
    status: string;
  }>(sql`SELECT id, kind, order_id, contact_id, value_minor, currency, status FROM money_grants
    WHERE workspace_id = ${workspaceId} AND source = ${source} AND source_id = ${sourceId}`);

export const setMoneyGrant = (
  db: Db,
  workspaceId: number,
  source: string,
  sourceId: number,
  fields: { status?: 'pending' | 'granted' | 'void'; value?: number },
) =>
  db.query(sql`UPDATE money_grants SET updated_at = now()
    ${fields.status ? sql`, status = ${fields.status}` : sql``}
    ${fields.value !== undefined ? sql`, value_minor = ${fields.value}` : sql``}
    WHERE workspace_id = ${workspaceId} AND source = ${source} AND source_id = ${sourceId}`);
