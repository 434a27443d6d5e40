import type { Deps } from '../../platform/deps.ts';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import type { Auth } from '../../platform/http/router.ts';
import {
  HL_END,
  HL_START,
  searchContacts,
  searchSubjectsFuzzy,
  searchTickets,
  ticketsOfEmail,
} from './search.repository.ts';

/** A query that is one email address: the agent is looking for a customer and their tickets. */
const EMAIL = /^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]+$/;

const highlightToHtml = (s: string) =>
  escapeHtml(s.replace(/\s+/g, ' ')).replaceAll(HL_START, '<mark>').replaceAll(HL_END, '</mark>');

export function createSearchService(deps: Deps) {
  return {
    async search(auth: Auth, q: string, limit: number) {
      const [found, contacts] = await Promise.all([
        searchTickets(deps.db, auth.workspaceId, q, limit),
        searchContacts(deps.db, auth.workspaceId, q, Math.min(limit, 10)),
      ]);
      const tickets = [...found];
      // An email address finds that customer's tickets (their messages rarely contain their own address).
      if (EMAIL.test(q.trim()) && tickets.length < limit)
        tickets.push(
          ...(await ticketsOfEmail(
            deps.db,
            auth.workspaceId,
            q.trim(),
            limit - tickets.length,
            tickets.map((t) => t.ticket_id),
          )),
        );
      // Few exact hits: add subjects close to what was typed, after them (typo tolerance).
      if (tickets.length < limit && q.trim().length >= 3 && !EMAIL.test(q.trim()))
        tickets.push(
          ...(await searchSubjectsFuzzy(
            deps.db,
            auth.workspaceId,
            q.trim(),
            Math.min(10, limit - tickets.length),
            tickets.map((t) => t.ticket_id),
          )),
        );
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
