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
      actor: z
        .union([z.literal('system'), z.coerce.number().int().positive()])
        .optional()
        .describe('An agent id, or "system" for entries no agent made'),
      action: z
        .string()
        .max(100)
        .optional()
        .describe('An exact action (auth.login), or a family ending in a dot (auth.)'),
      from: z.iso.datetime({ offset: true }).optional().describe('Entries at or after this time'),
      to: z.iso.datetime({ offset: true }).optional().describe('Entries before this time'),
    }),
    response: z.object({ items: z.array(AuditEntry) }),
    handler: async ({ auth, query }) => {
      const rows = await listAudit(deps.db, auth.workspaceId, query.limit, query.before, {
        actorAgentId: query.actor === 'system' ? null : query.actor,
        action: query.action || undefined,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
      });
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
