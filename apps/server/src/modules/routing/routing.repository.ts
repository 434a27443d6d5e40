import { type Db, sql } from '../../platform/db/db.ts';

export type ConfigRow = {
  team_id: number | null;
  mode: 'manual' | 'round_robin' | 'least_loaded';
  default_capacity: Record<string, number>;
  skill_tags: string[];
  match_language: boolean;
  updated_at: Date;
};

const configCols = sql`team_id, mode, default_capacity, skill_tags, match_language, updated_at`;

export const listConfigs = (db: Db, workspaceId: number) =>
  db.query<ConfigRow>(
    sql`SELECT ${configCols} FROM routing_configs WHERE workspace_id = ${workspaceId} ORDER BY team_id NULLS FIRST`,
  );

export const upsertConfig = (
  db: Db,
  workspaceId: number,
  teamId: number | null,
  c: { mode: string; defaultCapacity: Record<string, number>; skillTags: string[]; matchLanguage: boolean },
) =>
  db.one<ConfigRow>(sql`
    INSERT INTO routing_configs (workspace_id, team_id, mode, default_capacity, skill_tags, match_language)
    VALUES (${workspaceId}, ${teamId}, ${c.mode}, ${JSON.stringify(c.defaultCapacity)}::jsonb, ${c.skillTags}::text[], ${c.matchLanguage})
    ON CONFLICT (workspace_id, coalesce(team_id, 0)) DO UPDATE SET mode = excluded.mode,
      default_capacity = excluded.default_capacity, skill_tags = excluded.skill_tags,
      match_language = excluded.match_language, updated_at = now()
    RETURNING ${configCols}`);

export const agentInWorkspace = (db: Db, workspaceId: number, agentId: number) =>
  db.one<{ id: number; name: string }>(
    sql`SELECT id, name FROM agents WHERE workspace_id = ${workspaceId} AND id = ${agentId} AND active`,
  );

export type PresenceRow = {
  agent_id: number;
  name: string;
  status: 'online' | 'away' | 'offline';
  capacity: Record<string, number>;
  status_changed_at: Date | null;
  lapsed_at: Date | null;
};

/** Every active agent with presence (agents never seen are offline) and their open load per channel. */
export const listAgentRouting = (db: Db, workspaceId: number) =>
  db.query<PresenceRow & { load: Record<string, number> | null }>(sql`
    SELECT a.id AS agent_id, a.name, coalesce(p.status, 'offline') AS status, coalesce(p.capacity, '{}'::jsonb) AS capacity,
      p.status_changed_at, p.lapsed_at,
      (SELECT jsonb_object_agg(channel, n) FROM (
         SELECT t.channel, count(*)::int AS n FROM tickets t
         WHERE t.workspace_id = ${workspaceId} AND t.assignee_id = a.id AND t.status IN ('new', 'open') GROUP BY t.channel) l) AS load
    FROM agents a LEFT JOIN agent_presence p ON p.agent_id = a.id
    WHERE a.workspace_id = ${workspaceId} AND a.active AND a.role <> 'read-only'
    ORDER BY a.name, a.id`);

export const setPresence = (
  db: Db,
  workspaceId: number,
  agentId: number,
  p: { status?: string; capacity?: Record<string, number>; present?: boolean },
) =>
  db.one<{ status: string; previous: string | null }>(sql`
    WITH prev AS (SELECT status FROM agent_presence WHERE agent_id = ${agentId})
    INSERT INTO agent_presence (agent_id, workspace_id, status, capacity, status_changed_at)
    VALUES (${agentId}, ${workspaceId}, coalesce(${p.status ?? null}, 'offline'),
      coalesce(${p.capacity ? JSON.stringify(p.capacity) : null}::jsonb, '{}'::jsonb), now())
    ON CONFLICT (agent_id) DO UPDATE SET
      status = coalesce(${p.status ?? null}, agent_presence.status),
      capacity = coalesce(${p.capacity ? JSON.stringify(p.capacity) : null}::jsonb, agent_presence.capacity),
      status_changed_at = CASE WHEN ${p.status ?? null}::text IS NOT NULL AND ${p.status ?? null}::text <> agent_presence.status
                               THEN now() ELSE agent_presence.status_changed_at END,
      lapsed_at = CASE WHEN ${p.present ?? false} THEN NULL ELSE agent_presence.lapsed_at END
    RETURNING status, (SELECT status FROM prev) AS previous`);

export const enqueueTicket = (db: Db, workspaceId: number, ticketId: number, dueAt: Date | null) =>
  db.query(sql`
    INSERT INTO routing_queue (ticket_id, workspace_id, due_at)
    SELECT id, workspace_id, ${dueAt?.toISOString() ?? null}::timestamptz FROM tickets
    WHERE workspace_id = ${workspaceId} AND id = ${ticketId}
    ON CONFLICT (ticket_id) DO UPDATE SET due_at = excluded.due_at`);

