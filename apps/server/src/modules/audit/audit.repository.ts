import { type Db, sql } from '../../platform/db/db.ts';

export interface AuditInput {
  workspaceId: number;
  actorAgentId: number | null;
  action: string;
  targetType?: string;
  targetId?: string | number;
  data?: Record<string, unknown>;
  ip?: string | null;
}

export async function insertAudit(db: Db, e: AuditInput): Promise<void> {
  await db.query(sql`
    INSERT INTO audit_log (workspace_id, actor_agent_id, action, target_type, target_id, data, ip)
    VALUES (${e.workspaceId}, ${e.actorAgentId}, ${e.action}, ${e.targetType ?? null},
            ${e.targetId === undefined ? null : String(e.targetId)}, ${JSON.stringify(e.data ?? {})}::jsonb, ${e.ip ?? null})`);
}

export interface AuditFilter {
  /** An agent's id, or null for entries no agent made (the system). */
  actorAgentId?: number | null;
  /** An exact action (`auth.login`) or a family (`auth.`). */
  action?: string;
  from?: Date;
  to?: Date;
}

export async function listAudit(
  db: Db,
  workspaceId: number,
  limit: number,
  beforeId?: number,
  f: AuditFilter = {},
) {
  return db.query<{
    id: number;
    actor_agent_id: number | null;
    action: string;
    target_type: string | null;
    target_id: string | null;
    data: Record<string, unknown>;
    ip: string | null;
    created_at: Date;
  }>(sql`
    SELECT id, actor_agent_id, action, target_type, target_id, data, ip, created_at FROM audit_log
    WHERE workspace_id = ${workspaceId} ${beforeId ? sql`AND id < ${beforeId}` : sql``}
      ${f.actorAgentId === null ? sql`AND actor_agent_id IS NULL` : f.actorAgentId !== undefined ? sql`AND actor_agent_id = ${f.actorAgentId}` : sql``}
      ${f.action?.endsWith('.') ? sql`AND starts_with(action, ${f.action})` : f.action ? sql`AND action = ${f.action}` : sql``}
      ${f.from ? sql`AND created_at >= ${f.from.toISOString()}::timestamptz` : sql``}
      ${f.to ? sql`AND created_at < ${f.to.toISOString()}::timestamptz` : sql``}
    ORDER BY id DESC LIMIT ${limit}`);
}
