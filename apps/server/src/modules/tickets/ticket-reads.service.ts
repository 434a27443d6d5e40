import type { ListTicketsQuery, TicketStatus, TicketSummary } from '@shopdesk/contracts';
import { AppError } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import type { TicketCore } from './ticket-core.ts';
import { toSummary } from './ticket-shapes.ts';
import * as repo from './tickets.repository.ts';

/** Reading tickets: one ticket, a filtered page or count, where a channel reply lands, reply-time stats. */
export function createTicketReadsService(core: TicketCore) {
  const { db, findLive, resolveFilter } = core;
  return {
    get: core.get,
    /**
     * The message an agent's request with this Idempotency-Key created, if its transaction committed
     * (the request may have died before answering): the ticket for a create, the message for a reply.
     */
    async createdByKey(auth: Auth, key: string, kind: 'ticket' | 'reply') {
      const m = await repo.messageByIdempotencyKey(
        db,
        auth.workspaceId,
        auth.agentId,
        key,
        kind === 'ticket' ? 'inbound' : 'outbound',
      );
      if (!m) return null;
      return kind === 'ticket' ? core.get(auth, m.ticket_id) : core.getMessage(auth, m.id);
    },
    async list(auth: Auth, q: ListTicketsQuery & { contactIds?: number[] }) {
      const { filter, sort } = await resolveFilter(auth, q);
      let after: [string | null, number] | undefined;
      if (q.cursor) {
        try {
          const [ts, id] = JSON.parse(Buffer.from(q.cursor, 'base64url').toString()) as [
            string | null,
            number,
          ];
          const tail = ts === null && sort === 'sla_due_asc'; // past the tickets that have a due time
          if (!tail && (typeof ts !== 'string' || Number.isNaN(Date.parse(ts)))) throw new Error();
          if (!Number.isInteger(id)) throw new Error();
          after = [ts, id];
        } catch {
          throw new AppError('validation_failed', 'Bad cursor', [
            { path: 'query.cursor', message: 'use nextCursor from a previous page' },
          ]);
        }
      }
      const { rows, field } = await repo.listTickets(db, auth.workspaceId, filter, sort, q.limit + 1, after);
      const items = rows.slice(0, q.limit);
      const last = items[items.length - 1];
      const nextCursor =
        rows.length > q.limit && last
          ? Buffer.from(
              JSON.stringify([
                ((last as Record<string, unknown>)[field] as Date | null)?.toISOString() ?? null,
                last.id,
              ]),
            ).toString('base64url')
          : null;
      return { items: items.map(toSummary), nextCursor };
    },

    /** The ticket a merged ticket now lives in, as a summary; null when missing or another workspace's. */
    async findSummary(workspaceId: number, id: number): Promise<TicketSummary | null> {
      const t = await findLive(workspaceId, id);
      return t ? toSummary(t) : null;
    },

    async count(auth: Auth, q: ListTicketsQuery) {
      const { filter } = await resolveFilter(auth, q);
      return repo.countTickets(db, auth.workspaceId, filter);
    },
    /** Where a channel reply lands: the live ticket (merges followed), its status, contact and followers. */
    async threadTarget(workspaceId: number, ticketId: number) {
      const t = await findLive(workspaceId, ticketId);
      if (!t) return null;
      return {
        id: t.id,
        status: t.status as TicketStatus,
        subject: t.subject,
        contactEmail: t.contact_email,
        followers: await repo.listFollowers(db, t.id),
      };
    },

    /** Median time to first reply on recent tickets of a channel (what an auto-reply may honestly promise). */
    async firstResponseStats(workspaceId: number, channel: string, days = 30) {
      const r = await repo.firstResponseStats(db, workspaceId, channel, days);
      return { medianSeconds: r?.median ?? null, samples: r?.samples ?? 0 };
    },
  };
}
