import { type Db, sql } from '../../platform/db/db.ts';

const ACTIVE = ['new', 'open', 'pending', 'on-hold'];

/**
 * The counts behind the inbox's built-in views, in two index-friendly scans instead of one request per
 * view. A read model: it reads the tickets table and never writes it.
 */
export async function inboxCounts(db: Db, workspaceId: number, agentId: number) {
  const totals = await db.one<{
    my_open: number;
    unassigned: number;
    all_open: number;
    pending: number;
    on_hold: number;
    solved: number;
  }>(sql`SELECT
      count(*) FILTER (WHERE status = ANY(${ACTIVE}::text[]) AND assignee_id = ${agentId})::int AS my_open,
      count(*) FILTER (WHERE status = ANY(${ACTIVE}::text[]) AND assignee_id IS NULL)::int AS unassigned,
      count(*) FILTER (WHERE status = ANY(${ACTIVE}::text[]))::int AS all_open,
      count(*) FILTER (WHERE status = 'pending')::int AS pending,
      count(*) FILTER (WHERE status = 'on-hold')::int AS on_hold,
      count(*) FILTER (WHERE status = 'solved')::int AS solved
    FROM tickets WHERE workspace_id = ${workspaceId} AND merged_into_id IS NULL`);
  const groups = await db.query<{ channel: string; team_id: number | null; n: number }>(sql`
    SELECT channel, team_id, count(*)::int AS n FROM tickets
    WHERE workspace_id = ${workspaceId} AND status = ANY(${ACTIVE}::text[]) AND merged_into_id IS NULL
    GROUP BY channel, team_id`);
  return { totals: totals!, groups };
}
