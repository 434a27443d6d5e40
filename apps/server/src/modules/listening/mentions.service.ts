import type { Deps } from '../../platform/deps.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { orderSummary } from '../commerce/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import * as repo from './listening.repository.ts';
import type { ListeningService } from './listening.service.ts';
import { LISTENING_ADAPTERS } from './sources/registry.ts';

/** The Mentions inbox: list and filter, bulk status changes, tickets and replies. */
export function createMentionsService(deps: Deps, svc: ListeningService, tickets: TicketsService) {
  const { db } = deps;

  async function toMention(workspaceId: number, m: repo.MentionRow) {
    const order = m.order_id ? await orderSummary(db, workspaceId, m.order_id) : null;
    return {
      id: m.id,
      source: m.kind,
      sourceLabel: LISTENING_ADAPTERS[m.kind]?.label ?? m.kind,
      sourceId: m.source_id,
      externalId: m.external_id,
      author: m.author,
      authorHandle: m.author_handle,
      text: m.text,
      link: m.link,
      postedAt: m.posted_at.toISOString(),
      language: m.language,
      rating: m.rating,
      sentiment: m.sentiment,
      sentimentScore: m.sentiment_score,
      sentimentReasons: m.sentiment_reasons,
      matchedKeywords: m.matched_keywords,
      status: m.status,
      canReply: !!LISTENING_ADAPTERS[m.kind]?.canReply && !!m.reply_ref,
      contactId: m.contact_id,
      order: order
        ? {
            id: order.id,
            number: order.number,
            totalMinor: Number(order.total_minor),
            currency: order.currency,
            status: order.status,
            fulfillmentStatus: order.fulfillment_status,
            placedAt: order.placed_at.toISOString(),
          }
        : null,
      ticketId: m.ticket_id,
      repliedAt: m.replied_at?.toISOString() ?? null,
    };
  }

  return {
    async list(auth: Auth, f: repo.MentionFilter) {
      const rows = await repo.listMentions(db, auth.workspaceId, f);
      const items = [];
      for (const r of rows) items.push(await toMention(auth.workspaceId, r));
      return { items, nextBefore: rows.length === f.limit ? rows[rows.length - 1]!.id : null };
    },
    async get(auth: Auth, id: number) {
      return toMention(auth.workspaceId, await svc.mention(auth, id));
    },
    /** Bulk: mark reviewed, ignore, reopen, or open a ticket for each. */
    async bulk(auth: Auth, ids: number[], action: 'review' | 'ignore' | 'reopen' | 'create-ticket') {
      if (action === 'create-ticket') {
        const out: number[] = [];
        for (const id of ids) {
          const m = await repo.findMention(db, auth.workspaceId, id);
          if (m) out.push(await svc.openTicket(auth.workspaceId, m));
        }
        return { updated: out.length };
      }
      const status = { review: 'reviewed', ignore: 'ignored', reopen: 'new' }[action];
      return { updated: (await repo.setStatus(db, auth.workspaceId, ids, status)).length };
    },
    async createTicket(auth: Auth, id: number) {
      const m = await svc.mention(auth, id);
      return { ticketId: await svc.openTicket(auth.workspaceId, m) };
    },
    /**
     * The agent's answer from Mentions: it becomes a reply on the mention's ticket (opened now when there
     * is none), so it is recorded there and delivered by the ticket's delivery job through the source.
     */
    async reply(auth: Auth, id: number, body: string) {
      const m = await svc.mention(auth, id);
      const adapter = LISTENING_ADAPTERS[m.kind];
      if (!adapter?.canReply || !m.reply_ref)
        throw badRequest(
          `${adapter?.label ?? m.kind} replies are not posted from the desk; answer on the site`,
        );
      const ticketId = await svc.openTicket(auth.workspaceId, m);
      const r = await tickets.reply(auth, ticketId, { body });
      if (!r) throw notFound('Ticket');
      return { ticketId };
    },
    async report(auth: Auth, days: number) {
      return { days, items: await repo.volumeByDay(db, auth.workspaceId, days) };
    },
  };
}