export const refreshDue = (db: Db, workspaceId: number, ticketId: number, dueAt: Date | null) =>
  db.query(sql`
    UPDATE routing_queue SET due_at = ${dueAt?.toISOString() ?? null}::timestamptz
    WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId}`);

export const dequeue = (db: Db, workspaceId: number, ticketIds: number[]) =>
  db.query(
    sql`DELETE FROM routing_queue WHERE workspace_id = ${workspaceId} AND ticket_id = ANY(${ticketIds}::bigint[])`,
  );

export const listQueue = (db: Db, workspaceId: number, limit: number) =>
  db.query<{
    ticket_id: number;
    subject: string;
    channel: string;
    team_id: number | null;
    due_at: Date | null;
    enqueued_at: Date;
  }>(sql`
    SELECT q.ticket_id, t.subject, t.channel, t.team_id, q.due_at, q.enqueued_at
    FROM routing_queue q JOIN tickets t ON t.id = q.ticket_id
    WHERE q.workspace_id = ${workspaceId}
    ORDER BY q.due_at NULLS LAST, q.enqueued_at, q.ticket_id LIMIT ${limit}`);

export const workspacesWithQueue = async (db: Db) =>
  (await db.query<{ workspace_id: number }>(sql`SELECT DISTINCT workspace_id FROM routing_queue`)).map(
    (r) => r.workspace_id,
  );

