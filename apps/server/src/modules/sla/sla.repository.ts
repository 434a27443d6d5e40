import { type Db, sql } from '../../platform/db/db.ts';
import type { Calendar } from './business-hours.ts';
import type { Clock, Outcome } from './sla-clock.ts';

export type CalendarRow = {
  id: number;
  team_id: number | null;
  name: string;
  timezone: string;
  weekly: Calendar['weekly'];
  holidays: Calendar['holidays'];
  updated_at: Date;
};

const calendarCols = sql`id, team_id, name, timezone, weekly, holidays, updated_at`;

export const listCalendars = (db: Db, workspaceId: number) =>
  db.query<CalendarRow>(
    sql`SELECT ${calendarCols} FROM business_calendars WHERE workspace_id = ${workspaceId} ORDER BY team_id NULLS FIRST, id`,
  );

export const findCalendar = (db: Db, workspaceId: number, teamId: number | null) =>
  db.one<CalendarRow>(sql`
    SELECT ${calendarCols} FROM business_calendars
    WHERE workspace_id = ${workspaceId} AND coalesce(team_id, 0) = ${teamId ?? 0}`);

export const upsertCalendar = (
  db: Db,
  workspaceId: number,
  teamId: number | null,
  c: { name: string; timezone: string; weekly: unknown; holidays: unknown },
) =>
  db.one<CalendarRow>(sql`
    INSERT INTO business_calendars (workspace_id, team_id, name, timezone, weekly, holidays)
    VALUES (${workspaceId}, ${teamId}, ${c.name}, ${c.timezone}, ${JSON.stringify(c.weekly)}::jsonb, ${JSON.stringify(c.holidays)}::jsonb)
    ON CONFLICT (workspace_id, coalesce(team_id, 0)) DO UPDATE SET name = excluded.name, timezone = excluded.timezone,
      weekly = excluded.weekly, holidays = excluded.holidays, updated_at = now()
    RETURNING ${calendarCols}`);

export const deleteCalendar = (db: Db, workspaceId: number, teamId: number | null) =>
  db.query<{ id: number }>(sql`
    DELETE FROM business_calendars WHERE workspace_id = ${workspaceId} AND coalesce(team_id, 0) = ${teamId ?? 0} RETURNING id`);

export type PolicyRow = {
  id: number;
  name: string;
  position: number;
  active: boolean;
  match: {
    channels?: string[];
    priorities?: string[];
    tags?: string[];
    tiers?: string[];
    minLifetimeValue?: number;
  };
  targets: {
    firstResponse?: { minutes: number; business: boolean } | null;
    nextResponse?: { minutes: number; business: boolean } | null;
    resolution?: { minutes: number; business: boolean } | null;
  };
  pause_statuses: string[];
  warn_percent: number;
  applies_from: Date | null;
  created_at: Date;
  updated_at: Date;
};

const policyCols = sql`id, name, position, active, match, targets, pause_statuses, warn_percent, applies_from, created_at, updated_at`;

export const listPolicies = (db: Db, workspaceId: number, onlyActive = false) =>
  db.query<PolicyRow>(sql`
    SELECT ${policyCols} FROM sla_policies WHERE workspace_id = ${workspaceId} ${onlyActive ? sql`AND active` : sql``}
    ORDER BY position, id`);

export const findPolicy = (db: Db, workspaceId: number, id: number) =>
  db.one<PolicyRow>(
    sql`SELECT ${policyCols} FROM sla_policies WHERE workspace_id = ${workspaceId} AND id = ${id}`,
  );

export interface PolicyFields {
  name: string;
  active: boolean;
  position?: number;
  match: unknown;
  targets: unknown;
  pauseStatuses: string[];
  warnPercent: number;
  /** Clocks start from the open tickets' own start (else from when the policy was created). */
  applyToOpenTickets?: boolean;
}

export const insertPolicy = (db: Db, workspaceId: number, p: PolicyFields) =>
  db.one<PolicyRow>(sql`
    INSERT INTO sla_policies (workspace_id, name, active, position, match, targets, pause_statuses, warn_percent, applies_from)
    VALUES (${workspaceId}, ${p.name}, ${p.active},
      coalesce(${p.position ?? null}::int, (SELECT coalesce(max(position) + 1, 0) FROM sla_policies WHERE workspace_id = ${workspaceId})),
      ${JSON.stringify(p.match)}::jsonb, ${JSON.stringify(p.targets)}::jsonb, ${p.pauseStatuses}::text[], ${p.warnPercent},
      ${p.applyToOpenTickets ? sql`NULL` : sql`now()`})
    RETURNING ${policyCols}`);

