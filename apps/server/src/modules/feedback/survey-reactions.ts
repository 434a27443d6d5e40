import type { FeedbackSettings } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import { agentAndTeamNames, agentIdsByRole } from '../agents/index.ts';
import { ticketOrderActionKinds } from '../commerce/index.ts';
import type { SystemActor, TicketsService } from '../tickets/index.ts';
import { isLowScore, raisedPriority, scalePoints } from './survey-rules.ts';
import * as repo from './surveys.repository.ts';

/*
 * What surveys read from and do to the ticket: the facts of the support cycle a survey asks about,
 * and the reaction to a low answer (reopen, tell the leads, a recovery task).
 */

/** Who changes a ticket when feedback does (timeline and audit). */
export const VIA: SystemActor = { kind: 'feedback', name: 'Feedback' };

/** The facts of the cycle that just ended: who helped, with what, and whether a person did. */
export async function snapshotOf(
  db: Db,
  tickets: TicketsService,
  workspaceId: number,
  ticketId: number,
  since: Date | null,
) {
  const t = await tickets.get({ workspaceId }, ticketId);
  const names = await agentAndTeamNames(db, workspaceId, t.assigneeId ? [t.assigneeId] : [], []);
  const human = t.messages.some(
    (m) =>
      m.kind === 'outbound' &&
      m.author.type === 'agent' &&
      (!since || new Date(m.createdAt).getTime() > since.getTime()),
  );
  return {
    ticket: t,
    snapshot: {
      assigneeId: t.assigneeId,
      assigneeName: t.assigneeId ? (names.agents.get(t.assigneeId) ?? null) : null,
      teamId: t.teamId,
      channel: t.channel,
      human,
      tags: t.tags,
      orderActions: await ticketOrderActionKinds(db, workspaceId, ticketId),
      subject: t.subject,
      contactName: t.contact?.name ?? null,
      contactEmail: t.contact?.email ?? null,
    },
  };
}

export type Pre = { ticket: Awaited<ReturnType<TicketsService['findSummary']>>; leads: number[] };

/** What a reaction needs, read before its transaction (one connection on the embedded database). */
export async function preRead(
  db: Db,
  tickets: TicketsService,
  workspaceId: number,
  ticketId: number | null,
): Promise<Pre> {
  return {
    ticket: ticketId ? await tickets.findSummary(workspaceId, ticketId) : null,
    leads: await agentIdsByRole(db, workspaceId, ['lead']),
  };
}

/** A low answer's reaction, once per survey (a changed answer or a resubmit does not repeat it). */
export async function reactToLowAnswer(
  tickets: TicketsService,
  tx: Db,
  s: repo.SurveyRow,
  settings: FeedbackSettings,
  pre: Pre,
): Promise<DomainEvent[]> {
  const r = settings.csat.lowScore;
  if (s.kind !== 'csat' || !s.ticket_id || s.score === null) return [];
  if (!isLowScore(s.scale, s.score, r.threshold)) return [];
  if (!r.reopen && !r.notifyLead && !r.recoveryTask) return [];
  const t = pre.ticket;
  if (!t || t.id !== s.ticket_id) return [];
  if (!(await repo.claimReaction(tx, s.id))) return [];
  const events: DomainEvent[] = [];
  const points = scalePoints(s.scale).length;
  const said = `The customer rated this conversation ${s.score}/${points}${s.reason ? ` (${s.reason})` : ''}${s.comment ? `: “${s.comment}”` : '.'}`;
  const leads = pre.leads;
  const changes: Parameters<TicketsService['applySystemChanges']>[3] = {};
  const reopenable = t.status === 'solved' || t.status === 'pending';
  if (r.reopen && reopenable) {
    changes.status = 'open';
    changes.priority = raisedPriority(t.priority);
  }
  if (r.recoveryTask) {
    changes.priority = t.priority === 'urgent' ? 'urgent' : 'high';
    changes.addTags = ['csat-recovery'];
    if (reopenable) changes.status = 'open';
    if (leads[0]) changes.assigneeId = leads[0];
  }
  events.push(
    ...(await tickets.addSystemNote(
      tx,
      s.workspace_id,
      t.id,
      `${said}${r.recoveryTask ? '\nRecovery: get back to the customer today.' : ''}`,
      VIA,
      r.notifyLead ? leads : [],
    )),
  );
  if (Object.keys(changes).length) {
    const res = await tickets.applySystemChanges(tx, s.workspace_id, t.id, changes, VIA);
    if (res) events.push(...res.events);
  }
  return events;
}