/** One router per workspace at a time, on any node, until the transaction ends. */
export const lockWorkspace = (db: Db, workspaceId: number) =>
  db.query(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`routing:${workspaceId}`}, 0))`);

export type QueuedRow = {
  ticket_id: number;
  channel: string;
  team_id: number | null;
  tags: string[];
  language: string | null;
  assignee_id: number | null;
  status: string;
  merged_into_id: number | null;
};

/** The queue in order, with the tickets locked so a concurrent manual assignment is seen. */
export const lockQueue = (db: Db, workspaceId: number, limit: number) =>
  db.query<QueuedRow>(sql`
    SELECT q.ticket_id, t.channel, t.team_id, t.tags, t.custom_fields->>'language' AS language, t.assignee_id,
      t.status, t.merged_into_id
    FROM routing_queue q JOIN tickets t ON t.id = q.ticket_id
    WHERE q.workspace_id = ${workspaceId}
    ORDER BY q.due_at NULLS LAST, q.enqueued_at, q.ticket_id LIMIT ${limit}
    FOR UPDATE OF t`);

export type CandidateRow = {
  id: number;
  skills: string[];
  languages: string[];
  team_ids: number[];
  capacity: Record<string, number>;
  seq: number;
};

export const onlineAgents = (db: Db, workspaceId: number) =>
  db.query<CandidateRow>(sql`
    SELECT a.id, a.skills, a.languages, p.capacity, p.last_assigned_seq AS seq,
      coalesce((SELECT array_agg(m.team_id) FROM team_members m WHERE m.agent_id = a.id), '{}') AS team_ids
    FROM agents a JOIN agent_presence p ON p.agent_id = a.id
    WHERE a.workspace_id = ${workspaceId} AND a.active AND a.role <> 'read-only' AND p.status = 'online'
      AND p.lapsed_at IS NULL`);

export const openLoads = (db: Db, workspaceId: number, agentIds: number[]) =>
  db.query<{ assignee_id: number; channel: string; n: number }>(sql`
    SELECT assignee_id, channel, count(*)::int AS n FROM tickets
    WHERE workspace_id = ${workspaceId} AND assignee_id = ANY(${agentIds}::bigint[]) AND status IN ('new', 'open')
    GROUP BY assignee_id, channel`);

export const maxSeq = async (db: Db, workspaceId: number) =>
  (
    await db.one<{ n: number }>(
      sql`SELECT coalesce(max(last_assigned_seq), 0)::bigint AS n FROM agent_presence WHERE workspace_id = ${workspaceId}`,
    )
  )?.n ?? 0;

export const setSeq = (db: Db, agentId: number, seq: number) =>
  db.query(sql`UPDATE agent_presence SET last_assigned_seq = ${seq} WHERE agent_id = ${agentId}`);

/** Open chats (and other live channels) an agent holds: re-routed when the agent goes offline. */
export const openLiveTickets = async (db: Db, workspaceId: number, agentId: number, channels: string[]) =>
  (
    await db.query<{ id: number }>(sql`
      SELECT id FROM tickets WHERE workspace_id = ${workspaceId} AND assignee_id = ${agentId}
        AND status IN ('new', 'open') AND channel = ANY(${channels}::text[]) ORDER BY id`)
  ).map((r) => r.id);

export const ticketForRouting = (db: Db, workspaceId: number, ticketId: number) =>
  db.one<{
    assignee_id: number | null;
    team_id: number | null;
    status: string;
    merged_into_id: number | null;
  }>(sql`
    SELECT assignee_id, team_id, status, merged_into_id FROM tickets WHERE workspace_id = ${workspaceId} AND id = ${ticketId}`);

export const isQueued = async (db: Db, workspaceId: number, ticketId: number) =>
  !!(await db.one(
    sql`SELECT 1 FROM routing_queue WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId}`,
  ));

// Routing rules: channel (and email inbox) → team.

export type RuleRow = { id: number; channel: string; inbox_id: number | null; team_id: number };

export const listRules = (db: Db, workspaceId: number) =>
  db.query<RuleRow>(sql`
    SELECT id, channel, inbox_id, team_id FROM routing_rules WHERE workspace_id = ${workspaceId}
    ORDER BY channel, inbox_id NULLS LAST, id`);

export const replaceRules = async (
  db: Db,
  workspaceId: number,
  rules: { channel: string; inboxId: number | null; teamId: number }[],
) => {
  await db.query(sql`DELETE FROM routing_rules WHERE workspace_id = ${workspaceId}`);
  if (!rules.length) return;
  await db.query(sql`
    INSERT INTO routing_rules (workspace_id, channel, inbox_id, team_id)
    SELECT ${workspaceId}, * FROM unnest(${rules.map((r) => r.channel)}::text[],
      ${rules.map((r) => r.inboxId)}::bigint[], ${rules.map((r) => r.teamId)}::bigint[])`);
};

// Presence: live sockets per node, heartbeats and lapses.

/** This node's socket counts for the given agents, seen now (a heartbeat, a connect or a close). */
export const saveConnections = (
  db: Db,
  nodeId: string,
  rows: { agentId: number; workspaceId: number; sockets: number }[],
) =>
  rows.length
    ? db.query(sql`
    INSERT INTO agent_connections (agent_id, node_id, workspace_id, sockets, seen_at)
    SELECT a, ${nodeId}, w, n, now() FROM unnest(${rows.map((r) => r.agentId)}::bigint[],
      ${rows.map((r) => r.workspaceId)}::bigint[], ${rows.map((r) => r.sockets)}::int[]) AS x(a, w, n)
    ON CONFLICT (agent_id, node_id) DO UPDATE SET sockets = excluded.sockets, seen_at = excluded.seen_at`)
    : Promise.resolve([]);

/** A socket connected: the agent is back, with the status they chose. Returns the row if they had lapsed. */
export const clearLapse = (db: Db, agentId: number) =>
  db.one<{ workspace_id: number; status: string }>(sql`
    UPDATE agent_presence SET lapsed_at = NULL WHERE agent_id = ${agentId} AND lapsed_at IS NOT NULL
    RETURNING workspace_id, status`);

/**
 * Claims the agents who are online or away but have had no live socket on any node for `graceMs` (and
 * did not change their status within it). Agents never seen on a socket (API-only clients) are left alone.
 * The update claims each lapse once, whichever node's heartbeat gets there first.
 */
export const claimLapsed = (db: Db, graceMs: number) =>
  db.query<{ agent_id: number; workspace_id: number }>(sql`
    WITH cutoff AS (SELECT now() - make_interval(secs => ${graceMs / 1000}) AS at)
    UPDATE agent_presence p SET lapsed_at = now()
    FROM cutoff
    WHERE p.status <> 'offline' AND p.lapsed_at IS NULL
      AND coalesce(p.status_changed_at, '-infinity') < cutoff.at
      AND EXISTS (SELECT 1 FROM agent_connections c WHERE c.agent_id = p.agent_id)
      AND NOT EXISTS (SELECT 1 FROM agent_connections c WHERE c.agent_id = p.agent_id AND c.seen_at >= cutoff.at)
    RETURNING p.agent_id, p.workspace_id`);

/** Marks an agent as signed out now (their sockets may linger until the next heartbeat closes them). */
export const markLapsed = (db: Db, workspaceId: number, agentId: number) =>
  db.query(sql`
    UPDATE agent_presence SET lapsed_at = coalesce(lapsed_at, now())
    WHERE workspace_id = ${workspaceId} AND agent_id = ${agentId}`);

/** Rows of nodes long gone. */
export const pruneConnections = (db: Db) =>
  db.query(sql`DELETE FROM agent_connections WHERE seen_at < now() - interval '1 day'`);
