import type { ListTicketsQuery } from '@shopdesk/contracts';
import { type Db, type SQL, sql } from '../../platform/db/db.ts';

/* The tickets table: one ticket, filtered pages and counts, field writes, and the agents a ticket can name. */

export type TicketRow = {
  id: number;
  workspace_id: number;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  contact_id: number | null;
  assignee_id: number | null;
  team_id: number | null;
  tags: string[];
  custom_fields: Record<string, unknown>;
  version: number;
  message_count: number;
  last_message_preview: string;
  last_message_at: Date;
  last_inbound_at: Date | null;
  first_response_at: Date | null;
  solved_at: Date | null;
  closed_at: Date | null;
  merged_into_id: number | null;
  created_at: Date;
  updated_at: Date;
  contact_name: string | null;
  contact_email: string | null;
};

const ticketCols = sql`t.id, t.workspace_id, t.subject, t.status, t.priority, t.channel, t.contact_id, t.assignee_id, t.team_id, t.tags,
  t.custom_fields, t.version, t.message_count, t.last_message_preview, t.last_message_at, t.last_inbound_at, t.first_response_at,
  t.solved_at, t.closed_at, t.merged_into_id, t.created_at, t.updated_at, c.name AS contact_name, c.email AS contact_email`;

export const findTicket = (db: Db, workspaceId: number, id: number, forUpdate = false) =>
  db.one<TicketRow>(sql`
    SELECT ${ticketCols} FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id
    WHERE t.workspace_id = ${workspaceId} AND t.id = ${id} ${forUpdate ? sql`FOR UPDATE OF t` : sql``}`);

export interface TicketFilter
  extends Omit<ListTicketsQuery, 'view' | 'limit' | 'cursor' | 'sort' | 'assignee'> {
  assignee?: number | 'none';
  contactIds?: number[];
}

function whereOf(workspaceId: number, f: TicketFilter): SQL {
  const parts: SQL[] = [sql`t.workspace_id = ${workspaceId}`];
  if (f.status) {
    const statuses =
      f.status === 'active'
        ? ['new', 'open', 'pending', 'on-hold']
        : f.status.split(',').map((s) => s.trim());
    parts.push(
      statuses.length === 1 ? sql`t.status = ${statuses[0]}` : sql`t.status = ANY(${statuses}::text[])`,
    );
  }
  if (f.assignee === 'none') parts.push(sql`t.assignee_id IS NULL`);
  else if (f.assignee) parts.push(sql`t.assignee_id = ${f.assignee}`);
  if (f.team === 'none') parts.push(sql`t.team_id IS NULL`);
  else if (f.team) parts.push(sql`t.team_id = ${Number(f.team)}`);
  if (f.channel) parts.push(sql`t.channel = ${f.channel}`);
  if (f.priority) parts.push(sql`t.priority = ${f.priority}`);
  if (f.tag) parts.push(sql`t.tags @> ${[f.tag]}::text[]`);
  if (f.contactIds) parts.push(sql`t.contact_id = ANY(${f.contactIds}::bigint[])`);
  // SLA state is the sla module's read model (one row per ticket with clocks); only read here.
  if (f.sla === 'breached')
    parts.push(sql`EXISTS (SELECT 1 FROM sla_ticket_status sb
      WHERE sb.ticket_id = t.id AND (sb.breached OR sb.next_due_at <= now()))`);
  return sql.join(parts, sql` AND `);
}

const sorts = {
  last_message_desc: { col: sql`t.last_message_at`, field: 'last_message_at', dir: 'desc' },
  last_message_asc: { col: sql`t.last_message_at`, field: 'last_message_at', dir: 'asc' },
  created_desc: { col: sql`t.created_at`, field: 'created_at', dir: 'desc' },
  created_asc: { col: sql`t.created_at`, field: 'created_at', dir: 'asc' },
  sla_due_asc: { col: sql`t.sla_due_at`, field: 'sla_due_at', dir: 'asc' },
} as const;
export type SortKey = keyof typeof sorts;

/**
 * Keyset pagination: the cursor is the (sort value, id) of the last row seen. Only the SLA sort has
 * empty values (tickets without clocks, listed last): a null cursor value means "in that tail".
 */
