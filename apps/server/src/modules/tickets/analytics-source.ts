import { type Db, sql } from '../../platform/db/db.ts';

/**
 * The tickets module's metrics for the analytics registry (modules/analytics): definitions, and the
 * rollup function that turns one ticket's rows (ticket, messages, status events) into contributions.
 * Analytics stores and sums what this returns and never reads these tables itself.
 */

// Structural copies of analytics' registry types: tickets does not import analytics (analytics imports
// tickets' index for this source), and TypeScript checks the shapes where app.ts registers it.
interface Contribution {
  subjectId: number;
  metric: string;
  seq: number;
  at: Date;
  value: number | null;
  included: boolean;
  reason: string | null;
  spans?: [Date, Date][];
}

const DONE = new Set(['solved', 'closed']);

export const ticketMetricDefinitions = [
  {
    key: 'tickets_created',
    label: 'Tickets created',
    kind: 'count' as const,
    definition:
      'Tickets created in the period, by any channel or by an agent. Tickets merged into another are left out (the one they were merged into counts).',
    countedOn: 'the day the ticket was created',
  },
  {
    key: 'tickets_solved',
    label: 'Tickets solved',
    kind: 'count' as const,
    definition:
      'Solve events in the period: each time a ticket went from an open status to solved or closed. A ticket solved, reopened and solved again counts twice — whenever it was created.',
    countedOn: 'the day of the solve',
  },
  {
    key: 'tickets_reopened',
    label: 'Tickets reopened',
    kind: 'count' as const,
    definition:
      'Reopen events in the period: a solved or closed ticket set back to an open status, by an agent or by a customer’s new message.',
    countedOn: 'the day of the reopen',
  },
  {
    key: 'first_response_time',
    label: 'First response time',
    kind: 'duration' as const,
    definition:
      'From the ticket’s creation to the first public reply written by a person (calendar time). Bot and automation replies and internal notes do not count. A bot handover creates the ticket, so it is measured from the handover. Tickets an agent started (first message outbound) are left out; so are tickets with no human reply yet.',
    countedOn: 'the day of the first reply',
  },
  {
    key: 'first_resolution_time',
    label: 'First resolution time',
    kind: 'duration' as const,
    definition:
      'From the ticket’s creation to its first solve (calendar time), whenever it was created — not only tickets opened and solved in the period.',
    countedOn: 'the day of the first solve',
  },
  {
    key: 'full_resolution_time',
    label: 'Full resolution time',
    kind: 'duration' as const,
    definition:
      'From the ticket’s creation to its last solve, for tickets solved or closed now (calendar time); a reopened ticket moves to the day of its new solve.',
    countedOn: 'the day of the last solve',
  },
  {
    key: 'one_touch',
    label: 'One-touch resolution',
    kind: 'rate' as const,
    definition:
      'Of the tickets solved or closed now, the share solved with exactly one public reply by a person and never reopened. Left out of the numerator, with the reason: no human reply, more replies, reopened.',
    countedOn: 'the day of the last solve',
  },
  {
    key: 'replies_per_resolution',
    label: 'Replies per resolution',
    kind: 'average' as const,
    definition:
      'Public replies written by people per ticket solved or closed now (average over those tickets).',
    countedOn: 'the day of the last solve',
  },
  {
    key: 'requester_wait_time',
    label: 'Requester wait time',
    kind: 'duration' as const,
    definition:
      'For tickets solved or closed now: the time the customer was waiting on us — the ticket in new, open or on-hold — from creation to the last solve. Time in pending (waiting on the customer) and between a solve and a reopen does not count.',
    countedOn: 'the day of the last solve',
  },
  {
    key: 'on_hold_time',
    label: 'On-hold time',
    kind: 'duration' as const,
    definition:
      'For tickets solved or closed now: the time the ticket spent on hold (waiting on a third party) from creation to the last solve; tickets never on hold count as 0.',
    countedOn: 'the day of the last solve',
  },
  {
    key: 'backlog',
    label: 'Backlog (open tickets)',
    kind: 'level' as const,
    definition:
      'Open tickets (any status but solved or closed) at the end of each day: a ticket adds one when it is created or reopened and takes one away when it is solved. The figure for a week or month is the level on its last day. Merged-away tickets are left out.',
    countedOn: 'the day of each creation, solve and reopen',
  },
];

