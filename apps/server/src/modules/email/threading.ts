import { splitAddress, ticketFromSubject, ticketFromTag } from '../../channels/email/addresses.ts';
import type { ParsedEmail } from '../../channels/email/parse-email.ts';
import * as repo from './email.repository.ts';
import type { EmailContext } from './email-context.ts';

/** Which ticket an inbound email continues: reply address, Message-ID references, or a verified [#id]. */
export function createThreading(c: EmailContext) {
  const { tickets, db, keys } = c;

  async function threadFor(
    workspaceId: number,
    p: ParsedEmail,
    recipients: string[],
    sender: string,
    authenticated: boolean,
  ): Promise<{ ticketId: number; how: string } | null> {
    for (const r of recipients) {
      const parts = splitAddress(r);
      const id = ticketFromTag(parts?.tag ?? null, keys(), workspaceId);
      if (id) return { ticketId: id, how: 'reply address' };
    }
    const ids = [...new Set([...p.inReplyTo, ...[...p.references].reverse()])].slice(0, 50);
    if (ids.length) {
      const found = await tickets.findByExternalIds(workspaceId, ids);
      if (found[0]) return { ticketId: found[0].ticket_id, how: 'message id' };
      const acked = await repo.ticketOfOutboundHeaders(db, workspaceId, ids);
      if (acked) return { ticketId: acked, how: 'message id' };
    }
    // A bare [#1234] threads only mail whose sender is verified: a forged From must not join a customer's
    // conversation (the reply address and Message-ID references above are unguessable).
    const ref = authenticated ? ticketFromSubject(p.subject) : null;
    if (ref) {
      // A bare [#1234] is easy to guess: it threads only mail from the ticket's own people.
      const t = await tickets.threadTarget(workspaceId, ref);
      if (t && (t.contactEmail?.toLowerCase() === sender || t.followers.includes(sender)))
        return { ticketId: t.id, how: 'subject reference' };
    }
    return null;
  }

  return { threadFor };
}

export type Threading = ReturnType<typeof createThreading>;