export const updatePolicy = (db: Db, workspaceId: number, id: number, p: PolicyFields) =>
  db.one<PolicyRow>(sql`
    UPDATE sla_policies SET name = ${p.name}, active = ${p.active}, position = coalesce(${p.position ?? null}::int, position),
      match = ${JSON.stringify(p.match)}::jsonb, targets = ${JSON.stringify(p.targets)}::jsonb,
      pause_statuses = ${p.pauseStatuses}::text[], warn_percent = ${p.warnPercent},
      applies_from = ${p.applyToOpenTickets ? sql`NULL` : sql`applies_from`}, updated_at = now()
    WHERE workspace_id = ${workspaceId} AND id = ${id}
    RETURNING ${policyCols}`);

export const deletePolicy = (db: Db, workspaceId: number, id: number) =>
  db.query<{ id: number }>(
    sql`DELETE FROM sla_policies WHERE workspace_id = ${workspaceId} AND id = ${id} RETURNING id`,
  );

export const setPolicyPositions = (db: Db, workspaceId: number, ids: number[]) =>
  db.query<{ id: number }>(sql`
    UPDATE sla_policies p SET position = o.pos - 1, updated_at = now()
    FROM unnest(${ids}::bigint[]) WITH ORDINALITY AS o(id, pos)
    WHERE p.workspace_id = ${workspaceId} AND p.id = o.id RETURNING p.id`);

// The SLA module reads tickets, messages and the ticket timeline (a read model, like search) and never
// writes them.

export type SlaTicketRow = {
  id: number;
  status: string;
  priority: string;
  channel: string;
  tags: string[];
  team_id: number | null;
  contact_id: number | null;
  created_at: Date;
  contact_tags: string[] | null;
  contact_fields: Record<string, unknown> | null;
};

const timelineTypes = sql`('status_changed', 'reopened', 'merged_into')`;

export type OutcomeRow = Outcome & { policyId: number | null; policyName: string };

/**
 * The ticket (unless merged away) with what its clocks are replayed from, in one round trip (a kept
 * exception in table-owners.mjs: asking tickets for the facts and SLA for the outcomes separately
 * measured 2.0 -> 2.9 ms per recompute on PGlite): public
 * messages (the customer's, and replies written by a person: automatic replies have no agent), status
 * changes and the outcomes already recorded. Times come as epoch milliseconds, truncated like the drivers'
 * own timestamp parsing.
 */
export async function findTicketTimeline(db: Db, workspaceId: number, id: number) {
  const row = await db.one<
    SlaTicketRow & {
      messages: { kind: 'inbound' | 'outbound'; at: number }[];
      events: { type: string; data: { from?: string; to?: string }; at: number }[];
      outcomes: OutcomeRow[];
    }
  >(sql`
    SELECT t.id, t.status, t.priority, t.channel, t.tags, t.team_id, t.contact_id, t.created_at,
      c.tags AS contact_tags, c.custom_fields AS contact_fields,
      coalesce((SELECT jsonb_agg(jsonb_build_object('kind', m.kind, 'at', floor(extract(epoch FROM m.created_at) * 1000))
                  ORDER BY m.created_at, m.id)
                FROM messages m WHERE m.workspace_id = ${workspaceId} AND m.ticket_id = t.id
                  AND (m.kind = 'inbound' OR (m.kind = 'outbound' AND m.author_agent_id IS NOT NULL))), '[]'::jsonb) AS messages,
      coalesce((SELECT jsonb_agg(jsonb_build_object('type', e.type, 'data', e.data, 'at', floor(extract(epoch FROM e.created_at) * 1000))
                  ORDER BY e.id)
                FROM ticket_events e WHERE e.workspace_id = ${workspaceId} AND e.ticket_id = t.id
                  AND e.type IN ${timelineTypes}), '[]'::jsonb) AS events,
      coalesce((SELECT jsonb_agg(jsonb_build_object('metric', o.metric, 'cycle', o.cycle, 'outcome', o.outcome,
                  'policyId', o.policy_id, 'policyName', o.policy_name, 'targetMinutes', o.target_minutes,
                  'business', o.business, 'startedAt', floor(extract(epoch FROM o.started_at) * 1000),
                  'dueAt', floor(extract(epoch FROM o.due_at) * 1000), 'at', floor(extract(epoch FROM o.outcome_at) * 1000))
                  ORDER BY o.metric, o.cycle)
                FROM sla_outcomes o WHERE o.workspace_id = ${workspaceId} AND o.ticket_id = t.id), '[]'::jsonb) AS outcomes
    FROM tickets t LEFT JOIN contacts c ON c.id = t.contact_id
    WHERE t.workspace_id = ${workspaceId} AND t.id = ${id} AND t.merged_into_id IS NULL`);
  if (!row) return null;
  const { messages, events, outcomes, ...ticket } = row;
  return {
    ticket: ticket as SlaTicketRow,
    outcomes: outcomes.map((o) => ({
      ...o,
      policyId: o.policyId === null ? null : Number(o.policyId),
      startedAt: Number(o.startedAt),
      dueAt: o.dueAt === null ? null : Number(o.dueAt),
      at: Number(o.at),
    })),
    messages: messages.map((m) => ({ kind: m.kind, created_at: new Date(Number(m.at)) })),
    events: events.map((e) => ({ type: e.type, data: e.data ?? {}, created_at: new Date(Number(e.at)) })),
  };
}

