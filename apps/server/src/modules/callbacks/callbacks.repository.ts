import { type Db, sql } from '../../platform/db/db.ts';

/** All SQL for the callbacks module's tables: tasks, click-to-call calls and agents' call phones. */

export interface TaskRow {
  id: number;
  workspace_id: number;
  ticket_id: number;
  account_id: number | null;
  reason: 'voicemail' | 'missed-call' | 'manual';
  phone: string | null;
  due_at: Date;
  status: 'open' | 'done';
  outcome: string | null;
  note: string;
  completed_by: number | null;
  completed_at: Date | null;
  created_at: Date;
}
export interface CallRow {
  id: number;
  workspace_id: number;
  task_id: number | null;
  ticket_id: number;
  agent_id: number | null;
  call_sid: string | null;
  agent_phone: string;
  customer_phone: string;
  status: string;
  outcome: string | null;
  duration_seconds: number | null;
  error: string | null;
  created_at: Date;
  ended_at: Date | null;
}

/** Opens a task; null when this message already opened one (a replayed event). */
export const insertTask = (
  db: Db,
  t: {
    workspaceId: number;
    ticketId: number;
    messageId: number | null;
    accountId: number | null;
    reason: TaskRow['reason'];
    phone: string | null;
    dueAt: Date;
    note?: string;
    createdBy?: number | null;
  },
) =>
  db.one<TaskRow>(sql`
    INSERT INTO callback_tasks (workspace_id, ticket_id, message_id, account_id, reason, phone, due_at, note, created_by)
    VALUES (${t.workspaceId}, ${t.ticketId}, ${t.messageId}, ${t.accountId}, ${t.reason}, ${t.phone},
      ${t.dueAt}, ${t.note ?? ''}, ${t.createdBy ?? null})
    ON CONFLICT (workspace_id, message_id) WHERE message_id IS NOT NULL DO NOTHING
    RETURNING *`);

export const findTask = (db: Db, workspaceId: number, id: number) =>
  db.one<TaskRow>(sql`SELECT * FROM callback_tasks WHERE workspace_id = ${workspaceId} AND id = ${id}`);

export function listTasks(
  db: Db,
  workspaceId: number,
  q: { status: 'open' | 'done' | 'all'; overdue?: boolean; ticketId?: number; limit: number },
) {
  const status = q.status === 'all' ? sql`` : sql` AND status = ${q.status}`;
  const overdue = q.overdue ? sql` AND status = 'open' AND due_at < now()` : sql``;
  const ticket = q.ticketId ? sql` AND ticket_id = ${q.ticketId}` : sql``;
  const order = q.status === 'done' ? sql`completed_at DESC, id DESC` : sql`status, due_at, id`;
  return db.query<TaskRow>(sql`
    SELECT * FROM callback_tasks WHERE workspace_id = ${workspaceId}${status}${overdue}${ticket}
    ORDER BY ${order} LIMIT ${q.limit}`);
}

/** Closes an open task; null when it was already done (a second click, a replayed request). */
export const completeTask = (
  db: Db,
  workspaceId: number,
  id: number,
  c: { outcome: string; note: string; by: number },
) =>
  db.one<TaskRow>(sql`
    UPDATE callback_tasks SET status = 'done', outcome = ${c.outcome}, note = ${c.note},
      completed_by = ${c.by}, completed_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id} AND status = 'open' RETURNING *`);

export const callsOfTickets = (db: Db, workspaceId: number, ticketIds: number[]) =>
  ticketIds.length
    ? db.query<CallRow>(sql`
        SELECT * FROM callback_calls WHERE workspace_id = ${workspaceId} AND ticket_id = ANY(${ticketIds}::bigint[])
        ORDER BY id`)
    : Promise.resolve([] as CallRow[]);

export const insertCall = (
  db: Db,
  c: {
    workspaceId: number;
    taskId: number | null;
    ticketId: number;
    agentId: number;
    agentPhone: string;
    customerPhone: string;
  },
) =>
  db.one<CallRow>(sql`
    INSERT INTO callback_calls (workspace_id, task_id, ticket_id, agent_id, agent_phone, customer_phone)
    VALUES (${c.workspaceId}, ${c.taskId}, ${c.ticketId}, ${c.agentId}, ${c.agentPhone}, ${c.customerPhone})
    RETURNING *`) as Promise<CallRow>;

export const placedCall = (db: Db, id: number, callSid: string, status: string) =>
  db.query(sql`UPDATE callback_calls SET call_sid = ${callSid}, status = ${status} WHERE id = ${id}`);

/** Twilio refused to place the call: it ends at once with the reason. */
export const refusedCall = (db: Db, id: number, error: string) =>
  db.one<CallRow>(sql`
    UPDATE callback_calls SET status = 'failed', outcome = 'failed', error = ${error}, ended_at = now()
    WHERE id = ${id} RETURNING *`);

export const findCallBySid = (db: Db, workspaceId: number, callSid: string) =>
  db.one<CallRow>(
    sql`SELECT * FROM callback_calls WHERE workspace_id = ${workspaceId} AND call_sid = ${callSid}`,
  );

export const updateCallStatus = (db: Db, id: number, status: string) =>
  db.query(sql`UPDATE callback_calls SET status = ${status} WHERE id = ${id}`);

/** Sets the outcome once: null when it was already set (Twilio retried its callback). */
export const setCallOutcome = (
  db: Db,
  id: number,
  o: { outcome: string; status?: string; durationSeconds: number | null },
) =>
  db.one<CallRow>(sql`
    UPDATE callback_calls SET outcome = ${o.outcome}, status = coalesce(${o.status ?? null}, status),
      duration_seconds = ${o.durationSeconds}, ended_at = now()
    WHERE id = ${id} AND outcome IS NULL RETURNING *`);

export const agentPhone = async (db: Db, workspaceId: number, agentId: number) =>
  (
    await db.one<{ phone: string }>(sql`
      SELECT phone FROM callback_agent_phones WHERE workspace_id = ${workspaceId} AND agent_id = ${agentId}`)
  )?.phone ?? null;

export const setAgentPhone = (db: Db, workspaceId: number, agentId: number, phone: string | null) =>
  phone
    ? db.query(sql`
        INSERT INTO callback_agent_phones (workspace_id, agent_id, phone) VALUES (${workspaceId}, ${agentId}, ${phone})
        ON CONFLICT (workspace_id, agent_id) DO UPDATE SET phone = EXCLUDED.phone, updated_at = now()`)
    : db.query(
        sql`DELETE FROM callback_agent_phones WHERE workspace_id = ${workspaceId} AND agent_id = ${agentId}`,
      );
