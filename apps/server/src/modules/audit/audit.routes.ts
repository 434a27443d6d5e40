import { AuditEntry } from '@shopdesk/contracts';
import { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import { listAudit } from './audit.repository.ts';

export function registerAuditRoutes(r: Router, deps: Deps) {
  r.add({
    method: 'GET',
    url: '/api/v1/audit-log',
    summary: 'List audit log entries, newest first',
    tag: 'Admin',
    access: 'admin',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(100),
      before: z.coerce.number().int().optional(),
    }),
    response: z.object({ items: z.array(AuditEntry) }),
    handler: async ({ auth, query }) => {
      const rows = await listAudit(deps.db, auth.workspaceId, query.limit, query.before);
      return {
        items: rows.map((r) => ({
          id: r.id,
          actorAgentId: r.actor_agent_id,
          action: r.action,
          targetType: r.target_type,
          targetId: r.target_id,
          data: r.data,
          ip: r.ip,
          createdAt: r.created_at.toISOString(),
        })),
      };
    },
  });
}
