import { randomInt } from 'node:crypto';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { sha256 } from '../../platform/security/crypto.ts';
import { transcriptMessages } from '../tickets/index.ts';
import { findWorkspaceById } from '../workspaces/index.ts';
import * as repo from './chat.repository.ts';
import type { ChatContext, RequestMeta } from './chat-context.ts';

/** Chat transcripts by e-mail, only to an address the visitor is known to own. */
export function createTranscriptsService(c: ChatContext) {
  const { deps, channels, db, visitorOf } = c;
  return {
    /**
     * A transcript goes only to an address the visitor is known to own: an identified shopper's own
     * (signed by the shop), or one the visitor proved with a one-time code mailed there first. Anyone
     * could otherwise make the shop mail (with its domain and DKIM) any text to any address.
     */
    async requestTranscript(
      slug: string,
      meta: RequestMeta,
      input: { token: string; email?: string; code?: string },
    ) {
      const { ws, visitor } = await visitorOf(slug, input.token, meta);
      await deps.limits.consume('widget.transcripts', `${ws.id}:${visitor.visitor_key}`);
      const email = (visitor.verified ? visitor.email : (input.email ?? visitor.email))?.trim().toLowerCase();
      if (!email) throw badRequest('Tell us the e-mail address to send the transcript to');
      if (!channels.get('email'))
        throw new AppError(
          'unavailable',
          'E-mail is not set up for this shop yet, so transcripts cannot be sent',
        );
      const conv = await repo.latestConversation(db, ws.id, visitor.id);
      if (!conv) throw notFound('Conversation');
      const job = { workspaceId: ws.id, visitorId: visitor.id, ticketId: conv.ticket_id, email };
      const send = async (extra: { code?: string } = {}) => {
        await enqueue(
          db,
          'send-chat-transcript',
          { ...job, ...extra },
          { workspaceId: ws.id, maxAttempts: 5 },
        );
        deps.jobs.wake();
      };
      const proven =
        visitor.verified || !!(await repo.findTranscriptCode(db, ws.id, visitor.id, email))?.verified_at;
      if (proven) {
        await send();
        return { queued: true, email, codeSent: false };
      }
      const hash = (code: string) => sha256(`${ws.id}:${visitor.id}:${email}:${code}`);
      if (input.code) {
        await deps.limits.consume('widget.transcript-codes.check', `${ws.id}:${visitor.visitor_key}`);
        if (!(await repo.useTranscriptCode(db, ws.id, visitor.id, email, hash(input.code), 5)))
          throw new AppError('validation_failed', 'That code is wrong or has expired; ask for a new one', [
            { path: 'body.code', message: 'wrong or expired code' },
          ]);
        await send();
        return { queued: true, email, codeSent: false };
      }
      // Counted per address whoever asks, and per shop: the code mail cannot be used to flood anyone.
      await deps.limits.consume('widget.transcript-codes', `${ws.id}:${email}`);
      await deps.limits.consume('widget.transcript-codes.workspace', String(ws.id));
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      await repo.saveTranscriptCode(db, ws.id, visitor.id, email, hash(code), 15 * 60);
      await send({ code });
      return { queued: false, email, codeSent: true };
    },

    /** Job: the visitor's conversation as plain text, e-mailed through the registered e-mail channel. */
    async sendTranscript(p: {
      workspaceId: number;
      visitorId: number;
      ticketId: number;
      email: string;
      code?: string;
    }) {
      const mail = channels.get('email');
      if (!mail) throw new Error('no e-mail channel is registered');
      const ws = await findWorkspaceById(db, p.workspaceId);
      const visitor = await repo.findVisitorById(db, p.workspaceId, p.visitorId);
      const rows = await transcriptMessages(db, p.workspaceId, [p.ticketId], 1000);
      const last = rows[rows.length - 1];
      if (!ws || !visitor || !last) return;
      const notice = {
        workspaceId: p.workspaceId,
        ticketId: p.ticketId,
        messageId: last.id,
        channel: 'email',
        bodyHtml: null,
        from: { agentName: null },
        to: { name: visitor.name, email: p.email, phone: null, identities: [] },
        cc: [],
        attachments: [],
        threadExternalIds: [],
        lastInboundMeta: null,
        notice: true,
      };
      if (p.code) {
        // Fixed words only: nothing the visitor typed goes to the address being verified.
        await mail.deliver({
          ...notice,
          subject: `Your code for the chat transcript from ${ws.name}`,
          bodyText: `Your code: ${p.code}\n\nEnter it in the chat on ${ws.name}'s site to receive the transcript of your chat. It works for 15 minutes.\n\nIf you did not ask for this, ignore this e-mail: nothing will be sent to you.\n`,
        });
        return;
      }
      const lines = rows.map((m) => {
        const who = m.kind === 'inbound' ? (visitor.name ?? 'You') : (m.agent_name ?? ws.name);
        const files = m.attachments.map((a) => ` [file: ${a.filename}]`).join('');
        return `[${m.created_at.toISOString().replace('T', ' ').slice(0, 16)} UTC] ${who}: ${m.body_text}${files}`;
      });
      await mail.deliver({
        ...notice,
        subject: `Transcript of your chat with ${ws.name} (#${p.ticketId})`,
        bodyText: `Here is the transcript of your chat with ${ws.name}.\n\n${lines.join('\n')}\n`,
      });
    },
  };
}
