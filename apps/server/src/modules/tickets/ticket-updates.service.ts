import type { UpdateTicket } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import { AppError, badRequest } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import type { TicketCore } from './ticket-core.ts';
import { toSummary } from './ticket-shapes.ts';
import * as repo from './tickets.repository.ts';

/** Changing tickets: fields (one or many), merge, link, contact merges, other modules' timeline entries. */
export function createTicketUpdatesService(core: TicketCore) {
  const { db, bus, load, publishAll, applyChanges } = core;
  return {
    /**
     * Puts an entry on a ticket's timeline inside the caller's transaction (commerce: refunds, approvals),
     * so other modules never write ticket_events themselves.
     */
    recordEvent(
      tx: Db,
      workspaceId: number,
      ticketId: number,
      type: string,
      actor: number | null,
      data: Record<string, unknown> = {},
    ) {
      return repo.insertEvent(tx, workspaceId, ticketId, type, actor, data);
    },
    async update(auth: Auth, id: number, input: UpdateTicket) {
      const { version, ...changes } = input;
      const events = await db.tx(async (tx) => {
        const t = await load(auth.workspaceId, id, true, tx);
        if (version !== undefined && version !== t.version)
          throw new AppError(
            'stale_version',
            'The ticket changed since you loaded it; reload and try again',
            {
              currentVersion: t.version,
              ticket: toSummary(t),
            },
          );
        return bus.stage(tx, await applyChanges(tx, auth, t, changes));
      });
      await publishAll(events);
      return toSummary(await load(auth.workspaceId, id));
    },

    async bulkUpdate(auth: Auth, ids: number[], changes: Omit<UpdateTicket, 'version'>) {
      const unique = [...new Set(ids)];
      const events = await db.tx(async (tx) => {
        const all: DomainEvent[] = [];
        for (const id of unique) {
          const t = await repo.findTicket(tx, auth.workspaceId, id, true);
          // Another workspace's id is reported exactly like a missing one.
          if (!t) throw new AppError('not_found', `Ticket ${id} not found`, { id });
          all.push(...(await applyChanges(tx, auth, t, changes)));
        }
        return bus.stage(tx, all);
      });
      await publishAll(events);
      return { updated: unique.length };
    },
    async merge(auth: Auth, sourceId: number, targetId: number) {
      if (sourceId === targetId) throw badRequest('Cannot merge a ticket into itself');
      const events = await db.tx(async (tx) => {
        // Lock in id order so two opposite merges cannot deadlock.
        const [a, b] = sourceId < targetId ? [sourceId, targetId] : [targetId, sourceId];
        await load(auth.workspaceId, a, true, tx);
        await load(auth.workspaceId, b, true, tx);
        const s = await load(auth.workspaceId, sourceId, false, tx);
        const t = await load(auth.workspaceId, targetId, false, tx);
        if (s.merged_into_id || t.merged_into_id) throw badRequest('One of these tickets is already merged');
        await repo.moveMessages(tx, auth.workspaceId, sourceId, targetId);
        await repo.updateTicketRow(tx, auth.workspaceId, sourceId, {
          merged_into_id: targetId,
          status: 'closed',
          closed_at: new Date(),
        });
        if (s.tags.length)
          await repo.updateTicketRow(tx, auth.workspaceId, targetId, {
            tags: [...new Set([...t.tags, ...s.tags])],
          });
        await repo.insertEvent(tx, auth.workspaceId, targetId, 'merged', auth.agentId, {
          sourceId,
          subject: s.subject,
        });
        await repo.insertEvent(tx, auth.workspaceId, sourceId, 'merged_into', auth.agentId, { targetId });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'ticket.merged',
          targetType: 'ticket',
          targetId,
          data: { sourceId, targetId },
        });
        return bus.stage(tx, [
          {
            name: 'ticket.merged',
            workspaceId: auth.workspaceId,
            ticketId: targetId,
            actorAgentId: auth.agentId,
            data: { sourceId },
          },
          {
            name: 'ticket.updated',
            workspaceId: auth.workspaceId,
            ticketId: sourceId,
            actorAgentId: auth.agentId,
            data: { mergedInto: targetId },
          },
        ]);
      });
      await publishAll(events);
      return core.get(auth, targetId);
    },

    async link(auth: Auth, id: number, otherId: number, kind: string) {
      if (id === otherId) throw badRequest('Cannot link a ticket to itself');
      const events = await db.tx(async (tx) => {
        await load(auth.workspaceId, id, false, tx);
        await load(auth.workspaceId, otherId, false, tx);
        await repo.insertLink(tx, auth.workspaceId, id, otherId, kind);
        await repo.insertEvent(tx, auth.workspaceId, id, 'linked', auth.agentId, { ticketId: otherId, kind });
        return bus.stage(tx, [
          {
            name: 'ticket.updated',
            workspaceId: auth.workspaceId,
            ticketId: id,
            actorAgentId: auth.agentId,
            data: { linked: otherId },
          },
        ]);
      });
      await publishAll(events);
    },

    /** Reaction to contact.merged: the merged contact's tickets move to the survivor. */
    repointContact: (workspaceId: number, from: number, to: number) =>
      repo.repointContact(db, workspaceId, from, to),
  };
}
