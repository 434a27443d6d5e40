import { batcher } from '../../platform/batch.ts';
import { notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import type { Auth } from '../../platform/http/router.ts';
import { messageTexts, type SystemActor, ticketExists, ticketFacts } from '../tickets/index.ts';
import type { AutomationContext } from './automation-context.ts';
import * as repo from './automations.repository.ts';
import { scoreUrgency } from './urgency.ts';

const PRIORITY_RANK = ['low', 'normal', 'high', 'urgent'];

/** Urgency detection on inbound messages (scored in batches) and the scores shown on a ticket. */
export function createUrgencyScoring(c: AutomationContext) {
  const { tickets, db } = c;
  // The inbound messages a job tick lands are scored together: one read and one insert for the lot.
  const messageText = batcher(async (keys: { workspaceId: number; messageId: number }[]) => {
    const rows = new Map((await messageTexts(db, keys)).map((r) => [r.id, r]));
    return keys.map((k) => rows.get(k.messageId));
  });
  const storeUrgency = batcher(async (us: Parameters<typeof repo.insertUrgencies>[1]) => {
    const fresh = new Set((await repo.insertUrgencies(db, us)).map((r) => Number(r.message_id)));
    // The same message twice in one batch (a replay beside the live event) acts once.
    return us.map((u) => fresh.delete(u.messageId));
  });
  return {
    /** Urgency detection on an inbound message: raise priority and tag, with the reasons on the timeline. */
    async scoreMessage(workspaceId: number, messageId: number) {
      const m = await messageText({ workspaceId, messageId });
      if (m?.kind !== 'inbound') return;
      const r = scoreUrgency(m.body_text);
      const stored = await storeUrgency({ workspaceId, ticketId: m.ticket_id, messageId, ...r });
      if (!stored || (r.level !== 'high' && r.level !== 'urgent')) return;
      const t = await ticketFacts(db, workspaceId, m.ticket_id);
      if (!t) return;
      const target = r.level === 'urgent' ? 'urgent' : 'high';
      const raise = PRIORITY_RANK.indexOf(target) > PRIORITY_RANK.indexOf(t.priority);
      const via: SystemActor = { kind: 'urgency', name: 'Urgency detection' };
      const events = await db.tx(async (tx) => {
        const out: DomainEvent[] = [];
        const res = await tickets.applySystemChanges(
          tx,
          workspaceId,
          t.id,
          { ...(raise ? { priority: target } : {}), addTags: ['urgent-language'] },
          via,
        );
        if (res) out.push(...res.events);
        const why = r.reasons.filter((x) => x.weight > 0).map((x) => `${x.phrase} (+${x.weight})`);
        out.push(
          ...(await tickets.addSystemNote(
            tx,
            workspaceId,
            t.id,
            `Urgency ${r.level} (score ${r.score}): ${why.join(', ')}.${raise ? ` Priority raised to ${target}.` : ''}`,
            via,
          )),
        );
        return out;
      });
      await tickets.publishSystemEvents(events);
    },

    async urgency(auth: Pick<Auth, 'workspaceId'>, ticketId: number) {
      if (!(await ticketExists(db, auth.workspaceId, ticketId))) throw notFound('Ticket');
      return (await repo.listUrgency(db, auth.workspaceId, ticketId)).map((u) => ({
        messageId: u.message_id,
        score: u.score,
        level: u.level as 'none',
        reasons: u.reasons,
        createdAt: u.created_at.toISOString(),
      }));
    },
  };
}
