import { type Db, sql } from '../../platform/db/db.ts';
import type { ConditionDef } from './conditions.ts';

export type AutomationRow = {
  id: number;
  name: string;
  kind: 'trigger' | 'scheduled';
  events: string[];
  conditions: { all: ConditionDef[]; any: ConditionDef[] };
  actions: { type: string; [k: string]: unknown }[];
  position: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
};

const cols = sql`id, name, kind, events, conditions, actions, position, active, created_at, updated_at`;

export const listAutomations = (db: Db, workspaceId: number) =>
  db.query<AutomationRow>(
    sql`SELECT ${cols} FROM automations WHERE workspace_id = ${workspaceId} ORDER BY kind, position, id`,
  );

/** Every active trigger of the workspace, in run order (the service keeps them per workspace). */
export const activeTriggers = (db: Db, workspaceId: number) =>
  db.query<AutomationRow>(sql`
    SELECT ${cols} FROM automations WHERE workspace_id = ${workspaceId} AND active AND kind = 'trigger'
    ORDER BY position, id`);

/** Active scheduled automations of one workspace, or of all (the hourly job), in run order. */
export const activeScheduled = (db: Db, workspaceId?: number) =>
  db.query<AutomationRow & { workspace_id: number }>(sql`
    SELECT ${cols}, workspace_id FROM automations WHERE active AND kind = 'scheduled'
      ${workspaceId === undefined ? sql`` : sql`AND workspace_id = ${workspaceId}`}
    ORDER BY workspace_id, position, id`);

