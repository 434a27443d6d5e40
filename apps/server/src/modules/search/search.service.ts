import type { Deps } from '../../platform/deps.ts';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import type { Auth } from '../../platform/http/router.ts';
import { HL_END, HL_START, searchContacts, searchTickets } from './search.repository.ts';

const highlightToHtml = (s: string) =>
  escapeHtml(s.replace(/\s+/g, ' ')).replaceAll(HL_START, '<mark>').replaceAll(HL_END, '</mark>');

export function createSearchService(deps: Deps) {
  return {
    async search(auth: Auth, q: string, limit: number) {
      const [tickets, contacts] = await Promise.all([
        searchTickets(deps.db, auth.workspaceId, q, limit),
        searchContacts(deps.db, auth.workspaceId, q, Math.min(limit, 10)),
      ]);
      return {
        tickets: tickets.map((t) => ({
          ticketId: t.ticket_id,
          subject: t.subject,
          status: t.status,
          contactName: t.contact_name,
          rank: t.rank,
          highlight: highlightToHtml(t.highlight),
          messageId: t.message_id,
          lastMessageAt: t.last_message_at.toISOString(),
        })),
        contacts,
      };
    },
  };
}
