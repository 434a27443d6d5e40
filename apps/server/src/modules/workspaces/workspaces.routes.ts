import { z } from 'zod';
import type { Db } from '../../platform/db/db.ts';
import type { Router } from '../../platform/http/router.ts';
import { getOutboundAllowList, setOutboundAllowList } from './workspaces.service.ts';

const AllowListBody = z.object({
  items: z
    .array(z.string().min(1).max(64))
    .max(50)
    .describe('IP addresses or CIDR ranges, e.g. 10.1.0.0/16, 192.168.1.20, fd00::/8'),
});

/**
 * The per-workspace allow-list of private address ranges that this workspace's store APIs, automation
 * webhooks, SMTP relays and IMAP servers may reach (everything else private stays refused). Admins only:
 * it opens the server's network to whoever edits those settings.
 */
export function registerWorkspaceRoutes(r: Router, db: Db) {
  r.add({
    method: 'GET',
    url: '/api/v1/workspace/outbound-allow-list',
    summary: 'Private address ranges outbound calls of this workspace may reach',
    tag: 'Workspace',
    access: 'admin',
    response: AllowListBody,
    handler: async ({ auth }) => ({ items: await getOutboundAllowList(db, auth.workspaceId) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/workspace/outbound-allow-list',
    summary: 'Replace the private address ranges outbound calls of this workspace may reach',
    tag: 'Workspace',
    access: 'admin',
    body: AllowListBody,
    response: AllowListBody,
    handler: async ({ auth, body }) => setOutboundAllowList(db, auth, body.items),
  });
}
