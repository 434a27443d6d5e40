import { type Db, sql } from '../../platform/db/db.ts';
import { agentAndTeamNames } from '../agents/index.ts';

/* Order actions: requested, approved, queued, run; each move only from the expected state. */

export interface ActionRow {
  id: number;
  workspace_id: number;
  connection_id: number;
  order_id: number;
  order_number: string;
  ticket_id: number | null;
  kind: string;
  params: Record<string, unknown>;
  amount_minor: number;
  currency: string;
  idempotency_key: string;
  status: 'pending_approval' | 'queued' | 'running' | 'succeeded' | 'failed' | 'rejected';
  approval_reasons: string[];
  requested_by: number | null;
  requested_by_name: string | null;
  decided_by: number | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

const actionSelect = sql`SELECT a.*, o.number AS order_number FROM order_actions a JOIN orders o ON o.id = a.order_id`;

type StoredAction = Omit<ActionRow, 'requested_by_name' | 'decided_by_name'>;

/** The requester's and decider's names, from the agents module (one query for a whole list). */
async function withAgentNames(db: Db, workspaceId: number, rows: StoredAction[]): Promise<ActionRow[]> {
  const ids = new Set<number>();
  for (const r of rows) {
    if (r.requested_by !== null) ids.add(Number(r.requested_by));
    if (r.decided_by !== null) ids.add(Number(r.decided_by));
  }
  const names = ids.size ? (await agentAndTeamNames(db, workspaceId, [...ids], [])).agents : new Map();
  const name = (id: number | null) => (id === null ? null : (names.get(Number(id)) ?? null));
  return rows.map((r) => ({
    ...r,
    requested_by_name: name(r.requested_by),
    decided_by_name: name(r.decided_by),
  }));
}

export const insertAction = async (
  db: Db,
  a: {
    workspaceId: number;
    connectionId: number;
    orderId: number;
    ticketId: number | null;
    kind: string;
    params: unknown;
    amount: number;
    currency: string;
    key: string;
    status: string;
    reasons: string[];
    requestedBy: number | null;
  },
) =>
  (
    await db.one<{ id: number }>(sql`
      INSERT INTO order_actions (workspace_id, connection_id, order_id, ticket_id, kind, params, amount_minor, currency,
        idempotency_key, status, approval_reasons, requested_by)
      VALUES (${a.workspaceId}, ${a.connectionId}, ${a.orderId}, ${a.ticketId}, ${a.kind}, ${JSON.stringify(a.params)}::jsonb,
        ${a.amount}, ${a.currency}, ${a.key}, ${a.status}, ${JSON.stringify(a.reasons)}::jsonb, ${a.requestedBy})
      ON CONFLICT (workspace_id, idempotency_key) DO NOTHING RETURNING id`)
  )?.id ?? null;

const oneAction = async (db: Db, workspaceId: number, row: StoredAction | undefined) =>
  row ? (await withAgentNames(db, workspaceId, [row]))[0] : undefined;

export const findAction = async (db: Db, workspaceId: number, id: number) =>
  oneAction(
    db,
    workspaceId,
    await db.one<StoredAction>(sql`${actionSelect} WHERE a.workspace_id = ${workspaceId} AND a.id = ${id}`),
  );

export const findActionByKey = async (db: Db, workspaceId: number, key: string) =>
  oneAction(
    db,
    workspaceId,
    await db.one<StoredAction>(
      sql`${actionSelect} WHERE a.workspace_id = ${workspaceId} AND a.idempotency_key = ${key}`,
    ),
  );

export const listActions = async (
  db: Db,
  workspaceId: number,
  q: { status?: string; orderId?: number; ticketId?: number; limit: number },
) =>
  withAgentNames(
    db,
    workspaceId,
    await db.query<StoredAction>(sql`${actionSelect} WHERE a.workspace_id = ${workspaceId}
    ${q.status ? sql`AND a.status = ${q.status}` : sql``}
    ${q.orderId ? sql`AND a.order_id = ${q.orderId}` : sql``}
    ${q.ticketId ? sql`AND a.ticket_id = ${q.ticketId}` : sql``}
    ORDER BY a.id DESC LIMIT ${q.limit}`),
  );

/** Moves an action between states only from the expected state: the row lock decides races. */
export const transitionAction = async (
  db: Db,
  workspaceId: number,
  id: number,
  from: string[],
  to: string,
  fields: {
    decided_by?: number;
    decision_note?: string | null;
    result?: unknown;
    error?: string | null;
    /** The amount the store reports it actually gave. */
    amount?: number;
  } = {},
) =>
  (
    await db.one<{ id: number }>(sql`UPDATE order_actions SET status = ${to}, updated_at = now()
      ${fields.decided_by !== undefined ? sql`, decided_by = ${fields.decided_by}, decided_at = now()` : sql``}
      ${fields.decision_note !== undefined ? sql`, decision_note = ${fields.decision_note}` : sql``}
      ${fields.result !== undefined ? sql`, result = ${JSON.stringify(fields.result)}::jsonb` : sql``}
      ${fields.error !== undefined ? sql`, error = ${fields.error}` : sql``}
      ${fields.amount !== undefined ? sql`, amount_minor = ${fields.amount}` : sql``}
      WHERE workspace_id = ${workspaceId} AND id = ${id} AND status = ANY(${from}::text[]) RETURNING id`)
  )?.id ?? null;

export const staleRunningActions = (db: Db, workspaceId: number, id: number, olderThanSeconds: number) =>
  db.one<{ id: number }>(sql`SELECT id FROM order_actions WHERE workspace_id = ${workspaceId} AND id = ${id}
    AND status = 'running' AND updated_at < now() - make_interval(secs => ${olderThanSeconds})`);
