import type { EventBus } from '../../platform/events/bus.ts';
import type { TicketsService } from '../tickets/index.ts';
import type { HelpCenterService } from './helpcenter.service.ts';

/**
 * "Tickets after viewing" beyond the contact form: a new chat or e-mail ticket whose contact's address
 * a portal visitor gave us (helpcenter.service ticketAfterViews). Idempotent, so replays are harmless.
 */
export function registerHelpCenterListeners(
  bus: EventBus,
  o: { hc: HelpCenterService; tickets: Pick<TicketsService, 'findSummary'> },
) {
  bus.on('ticket.created', async (e) => {
    if (!e.ticketId) return;
    const channel = (e.data as { channel?: string } | undefined)?.channel;
    if (channel && channel !== 'chat' && channel !== 'email') return;
    if (!(await o.hc.attributionPossible(e.workspaceId))) return;
    // The summary is one query; the full ticket (messages, events, links…) cost six on every new email.
    const t = await o.tickets.findSummary(e.workspaceId, e.ticketId);
    if (!t || (t.channel !== 'chat' && t.channel !== 'email') || !t.contact?.email) return;
    await o.hc.ticketAfterViews(e.workspaceId, {
      id: t.id,
      channel: t.channel,
      email: t.contact.email,
      subject: t.subject,
      createdAt: new Date(t.createdAt),
    });
  });
}