/** Serialises recomputes of one ticket across nodes until the transaction ends. */
export const lockTicketClocks = (db: Db, ticketId: number) =>
  db.query(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`sla:${ticketId}`}, 0))`);

export type ClockRow = {
  metric: Clock['metric'];
  cycle: number;
  policy_id: number | null;
  target_minutes: number;
  business: boolean;
  state: Clock['state'];
  started_at: Date;
  due_at: Date | null;
  warn_at: Date | null;
  completed_at: Date | null;
  elapsed_minutes: number;
  warned_at: Date | null;
  breach_notified_at: Date | null;
};

export const listClocks = (db: Db, workspaceId: number, ticketId: number) =>
  db.query<ClockRow>(sql`
    SELECT metric, cycle, policy_id, target_minutes, business, state, started_at, due_at, warn_at, completed_at,
      elapsed_minutes, warned_at, breach_notified_at
    FROM sla_clocks WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} ORDER BY metric, cycle`);

const ts = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * Writes the clocks of one ticket and its queue status in one statement (one round trip, however many
 * clocks). A warning/breach already announced stays announced unless the new due time moved into the
 * future (the target was relaxed or a pause pushed it back), so it can fire again.
 */
export const saveClocks = (
  db: Db,
  workspaceId: number,
  ticketId: number,
  policyId: number,
  clocks: Clock[],
  status: { nextDueAt: number | null; breached: boolean },
) =>
  db.query(sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(
        clocks.map((c) => ({
          metric: c.metric,
          cycle: c.cycle,
          target_minutes: c.targetMinutes,
          business: c.business,
          state: c.state,
          started_at: ts(c.startedAt),
          due_at: ts(c.dueAt),
          warn_at: ts(c.warnAt),
          completed_at: ts(c.completedAt),
          elapsed_minutes: c.elapsedMinutes,
        })),
      )}::jsonb) AS x(metric text, cycle integer, target_minutes integer, business boolean, state text,
        started_at timestamptz, due_at timestamptz, warn_at timestamptz, completed_at timestamptz, elapsed_minutes numeric)
    ), stale AS (
      DELETE FROM sla_clocks WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId}
        AND NOT (metric || ':' || cycle = ANY(${clocks.map((c) => `${c.metric}:${c.cycle}`)}::text[]))
    ), status AS (
      INSERT INTO sla_ticket_status (ticket_id, workspace_id, policy_id, next_due_at, breached)
      VALUES (${ticketId}, ${workspaceId}, ${policyId}, ${ts(status.nextDueAt)}::timestamptz, ${status.breached})
      ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id, next_due_at = excluded.next_due_at,
        breached = excluded.breached, updated_at = now()
    )
    INSERT INTO sla_clocks (workspace_id, ticket_id, metric, cycle, policy_id, target_minutes, business, state, started_at,
      due_at, warn_at, completed_at, elapsed_minutes)
    SELECT ${workspaceId}, ${ticketId}, metric, cycle, ${policyId}, target_minutes, business, state, started_at,
      due_at, warn_at, completed_at, elapsed_minutes FROM input
    ON CONFLICT (ticket_id, metric, cycle) DO UPDATE SET policy_id = excluded.policy_id,
      target_minutes = excluded.target_minutes, business = excluded.business, state = excluded.state,
      started_at = excluded.started_at, due_at = excluded.due_at, warn_at = excluded.warn_at,
      completed_at = excluded.completed_at, elapsed_minutes = excluded.elapsed_minutes, updated_at = now(),
      warned_at = CASE WHEN excluded.warn_at IS DISTINCT FROM sla_clocks.warn_at AND (excluded.warn_at IS NULL OR excluded.warn_at > now())
                       THEN NULL ELSE sla_clocks.warned_at END,
      breach_notified_at = CASE WHEN excluded.due_at IS DISTINCT FROM sla_clocks.due_at AND (excluded.due_at IS NULL OR excluded.due_at > now())
                       THEN NULL ELSE sla_clocks.breach_notified_at END`);

