import type { ChannelRegistry } from '../../channels/channel-adapter.ts';
import { PermanentJobError } from '../../platform/jobs/queue.ts';

/**
 * E-mail to a person outside any ticket's thread: an NPS survey about an order, an agent's invitation
 * or password reset. Notices that concern a ticket go through `NoticesService.send` (timeline, consent,
 * caps); this is the one path for the rest. It uses the e-mail channel's notice delivery (its own
 * Message-ID, marked automatic, recorded in the e-mail outbox and the dev mailbox), so it needs an
 * e-mail inbox to send from; callers that can show a link instead (invitations) do so when it fails.
 */
export interface DirectMessage {
  workspaceId: number;
  /** The ticket it is about, when there is one (kept on the outbox row); null otherwise. */
  ticketId: number | null;
  to: { name: string | null; email: string };
  subject: string;
  text: string;
  /** Holds a credential (an invitation or reset link): the outbox keeps who and when, not the body. */
  secret?: boolean;
}

export function createDirectMail(channels: ChannelRegistry) {
  return {
    async send(m: DirectMessage) {
      const mail = channels.get('email');
      if (!mail) throw new PermanentJobError('no e-mail channel is registered');
      const sent = await mail.deliver({
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
        secret: m.secret ?? false,
      });
      // 'dev': no relay is set up, so the mail only reached the local dev mailbox.
      return { transport: sent.meta?.transport === 'dev' ? ('dev' as const) : ('relay' as const) };
    },
  };
}
export type DirectMail = ReturnType<typeof createDirectMail>;
