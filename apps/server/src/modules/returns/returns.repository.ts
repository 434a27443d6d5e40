import { type Db, sql } from '../../platform/db/db.ts';

/* All SQL of the returns module's own tables: return_policies, returns, return_lines, return_events. */

export interface ReturnRow {
  id: number;
  workspace_id: number;
  rma: string;
  order_id: number;
  order_number: string;
  contact_id: number | null;
  email: string | null;
  ticket_id: number | null;
  status: string;
  outcome: string;
  currency: string;
  value_minor: number;
  fee_minor: number;
  bonus_minor: number;
  decision_reasons: string[];
  decline_reason: string | null;
  created_by: 'shopper' | 'agent' | 'store';
  created_by_agent: number | null;
  locale: string;
  exchange_variant: string | null;
  external_id: string | null;
  order_action_id: number | null;
  error: string | null;
  idempotency_key: string | null;
  approved_at: Date | null;
  received_at: Date | null;
  resolved_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface LineRow {
  id: number;
  return_id: number;
  line_item_id: number;
  line_external_id: string;
  title: string;
  sku: string | null;
  quantity: number;
  unit_minor: number;
  reason: string;
  sub_reason: string | null;
  note: string | null;
  photos: { id: string; contentType: string }[];
  condition: string | null;
  restock: boolean | null;
  outcome: string | null;
  amount_minor: number | null;
  fee_minor: number;
  bonus_minor: number;
  order_action_id: number | null;
}

export interface EventRow {
  id: number;
  return_id: number;
  type: string;
  actor_agent_id: number | null;
  actor_name: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

export const getPolicy = async (db: Db, workspaceId: number) =>
  (
    await db.one<{ policy: unknown }>(
      sql`SELECT policy FROM return_policies WHERE workspace_id = ${workspaceId}`,
    )
  )?.policy;

export const putPolicy = (db: Db, workspaceId: number, policy: unknown) =>
  db.query(sql`INSERT INTO return_policies (workspace_id, policy) VALUES (${workspaceId}, ${JSON.stringify(policy)}::jsonb)
    ON CONFLICT (workspace_id) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`);

export async function insertReturn(
  db: Db,
  r: {
    workspaceId: number;
    rma: string;
    orderId: number;
    orderNumber: string;
    contactId: number | null;
    email: string | null;
    ticketId: number | null;
    status: string;
    outcome: string;
    currency: string;
    value: number;
    fee: number;
    bonus: number;
    reasons: string[];
    createdBy: 'shopper' | 'agent' | 'store';
    createdByAgent: number | null;
    locale: string;
    exchangeVariant: string | null;
    externalId?: string | null;
    key: string | null;
  },
) {
  return (
    await db.one<{
      id: number;
    }>(sql`INSERT INTO returns (workspace_id, rma, order_id, order_number, contact_id, email,
        ticket_id, status, outcome, currency, value_minor, fee_minor, bonus_minor, decision_reasons, created_by,
        created_by_agent, locale, exchange_variant, external_id, idempotency_key, approved_at)
      VALUES (${r.workspaceId}, ${r.rma}, ${r.orderId}, ${r.orderNumber}, ${r.contactId}, ${r.email}, ${r.ticketId},
        ${r.status}, ${r.outcome}, ${r.currency}, ${r.value}, ${r.fee}, ${r.bonus}, ${JSON.stringify(r.reasons)}::jsonb,
        ${r.createdBy}, ${r.createdByAgent}, ${r.locale}, ${r.exchangeVariant}, ${r.externalId ?? null}, ${r.key},
        ${r.status === 'approved' ? sql`now()` : sql`NULL`})
      ON CONFLICT DO NOTHING RETURNING id`)
  )?.id;
}

export async function insertLines(
  db: Db,
  workspaceId: number,
  returnId: number,
  lines: {
    lineItemId: number;
    lineExternalId: string;
    title: string;
    sku: string | null;
    quantity: number;
    unit: number;
    reason: string;
    subReason: string | null;
    note: string | null;
    photos: { id: string; contentType: string }[];
    outcome: string;
    amount: number;
    fee: number;
    bonus: number;
  }[],
) {
  if (!lines.length) return;
  await db.query(sql`INSERT INTO return_lines (workspace_id, return_id, line_item_id, line_external_id, title, sku,
      quantity, unit_minor, reason, sub_reason, note, photos, outcome, amount_minor, fee_minor, bonus_minor)
    SELECT ${workspaceId}, ${returnId}, x.line_item_id, x.line_external_id, x.title, x.sku, x.quantity, x.unit_minor,
      x.reason, x.sub_reason, x.note, x.photos, x.outcome, x.amount_minor, x.fee_minor, x.bonus_minor
    FROM jsonb_to_recordset(${JSON.stringify(
      lines.map((l) => ({
        line_item_id: l.lineItemId,
        line_external_id: l.lineExternalId,
        title: l.title,
        sku: l.sku,
        quantity: l.quantity,
        unit_minor: l.unit,
        reason: l.reason,
        sub_reason: l.subReason,
        note: l.note,
        photos: l.photos,
        outcome: l.outcome,
        amount_minor: l.amount,
        fee_minor: l.fee,
        bonus_minor: l.bonus,
      })),
    )}::jsonb) AS x(line_item_id bigint, line_external_id text, title text, sku text, quantity int, unit_minor bigint,
      reason text, sub_reason text, note text, photos jsonb, outcome text, amount_minor bigint, fee_minor bigint,
      bonus_minor bigint)`);
}

export const insertEvent = (
  db: Db,
  e: {
    workspaceId: number;
    returnId: number;
    type: string;
    actorAgentId: number | null;
    actorName: string | null;
    data: Record<string, unknown>;
  },
) =>
  db.query(sql`INSERT INTO return_events (workspace_id, return_id, type, actor_agent_id, actor_name, data)
    VALUES (${e.workspaceId}, ${e.returnId}, ${e.type}, ${e.actorAgentId}, ${e.actorName}, ${JSON.stringify(e.data)}::jsonb)`);

export const findReturn = (db: Db, workspaceId: number, id: number) =>
  db.one<ReturnRow>(sql`SELECT * FROM returns WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const findReturnForUpdate = (db: Db, workspaceId: number, id: number) =>
  db.one<ReturnRow>(sql`SELECT * FROM returns WHERE workspace_id = ${workspaceId} AND id = ${id} FOR UPDATE`);

export const findByKey = (db: Db, workspaceId: number, key: string) =>
  db.one<ReturnRow>(
    sql`SELECT * FROM returns WHERE workspace_id = ${workspaceId} AND idempotency_key = ${key}`,
  );

export const findByExternal = (db: Db, workspaceId: number, orderId: number, externalId: string) =>
  db.one<ReturnRow>(sql`SELECT * FROM returns WHERE workspace_id = ${workspaceId} AND order_id = ${orderId}
    AND external_id = ${externalId}`);

export const returnsOfOrder = (db: Db, workspaceId: number, orderId: number) =>
  db.query<ReturnRow>(
    sql`SELECT * FROM returns WHERE workspace_id = ${workspaceId} AND order_id = ${orderId} ORDER BY id`,
  );

export async function listReturns(
  db: Db,
  workspaceId: number,
  q: {
    status?: string;
    reason?: string;
    orderId?: number;
    ticketId?: number;
    contactIds?: number[];
    overdue?: boolean;
    before?: number;
    limit: number;
  },
) {
  return db.query<ReturnRow>(sql`SELECT r.* FROM returns r WHERE r.workspace_id = ${workspaceId}
    ${q.status ? sql`AND r.status = ${q.status}` : sql``}
    ${q.orderId ? sql`AND r.order_id = ${q.orderId}` : sql``}
    ${q.ticketId ? sql`AND r.ticket_id = ${q.ticketId}` : sql``}
    ${q.contactIds ? sql`AND r.contact_id = ANY(${q.contactIds}::bigint[])` : sql``}
    ${q.overdue ? sql`AND r.status = 'approved' AND r.outcome <> 'keep' AND r.approved_at < now() - interval '14 days'` : sql``}
    ${q.reason ? sql`AND EXISTS (SELECT 1 FROM return_lines l WHERE l.return_id = r.id AND l.reason = ${q.reason})` : sql``}
    ${q.before ? sql`AND r.id < ${q.before}` : sql``}
    ORDER BY r.id DESC LIMIT ${q.limit}`);
}

export const linesOf = (db: Db, returnIds: number[]) =>
  returnIds.length
    ? db.query<LineRow>(
        sql`SELECT * FROM return_lines WHERE return_id = ANY(${returnIds}::bigint[]) ORDER BY id`,
      )
    : Promise.resolve([]);

export const eventsOf = (db: Db, returnIds: number[]) =>
  returnIds.length
    ? db.query<EventRow>(
        sql`SELECT * FROM return_events WHERE return_id = ANY(${returnIds}::bigint[]) ORDER BY id`,
      )
    : Promise.resolve([]);

/**
 * Units of each line of an order in returns: `open` in returns not yet refunded or credited (awaiting
 * review, approved, received, exchanged), `resolved` in returns whose refund or credit went through
 * (these also show in the order's refunded quantities once the store reports them).
 */
export async function quantitiesInReturns(db: Db, workspaceId: number, orderId: number) {
  const rows = await db.query<{ line_item_id: number; open: number; resolved: number }>(sql`
    SELECT l.line_item_id,
      sum(l.quantity) FILTER (WHERE r.status IN ('needs_review', 'approved', 'received', 'exchanged'))::int AS open,
      sum(l.quantity) FILTER (WHERE r.status IN ('refunded', 'credited'))::int AS resolved
    FROM return_lines l JOIN returns r ON r.id = l.return_id
    WHERE r.workspace_id = ${workspaceId} AND r.order_id = ${orderId}
    GROUP BY l.line_item_id`);
  return new Map(rows.map((r) => [r.line_item_id, { open: r.open ?? 0, resolved: r.resolved ?? 0 }]));
}

/** Returns started by these contacts in the last 365 days (serial-returner rule). */
export const returnsOfContacts = async (db: Db, workspaceId: number, contactIds: number[]) =>
  contactIds.length
    ? Number(
        (
          await db.one<{
            n: number;
          }>(sql`SELECT count(*)::int AS n FROM returns WHERE workspace_id = ${workspaceId}
            AND contact_id = ANY(${contactIds}::bigint[]) AND created_at > now() - interval '365 days'
            AND status NOT IN ('cancelled')`)
        )?.n ?? 0,
      )
    : 0;

export const setStatus = (
  db: Db,
  workspaceId: number,
  id: number,
  from: string[],
  to: string,
  f: {
    declineReason?: string | null;
    error?: string | null;
    actionId?: number | null;
    ticketId?: number | null;
    reasons?: string[];
  } = {},
) =>
  db.one<ReturnRow>(sql`UPDATE returns SET status = ${to}, updated_at = now()
      ${to === 'approved' ? sql`, approved_at = coalesce(approved_at, now())` : sql``}
      ${to === 'received' ? sql`, received_at = coalesce(received_at, now())` : sql``}
      ${['refunded', 'credited', 'exchanged'].includes(to) ? sql`, resolved_at = now()` : sql``}
      ${f.declineReason !== undefined ? sql`, decline_reason = ${f.declineReason}` : sql``}
      ${f.error !== undefined ? sql`, error = ${f.error}` : sql``}
      ${f.actionId !== undefined ? sql`, order_action_id = ${f.actionId}` : sql``}
      ${f.ticketId !== undefined ? sql`, ticket_id = ${f.ticketId}` : sql``}
      ${f.reasons ? sql`, decision_reasons = ${JSON.stringify(f.reasons)}::jsonb` : sql``}
    WHERE workspace_id = ${workspaceId} AND id = ${id} AND status = ANY(${from}::text[]) RETURNING *`);

export const setError = (
  db: Db,
  workspaceId: number,
  id: number,
  error: string | null,
  actionId: number | null,
) =>
  db.query(sql`UPDATE returns SET error = ${error}, order_action_id = coalesce(${actionId}, order_action_id),
    updated_at = now() WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export const setExternal = (db: Db, workspaceId: number, id: number, externalId: string) =>
  db.query(sql`UPDATE returns SET external_id = ${externalId}, updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id} AND external_id IS NULL`);

export const inspectLine = (
  db: Db,
  workspaceId: number,
  returnId: number,
  lineId: number,
  condition: string,
  restock: boolean,
) =>
  db.query(sql`UPDATE return_lines SET condition = ${condition}, restock = ${restock}
    WHERE workspace_id = ${workspaceId} AND return_id = ${returnId} AND id = ${lineId}`);

/** The store action that resolved these lines (a retry skips them). */
export const setLinesAction = (
  db: Db,
  workspaceId: number,
  returnId: number,
  lineIds: number[],
  actionId: number,
) =>
  db.query(sql`UPDATE return_lines SET order_action_id = ${actionId}
    WHERE workspace_id = ${workspaceId} AND return_id = ${returnId} AND id = ANY(${lineIds}::bigint[])`);

/** "Wrong item", "damaged", "not as described" returns grouped by SKU over the last `days` days. */
export const errorClusters = (db: Db, workspaceId: number, reasons: string[], days: number) =>
  db.query<{ reason: string; sku: string | null; title: string; count: number; units: number }>(sql`
    SELECT l.reason, l.sku, min(l.title) AS title, count(DISTINCT l.return_id)::int AS count, sum(l.quantity)::int AS units
    FROM return_lines l JOIN returns r ON r.id = l.return_id
    WHERE l.workspace_id = ${workspaceId} AND l.reason = ANY(${reasons}::text[])
      AND r.created_at > now() - make_interval(days => ${days}) AND r.status NOT IN ('cancelled')
    GROUP BY l.reason, l.sku HAVING count(DISTINCT l.return_id) >= 2
    ORDER BY count(DISTINCT l.return_id) DESC LIMIT 20`);