/**
 * Records outcomes reached for the first time. A row is never rewritten: whoever records a (ticket, metric,
 * cycle) first wins, and later recomputes under an edited policy leave it as it is.
 */
export const recordOutcomes = (
  db: Db,
  workspaceId: number,
  ticketId: number,
  policy: { id: number; name: string },
  outcomes: Outcome[],
) =>
  db.query(sql`
    INSERT INTO sla_outcomes (workspace_id, ticket_id, metric, cycle, outcome, policy_id, policy_name, target_minutes,
      business, started_at, due_at, outcome_at)
    SELECT ${workspaceId}, ${ticketId}, metric, cycle, outcome, ${policy.id}, ${policy.name}, target_minutes, business,
      started_at, due_at, outcome_at
    FROM jsonb_to_recordset(${JSON.stringify(
      outcomes.map((o) => ({
        metric: o.metric,
        cycle: o.cycle,
        outcome: o.outcome,
        target_minutes: o.targetMinutes,
        business: o.business,
        started_at: ts(o.startedAt),
        due_at: ts(o.dueAt),
        outcome_at: ts(o.at),
      })),
    )}::jsonb) AS x(metric text, cycle integer, outcome text, target_minutes integer, business boolean,
      started_at timestamptz, due_at timestamptz, outcome_at timestamptz)
    ON CONFLICT (ticket_id, metric, cycle) DO NOTHING`);

/**
 * No policy applies (any more): the ticket's live clocks and queue status go, in one statement. Its
 * recorded outcomes stay.
 */
export const clearTicket = (db: Db, workspaceId: number, ticketId: number) =>
  db.query(sql`
    WITH clocks AS (DELETE FROM sla_clocks WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId})
    DELETE FROM sla_ticket_status WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId}`);

/**
 * Claims the warnings and breaches of a ticket's open clocks that are due by `now` and not yet announced,
 * in one statement: each is returned to exactly one caller (recomputes of a ticket hold its advisory lock).
 */
export const claimDueNotices = (db: Db, workspaceId: number, ticketId: number, now: number) =>
  db.query<{
    metric: Clock['metric'];
    cycle: number;
    due_at: Date | null;
    warn: boolean;
    breach: boolean;
  }>(sql`
    WITH due AS (
      SELECT metric, cycle, due_at,
        coalesce(warned_at IS NULL AND warn_at <= ${ts(now)}::timestamptz, false) AS warn,
        coalesce(breach_notified_at IS NULL AND due_at <= ${ts(now)}::timestamptz, false) AS breach
      FROM sla_clocks
      WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId} AND completed_at IS NULL
        AND ((warned_at IS NULL AND warn_at <= ${ts(now)}::timestamptz)
          OR (breach_notified_at IS NULL AND due_at <= ${ts(now)}::timestamptz))
      FOR UPDATE
    ), claimed AS (
      UPDATE sla_clocks c SET
        warned_at = CASE WHEN d.warn THEN now() ELSE c.warned_at END,
        breach_notified_at = CASE WHEN d.breach THEN now() ELSE c.breach_notified_at END
      FROM due d
      WHERE c.workspace_id = ${workspaceId} AND c.ticket_id = ${ticketId} AND c.metric = d.metric AND c.cycle = d.cycle
    )
    SELECT metric, cycle, due_at, warn, breach FROM due ORDER BY metric, cycle`);

