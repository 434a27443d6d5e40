import type { Auth } from '../../platform/http/router.ts';
import type { TicketCore } from './ticket-core.ts';
import { iso } from './ticket-shapes.ts';
import * as repo from './tickets.repository.ts';

/** An agent's notifications (mentions, assignments) and marking them read. */
export function createNotificationsService(core: TicketCore) {
  const { db } = core;
  return {
    async notifications(auth: Auth, limit: number) {
      return (await repo.listNotifications(db, auth.workspaceId, auth.agentId, limit)).map((n) => ({
        id: n.id,
        type: n.type,
        ticketId: n.ticket_id,
        messageId: n.message_id,
        data: n.data,
        readAt: iso(n.read_at),
        createdAt: n.created_at.toISOString(),
      }));
    },
    markNotificationsRead: (auth: Auth, ids: number[] | 'all') =>
      repo.markNotificationsRead(db, auth.workspaceId, auth.agentId, ids),
  };
}
