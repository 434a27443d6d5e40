import { InboxCounts, UsableChannels } from '@shopdesk/contracts';
import type { Router } from '../../platform/http/router.ts';
import type { InboxService } from './sidebar.service.ts';

export function registerInboxRoutes(r: Router, svc: InboxService) {
  r.add({
    method: 'GET',
    url: '/api/v1/inbox/counts',
    summary:
      'Ticket counts for the built-in inbox views (mine, unassigned, open, pending, solved, per channel, per team)',
    tag: 'Views',
    access: 'read-only',
    response: InboxCounts,
    handler: async ({ auth }) => svc.counts(auth),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/channels',
    summary: 'The channels this workspace can use (filters and settings offer only these)',
    tag: 'Views',
    access: 'read-only',
    response: UsableChannels,
    handler: async () => svc.channels(),
  });
}
