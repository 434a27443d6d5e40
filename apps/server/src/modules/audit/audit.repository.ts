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

export async function listAudit(db: Db, workspaceId: number, limit: number, beforeId?: number) {
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
    ORDER BY id DESC LIMIT ${limit}`);
}