/** Statuses in which the customer waits on us (requester wait time); on-hold also counts alone. */
const WAITING = new Set(['new', 'open', 'on-hold']);

type Change = { at: string; from: string; to: string };
type Row = {
  id: number;
  created_at: Date | string;
  status: string;
  solved_at: Date | string | null;
  merged_into_id: number | null;
  first_kind: string | null;
  first_reply_at: Date | string | null;
  replies: number;
  changes: Change[] | string;
};

const dt = (v: Date | string) => (v instanceof Date ? v : new Date(v));
const secs = (a: Date, b: Date) => Math.round((b.getTime() - a.getTime()) / 1000);

/** One ticket's contributions from its rows (pure: tested through the API on hand-built tickets). */
export function ticketContributions(r: Row): Contribution[] {
  const out: Contribution[] = [];
  const id = Number(r.id);
  const created = dt(r.created_at);
  const c = (
    metric: string,
    seq: number,
    at: Date,
    value: number | null,
    reason: string | null = null,
    spans?: [Date, Date][],
  ) => out.push({ subjectId: id, metric, seq, at, value, included: reason === null, reason, spans });

  c('tickets_created', 0, created, null, r.merged_into_id ? `merged into #${r.merged_into_id}` : null);
  if (r.merged_into_id) return out;

  const changes = (typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes) as Change[];
  const solves: Date[] = [];
  const reopens: Date[] = [];
  // Backlog: +1 at creation and each reopen, -1 at each solve, in the order they happened.
  const level: [Date, number][] = [[created, 1]];
  for (const ch of changes) {
    if (!DONE.has(ch.from) && DONE.has(ch.to)) {
      solves.push(dt(ch.at));
      level.push([dt(ch.at), -1]);
    } else if (DONE.has(ch.from) && !DONE.has(ch.to)) {
      reopens.push(dt(ch.at));
      level.push([dt(ch.at), 1]);
    }
  }
  // Imported or seeded tickets may be solved without a recorded change: their solved_at is the solve.
  if (!solves.length && DONE.has(r.status)) {
    if (r.solved_at) solves.push(dt(r.solved_at));
    level.push([r.solved_at ? dt(r.solved_at) : created, -1]);
  }
  for (const [i, [at, v]] of level.entries()) c('backlog', i, at, v);
  for (const [i, at] of solves.entries()) c('tickets_solved', i, at, null);
  for (const [i, at] of reopens.entries()) c('tickets_reopened', i, at, null);

  if (r.first_kind === 'outbound') c('first_response_time', 0, created, null, 'agent-started ticket');
  else if (!r.first_reply_at) c('first_response_time', 0, created, null, 'no human reply yet');
  else
    c('first_response_time', 0, dt(r.first_reply_at), secs(created, dt(r.first_reply_at)), null, [
      [created, dt(r.first_reply_at)],
    ]);

  if (solves.length)
    c('first_resolution_time', 0, solves[0]!, secs(created, solves[0]!), null, [[created, solves[0]!]]);
  if (DONE.has(r.status) && solves.length) {
    const last = solves[solves.length - 1]!;
    c('full_resolution_time', 0, last, secs(created, last), null, [[created, last]]);
    // Status stretches from creation to the last solve: the status before the first change is its `from`.
    const wait: [Date, Date][] = [];
    const hold: [Date, Date][] = [];
    let status = changes[0]?.from ?? 'new';
    let since = created;
    for (const ch of [
      ...changes.filter((x) => dt(x.at) <= last),
      { at: last.toISOString(), from: '', to: '' },
    ]) {
      const at = dt(ch.at);
      if (at > since) {
        if (WAITING.has(status)) wait.push([since, at]);
        if (status === 'on-hold') hold.push([since, at]);
      }
      status = ch.to;
      since = at;
    }
    const total = (spans: [Date, Date][]) => spans.reduce((s, [a, b]) => s + secs(a, b), 0);
    c('requester_wait_time', 0, last, total(wait), null, wait);
    c('on_hold_time', 0, last, total(hold), null, hold);
    const replies = Number(r.replies);
    const why = reopens.length
      ? 'reopened'
      : replies === 0
        ? 'no human reply'
        : replies > 1
          ? `${replies} human replies`
          : null;
    c('one_touch', 0, last, null, why);
    c('replies_per_resolution', 0, last, replies);
  }
  return out;
}