export async function listTickets(
  db: Db,
  workspaceId: number,
  f: TicketFilter,
  sort: SortKey,
  limit: number,
  after?: [string | null, number],
) {
  const s = sorts[sort];
  const where = whereOf(workspaceId, f);
  if (sort === 'sla_due_asc') {
    // Due times come from the sla module's read model; a ticket without one sorts after all others.
    const cursor = !after
      ? sql``
      : after[0] === null
        ? sql`AND sd.next_due_at IS NULL AND t.id > ${after[1]}`
        : sql`AND (sd.next_due_at IS NULL OR (sd.next_due_at, t.id) > (${after[0]}::timestamptz, ${after[1]}))`;
    const rows = await db.query<TicketRow & { sla_due_at: Date | null }>(sql`
      SELECT ${ticketCols}, t.sla_due_at FROM (
        SELECT t.*, sd.next_due_at AS sla_due_at FROM tickets t
        LEFT JOIN sla_ticket_status sd ON sd.ticket_id = t.id
        WHERE ${where} ${cursor}
        ORDER BY sd.next_due_at ASC NULLS LAST, t.id ASC LIMIT ${limit}
      ) t LEFT JOIN contacts c ON c.id = t.contact_id
      ORDER BY t.sla_due_at ASC NULLS LAST, t.id ASC`);
    return { rows, field: s.field };
  }
  const cmp = s.dir === 'desc' ? sql`<` : sql`>`;
  const order = s.dir === 'desc' ? sql`DESC` : sql`ASC`;
  const cursor = after ? sql`AND (${s.col}, t.id) ${cmp} (${after[0]}::timestamptz, ${after[1]})` : sql``;
  // The page is cut before contacts are joined: otherwise the planner may join every matching ticket
  // (thousands in a big inbox) and sort afterwards.
  const rows = await db.query<TicketRow>(sql`
    SELECT ${ticketCols} FROM (
      SELECT t.* FROM tickets t WHERE ${where} ${cursor}
      ORDER BY ${s.col} ${order}, t.id ${order} LIMIT ${limit}
    ) t LEFT JOIN contacts c ON c.id = t.contact_id
    ORDER BY ${s.col} ${order}, t.id ${order}`);
  return { rows, field: s.field };
}

export async function countTickets(db: Db, workspaceId: number, f: TicketFilter): Promise<number> {
  const r = await db.one<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM tickets t WHERE ${whereOf(workspaceId, f)}`,
  );
  return r?.n ?? 0;
}

export async function insertTicket(
  db: Db,
  t: {
    workspaceId: number;
    subject: string;
    status: string;
    priority: string;
    channel: string;
    contactId: number | null;
    assigneeId: number | null;
    teamId: number | null;
    tags: string[];
    customFields: Record<string, unknown>;
    /**
     * The inbound message about to be stored with it: the row is written once with its counters,
     * instead of inserted and then bumped (an UPDATE that rewrites every index of a hot table).
     */
    firstInbound?: { preview: string; at: Date };
  },
): Promise<number> {
  const first = t.firstInbound;
  const at = first ? first.at.toISOString() : null;
  const row = await db.one<{ id: number }>(sql`
    INSERT INTO tickets (workspace_id, subject, status, priority, channel, contact_id, assignee_id, team_id, tags, custom_fields,
                         message_count, last_message_at, last_message_preview, last_inbound_at)
    VALUES (${t.workspaceId}, ${t.subject}, ${t.status}, ${t.priority}, ${t.channel}, ${t.contactId}, ${t.assigneeId}, ${t.teamId},
            ${t.tags}, ${JSON.stringify(t.customFields)}::jsonb,
            ${first ? 1 : 0}, coalesce(${at}::timestamptz, now()), ${first?.preview ?? ''}, ${at}::timestamptz)
    RETURNING id`);
  return row!.id;
}

export async function updateTicketRow(db: Db, workspaceId: number, id: number, f: Record<string, unknown>) {
  const sets = Object.entries(f)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) =>
      k === 'custom_fields'
        ? sql`custom_fields = ${JSON.stringify(v)}::jsonb`
        : v instanceof Date
          ? sql`${sql.identifier(k)} = ${v.toISOString()}::timestamptz`
          : sql`${sql.identifier(k)} = ${v}`,
    );
  await db.query(sql`
    UPDATE tickets SET ${sql.join([...sets, sql`version = version + 1`, sql`updated_at = now()`], sql`, `)}
    WHERE workspace_id = ${workspaceId} AND id = ${id}`);
}

export const repointContact = (db: Db, workspaceId: number, from: number, to: number) =>
  db.query(
    sql`UPDATE tickets SET contact_id = ${to} WHERE workspace_id = ${workspaceId} AND contact_id = ${from}`,
  );

/** An agent who can own a ticket: active and allowed to write (a read-only account cannot work it). */
export const agentExists = async (db: Db, workspaceId: number, id: number) =>
  !!(await db.one(
    sql`SELECT 1 FROM agents WHERE workspace_id = ${workspaceId} AND id = ${id} AND active AND role <> 'read-only'`,
  ));
export const agentName = async (db: Db, id: number | null) =>
  id ? ((await db.one<{ name: string }>(sql`SELECT name FROM agents WHERE id = ${id}`))?.name ?? null) : null;
