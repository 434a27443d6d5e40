import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import { PermanentJobError } from '../../platform/jobs/queue.ts';

/**
 * How the feedback module reaches a shopper outside a ticket's thread (surveys, NPS, "we changed it").
 * The one place to switch to the customer-notices module once it is on main: until then it uses the
 * existing outbound e-mail path for notices (the chat transcript's: its own Message-ID, marked
 * automatic, recorded in the e-mail outbox and the dev mailbox).
 */
export interface ShopperMessage {
  workspaceId: number;
  /** The ticket it is about; null for NPS and improvement notices (not about one ticket). */
  ticketId: number | null;
  to: { name: string | null; email: string };
  subject: string;
  text: string;
}

export function createShopperMail(channels: ChannelRegistry) {
  return {
    async send(m: ShopperMessage) {
      const mail = channels.get('email');
      if (!mail) throw new PermanentJobError('no e-mail channel is registered');
      await mail.deliver({
        workspaceId: m.workspaceId,
        // The outbox row takes a null ticket; the adapter's type wants a number for threaded replies only.
        ticketId: m.ticketId as number,
        messageId: 0,
        channel: 'email',
        subject: m.subject,
        bodyText: m.text,
        bodyHtml: null,
        from: { agentName: null },
        to: { name: m.to.name, email: m.to.email, phone: null, identities: [] },
        cc: [],
        attachments: [],
        threadExternalIds: [],
        lastInboundMeta: null,
        notice: true,
      });
    },
  };
}
export type ShopperMail = ReturnType<typeof createShopperMail>;