export const findAutomation = (db: Db, workspaceId: number, id: number) =>
  db.one<AutomationRow>(
    sql`SELECT ${cols} FROM automations WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

export interface AutomationFields {
  name: string;
  kind: string;
  events: string[];
  conditions: unknown;
  actions: unknown;
  active: boolean;
  position?: number;
}

export const insertAutomation = (db: Db, workspaceId: number, a: AutomationFields) =>
  db.one<AutomationRow>(sql`
    INSERT INTO automations (workspace_id, name, kind, events, conditions, actions, active, position)
    VALUES (${workspaceId}, ${a.name}, ${a.kind}, ${a.events}::text[], ${JSON.stringify(a.conditions)}::jsonb,
      ${JSON.stringify(a.actions)}::jsonb, ${a.active},
      coalesce(${a.position ?? null}::int, (SELECT coalesce(max(position) + 1, 0) FROM automations WHERE workspace_id = ${workspaceId})))
    RETURNING ${cols}`);

export const updateAutomation = (db: Db, workspaceId: number, id: number, a: AutomationFields) =>
  db.one<AutomationRow>(sql`
    UPDATE automations SET name = ${a.name}, kind = ${a.kind}, events = ${a.events}::text[],
      conditions = ${JSON.stringify(a.conditions)}::jsonb, actions = ${JSON.stringify(a.actions)}::jsonb,
      active = ${a.active}, position = coalesce(${a.position ?? null}::int, position), updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING ${cols}`);

/** Positions follow the given order (0, 1, …); callers pass every automation of the workspace. */
export const setPositions = (db: Db, workspaceId: number, ids: number[]) =>
  db.query<{ id: number }>(sql`
    UPDATE automations a SET position = o.pos - 1, updated_at = now()
    FROM unnest(${ids}::bigint[]) WITH ORDINALITY AS o(id, pos)
    WHERE a.workspace_id = ${workspaceId} AND a.id = o.id RETURNING a.id`);

export const workspaceAutomationIds = async (db: Db, workspaceId: number) =>
  (await db.query<{ id: number }>(sql`SELECT id FROM automations WHERE workspace_id = ${workspaceId}`)).map(
    (r) => r.id,
  );

export const deleteAutomation = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM automations WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );

// Condition facts (tickets, messages, the timeline) come from the tickets module's index.ts; changes go
// through its service.

export const scanCursor = async (db: Db, workspaceId: number) =>
  (
    await db.one<{ after_ticket_id: number }>(
      sql`SELECT after_ticket_id FROM automation_scan_cursors WHERE workspace_id = ${workspaceId}`,
    )
  )?.after_ticket_id ?? 0;

export const setScanCursor = (db: Db, workspaceId: number, afterId: number) =>
  db.query(sql`
    INSERT INTO automation_scan_cursors (workspace_id, after_ticket_id) VALUES (${workspaceId}, ${afterId})
    ON CONFLICT (workspace_id) DO UPDATE SET after_ticket_id = excluded.after_ticket_id, updated_at = now()`);

export const latestUrgency = async (db: Db, ticketId: number) =>
  (
    await db.one<{ score: number }>(
      sql`SELECT score FROM ticket_urgency WHERE ticket_id = ${ticketId} ORDER BY created_at DESC LIMIT 1`,
    )
  )?.score ?? null;

export const insertRun = (
  db: Db,
  r: {
    workspaceId: number;
    automationId: number;
    automationName: string;
    ticketId: number;
    trigger: string;
    outcome: 'applied' | 'loop_stopped' | 'failed';
    reason: string | null;
    actions: string[];
  },
) =>
  db.one<{ id: number }>(sql`
    INSERT INTO automation_runs (workspace_id, automation_id, automation_name, ticket_id, trigger, outcome, reason, actions)
    VALUES (${r.workspaceId}, ${r.automationId}, ${r.automationName}, ${r.ticketId}, ${r.trigger}, ${r.outcome}, ${r.reason},
      ${JSON.stringify(r.actions)}::jsonb)
    RETURNING id`);

export type RunRow = {
  id: number;
  automation_id: number | null;
  automation_name: string | null;
  ticket_id: number;
  trigger: string;
  outcome: 'applied' | 'loop_stopped' | 'failed';
  reason: string | null;
  actions: string[];
  created_at: Date;
};

export const listRuns = (
  db: Db,
  workspaceId: number,
  f: { ticketId?: number; automationId?: number },
  limit: number,
) =>
  db.query<RunRow>(sql`
    SELECT id, automation_id, automation_name, ticket_id, trigger, outcome, reason, actions, created_at
    FROM automation_runs WHERE workspace_id = ${workspaceId}
      ${f.ticketId ? sql`AND ticket_id = ${f.ticketId}` : sql``}
      ${f.automationId ? sql`AND automation_id = ${f.automationId}` : sql``}
    ORDER BY id DESC LIMIT ${limit}`);

/** Applied runs of one automation on one ticket in the last hour (runaway guard). */
export const recentRuns = async (db: Db, automationId: number, ticketId: number) =>
  (
    await db.one<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM automation_runs WHERE automation_id = ${automationId} AND ticket_id = ${ticketId}
        AND outcome = 'applied' AND created_at > now() - interval '1 hour'`)
  )?.n ?? 0;

export const claimMark = async (
  db: Db,
  workspaceId: number,
  automationId: number,
  ticketId: number,
  episode: string,
) =>
  (
    await db.query(sql`
      INSERT INTO automation_marks (automation_id, ticket_id, workspace_id, episode)
      VALUES (${automationId}, ${ticketId}, ${workspaceId}, ${episode}) ON CONFLICT DO NOTHING RETURNING 1`)
  ).length > 0;

/** Gives a failed scheduled run's claim back, so the next scan tries again. */
export const releaseMark = (db: Db, automationId: number, ticketId: number, episode: string) =>
  db.query(sql`
    DELETE FROM automation_marks WHERE automation_id = ${automationId} AND ticket_id = ${ticketId} AND episode = ${episode}`);