/** The rollup function: contributions of these tickets, in one statement. */
export async function ticketAnalyticsContributions(db: Db, workspaceId: number, ticketIds: number[]) {
  const rows = await db.query<Row>(sql`
    SELECT t.id, t.created_at, t.status, t.solved_at, t.merged_into_id,
      (SELECT m.kind FROM messages m WHERE m.ticket_id = t.id AND m.kind <> 'note' ORDER BY m.id LIMIT 1) AS first_kind,
      (SELECT min(m.created_at) FROM messages m
        WHERE m.ticket_id = t.id AND m.kind = 'outbound' AND m.author_agent_id IS NOT NULL) AS first_reply_at,
      (SELECT count(*)::int FROM messages m
        WHERE m.ticket_id = t.id AND m.kind = 'outbound' AND m.author_agent_id IS NOT NULL) AS replies,
      coalesce((SELECT json_agg(json_build_object('at', e.created_at, 'from', e.data->>'from', 'to', e.data->>'to') ORDER BY e.id)
        FROM ticket_events e WHERE e.ticket_id = t.id AND e.type IN ('status_changed', 'reopened')), '[]'::json) AS changes
    FROM tickets t
    WHERE t.workspace_id = ${workspaceId} AND t.id = ANY(${ticketIds}::bigint[])`);
  return rows.flatMap(ticketContributions);
}

/** Dimension values of these tickets (their current channel, team, assignee, priority and tags). */
export async function ticketAnalyticsDims(db: Db, workspaceId: number, ticketIds: number[]) {
  const rows = await db.query<{
    id: number;
    channel: string;
    team_id: number | null;
    assignee_id: number | null;
    priority: string;
    tags: string[];
  }>(sql`
    SELECT id, channel, team_id, assignee_id, priority, tags FROM tickets
    WHERE workspace_id = ${workspaceId} AND id = ANY(${ticketIds}::bigint[])`);
  const out = new Map<number, Record<string, string | string[]>>();
  for (const r of rows) {
    const d: Record<string, string | string[]> = { channel: r.channel, priority: r.priority };
    if (r.tags?.length) d.tag = r.tags;
    if (r.team_id) d.team = String(r.team_id);
    if (r.assignee_id) d.agent = String(r.assignee_id);
    out.set(Number(r.id), d);
  }
  return out;
}

/** Subject and status of the tickets a drill-down lists. */
export async function ticketAnalyticsDescribe(db: Db, workspaceId: number, ticketIds: number[]) {
  const rows = await db.query<{ id: number; subject: string; status: string }>(sql`
    SELECT id, subject, status FROM tickets WHERE workspace_id = ${workspaceId} AND id = ANY(${ticketIds}::bigint[])`);
  return new Map(rows.map((r) => [Number(r.id), { subject: r.subject, status: r.status }]));
}

/** Ticket ids of a workspace in pages (a rebuild walks them). */
export async function ticketIdsAfter(db: Db, workspaceId: number, afterId: number, limit: number) {
  const rows = await db.query<{ id: number }>(sql`
    SELECT id FROM tickets WHERE workspace_id = ${workspaceId} AND id > ${afterId} ORDER BY id LIMIT ${limit}`);
  return rows.map((r) => Number(r.id));
}