export const activeTicketIds = async (db: Db, workspaceId: number) =>
  (
    await db.query<{ id: number }>(sql`
      SELECT id FROM tickets WHERE workspace_id = ${workspaceId} AND merged_into_id IS NULL
        AND status IN ('new', 'open', 'pending', 'on-hold') ORDER BY id`)
  ).map((r) => r.id);

export type QueueRow = {
  id: number;
  subject: string;
  status: string;
  priority: string;
  channel: string;
  assignee_id: number | null;
  team_id: number | null;
  next_due_at: Date | null;
  breached: boolean;
};

/**
 * Active tickets with an SLA, due soonest first (breached ones have the oldest due time). With `ids`, exactly
 * those tickets of the workspace that have an SLA, whatever their status (the inbox asks for its page).
 */
export const listDueTickets = (
  db: Db,
  workspaceId: number,
  f: { breached?: boolean; assigneeId?: number; teamId?: number; limit: number; ids?: number[] },
) =>
  db.query<QueueRow>(sql`
    SELECT t.id, t.subject, t.status, t.priority, t.channel, t.assignee_id, t.team_id, s.next_due_at,
      s.breached OR coalesce(s.next_due_at <= now(), false) AS breached
    FROM sla_ticket_status s JOIN tickets t ON t.id = s.ticket_id AND t.workspace_id = s.workspace_id
    WHERE s.workspace_id = ${workspaceId}
      ${f.ids ? sql`AND s.ticket_id = ANY(${f.ids}::bigint[])` : sql`AND t.status IN ('new', 'open', 'pending', 'on-hold')`}
      ${f.breached ? sql`AND (s.breached OR s.next_due_at <= now())` : sql``}
      ${f.assigneeId ? sql`AND t.assignee_id = ${f.assigneeId}` : sql``}
      ${f.teamId ? sql`AND t.team_id = ${f.teamId}` : sql``}
    ORDER BY s.next_due_at ASC NULLS LAST, t.id LIMIT ${f.limit}`);

export type BatchClockRow = ClockRow & { ticket_id: number; policy_name: string | null };

/** The stored clocks of several tickets in one query (the inbox list's badges). */
export const clocksOfTickets = (db: Db, workspaceId: number, ticketIds: number[]) =>
  db.query<BatchClockRow>(sql`
    SELECT c.ticket_id, c.metric, c.cycle, c.policy_id, p.name AS policy_name, c.target_minutes, c.business, c.state,
      c.started_at, c.due_at, c.warn_at, c.completed_at, c.elapsed_minutes, c.warned_at, c.breach_notified_at
    FROM sla_clocks c LEFT JOIN sla_policies p ON p.id = c.policy_id AND p.workspace_id = c.workspace_id
    WHERE c.workspace_id = ${workspaceId} AND c.ticket_id = ANY(${ticketIds}::bigint[])
    ORDER BY c.ticket_id, c.metric, c.cycle`);

export const dueAtOf = async (db: Db, workspaceId: number, ticketId: number) =>
  (
    await db.one<{ next_due_at: Date | null }>(sql`
      SELECT next_due_at FROM sla_ticket_status WHERE workspace_id = ${workspaceId} AND ticket_id = ${ticketId}`)
  )?.next_due_at ?? null;

/**
 * Achievement per metric from the record: outcomes reached in [from, to); `open_breached` counts live clocks
 * still running past their due time.
 */
export const report = (db: Db, workspaceId: number, from: string, to: string) =>
  db.query<{ metric: string; completed: number; met: number; breached: number; open_breached: number }>(sql`
    WITH done AS (
      SELECT metric, count(*)::int AS completed,
        count(*) FILTER (WHERE outcome = 'met')::int AS met,
        count(*) FILTER (WHERE outcome = 'breached')::int AS breached
      FROM sla_outcomes
      WHERE workspace_id = ${workspaceId} AND outcome_at >= ${from}::timestamptz AND outcome_at < ${to}::timestamptz
      GROUP BY metric
    ), open AS (
      SELECT metric, count(*)::int AS open_breached FROM sla_clocks
      WHERE workspace_id = ${workspaceId} AND completed_at IS NULL AND due_at <= now() GROUP BY metric
    )
    SELECT coalesce(d.metric, o.metric) AS metric, coalesce(d.completed, 0) AS completed, coalesce(d.met, 0) AS met,
      coalesce(d.breached, 0) AS breached, coalesce(o.open_breached, 0) AS open_breached
    FROM done d FULL JOIN open o ON o.metric = d.metric`);