/** Failed scheduled runs of one automation on one ticket since the status episode began. */
export const failedScheduledRuns = async (db: Db, automationId: number, ticketId: number, since: Date) =>
  (
    await db.one<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM automation_runs WHERE automation_id = ${automationId} AND ticket_id = ${ticketId}
        AND trigger = 'schedule' AND outcome = 'failed' AND created_at >= ${since.toISOString()}::timestamptz`)
  )?.n ?? 0;

/** Stores the scores; returns the message ids that were new (a replayed event finds its row there). */
export const insertUrgencies = (
  db: Db,
  us: {
    workspaceId: number;
    ticketId: number;
    messageId: number;
    score: number;
    level: string;
    reasons: unknown;
  }[],
) =>
  db.query<{ message_id: number }>(sql`
    INSERT INTO ticket_urgency (message_id, ticket_id, workspace_id, score, level, reasons)
    SELECT * FROM unnest(${us.map((u) => u.messageId)}::bigint[], ${us.map((u) => u.ticketId)}::bigint[],
      ${us.map((u) => u.workspaceId)}::bigint[], ${us.map((u) => u.score)}::int[], ${us.map((u) => u.level)}::text[],
      ${us.map((u) => JSON.stringify(u.reasons))}::jsonb[])
    ON CONFLICT (message_id) DO NOTHING RETURNING message_id`);

export const listUrgency = (db: Db, workspaceId: number, ticketId: number) =>
  db.query<{
    message_id: number;
    score: number;
    level: string;
    reasons: { phrase: string; weight: number }[];
    created_at: Date;
  }>(sql`
    SELECT message_id, score, level, reasons, created_at FROM ticket_urgency
    WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} ORDER BY created_at DESC`);

// Webhook endpoints: one signing secret per (workspace, URL)
export type WebhookEndpointRow = {
  id: number;
  workspace_id: number;
  url: string;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_valid_until: Date | null;
  created_at: Date;
  rotated_at: Date | null;
};

export const listWebhookEndpoints = (db: Db, workspaceId: number) =>
  db.query<WebhookEndpointRow>(
    sql`SELECT * FROM automation_webhook_endpoints WHERE workspace_id = ${workspaceId} ORDER BY id`,
  );
export const findWebhookEndpoint = (db: Db, workspaceId: number, url: string) =>
  db.one<WebhookEndpointRow>(
    sql`SELECT * FROM automation_webhook_endpoints WHERE workspace_id = ${workspaceId} AND url = ${url}`,
  );
/** Inserts unless the URL has an endpoint already; returns the row only when it was inserted. */
export const insertWebhookEndpoint = (db: Db, workspaceId: number, url: string, secretEnc: string) =>
  db.one<WebhookEndpointRow>(sql`INSERT INTO automation_webhook_endpoints (workspace_id, url, secret_enc)
    VALUES (${workspaceId}, ${url}, ${secretEnc}) ON CONFLICT (workspace_id, url) DO NOTHING RETURNING *`);
export const rotateWebhookEndpoint = (
  db: Db,
  workspaceId: number,
  id: number,
  secretEnc: string,
  graceUntil: Date,
) =>
  db.one<WebhookEndpointRow>(sql`UPDATE automation_webhook_endpoints
    SET previous_secret_enc = secret_enc, previous_valid_until = ${graceUntil}, secret_enc = ${secretEnc}, rotated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING *`);
export const deleteWebhookEndpoint = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM automation_webhook_endpoints WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );
/** For `shopdesk rotate-secret`: every stored secret, to re-encrypt under the current master key. */
export const allWebhookSecrets = (db: Db) =>
  db.query<{ id: number; secret_enc: string; previous_secret_enc: string | null }>(
    sql`SELECT id, secret_enc, previous_secret_enc FROM automation_webhook_endpoints ORDER BY id`,
  );
export const setWebhookSecrets = (db: Db, id: number, secretEnc: string, previousEnc: string | null) =>
  db.query(sql`UPDATE automation_webhook_endpoints SET secret_enc = ${secretEnc}, previous_secret_enc = ${previousEnc}
    WHERE id = ${id}`);
