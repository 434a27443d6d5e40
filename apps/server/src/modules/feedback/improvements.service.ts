import type { CreateImprovement, Improvement, LinkFeedback, UpdateImprovement } from '@shopdesk/contracts';
import type { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import type { NoticesService } from '../notices/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import * as repo from './loop.repository.ts';
import { IMPROVEMENT_VARIABLES, improvementTemplates } from './loop-i18n.ts';

export const IMPROVEMENT_NOTICE = 'feedback.improvement';
export const NOTIFY_IMPROVEMENT_JOB = 'notify-feedback-improvement';

/**
 * Improvements: a change made because of feedback ("Size chart wrong for jackets"), linked to the
 * feedback, survey answers and tickets that asked for it. Marking it done tells every person who raised
 * it, once, on their conversation's channel, through customer notices (opt-out, quiet hours, language).
 */
export function createImprovementsService(o: {
  deps: Deps;
  tickets: TicketsService;
  notices: Pick<NoticesService, 'send' | 'registerKind'>;
}) {
  const { deps, tickets, notices } = o;
  const { db } = deps;
  notices.registerKind({
    kind: IMPROVEMENT_NOTICE,
    description: 'What we changed because of your feedback',
    variables: IMPROVEMENT_VARIABLES,
    templates: improvementTemplates(),
  });

  async function views(workspaceId: number, rows: repo.ImprovementRow[]): Promise<Improvement[]> {
    const ids = rows.map((r) => r.id);
    const links = await repo.linksOf(db, workspaceId, ids);
    const counts = await repo.noticeCounts(db, workspaceId, ids);
    return rows.map((r) => {
      const n = { queued: 0, sent: 0, skipped: 0 };
      for (const c of counts) if (c.improvement_id === r.id) n[c.status] = c.n;
      return {
        id: r.id,
        title: r.title,
        changeText: r.change_text,
        status: r.status,
        topicId: r.topic_id,
        links: links
          .filter((l) => l.improvement_id === r.id)
          .map((l) => ({ source: l.source, id: l.source_id, contactId: l.contact_id, said: l.said })),
        notices: n,
        doneAt: r.done_at?.toISOString() ?? null,
        createdAt: r.created_at.toISOString(),
      };
    });
  }

  async function load(workspaceId: number, id: number) {
    const r = await repo.findImprovement(db, workspaceId, id);
    if (!r) throw notFound('Improvement');
    return r;
  }

  /** Who said what, checked against this workspace: another shop's id is a 404 and links nothing. */
  async function resolveLink(workspaceId: number, source: 'feedback' | 'survey' | 'ticket', id: number) {
    if (source === 'feedback') {
      const i = await repo.findItem(db, workspaceId, id);
      if (!i) throw notFound(`Feedback ${id}`);
      return { contactId: i.contact_id, said: i.comment };
    }
    if (source === 'survey') {
      const s = await repo.surveyForLink(db, workspaceId, id);
      if (!s) throw notFound(`Survey ${id}`);
      return { contactId: s.contact_id, said: s.text };
    }
    const t = await tickets.get({ workspaceId }, id);
    return { contactId: t.contact?.id ?? null, said: t.subject };
  }

  async function link(
    workspaceId: number,
    improvementId: number,
    links: { source: 'feedback' | 'survey' | 'ticket'; id: number }[],
  ) {
    const resolved = [];
    for (const l of links) resolved.push({ ...l, ...(await resolveLink(workspaceId, l.source, l.id)) });
    for (const l of resolved)
      await repo.addLink(db, workspaceId, {
        improvementId,
        source: l.source,
        sourceId: l.id,
        contactId: l.contactId,
        said: l.said,
      });
  }

  /** The conversation to answer a person on, and the language they wrote in. */
  async function whereToTell(workspaceId: number, ls: repo.LinkRow[]) {
    let locale: string | undefined;
    let ticketId: number | null = null;
    for (const l of ls) {
      if (l.source === 'ticket') ticketId ??= l.source_id;
      else if (l.source === 'survey') {
        const s = await repo.surveyForLink(db, workspaceId, l.source_id);
        ticketId ??= s?.ticket_id ?? null;
        locale ??= s?.locale;
      } else {
        const i = await repo.findItem(db, workspaceId, l.source_id);
        ticketId ??= i?.ticket_id ?? null;
        locale ??= i?.locale ?? undefined;
      }
    }
    return { ticketId, locale };
  }

  return {
    async list(auth: Auth) {
      return { items: await views(auth.workspaceId, await repo.listImprovements(db, auth.workspaceId)) };
    },
    async get(auth: Auth, id: number) {
      return (await views(auth.workspaceId, [await load(auth.workspaceId, id)]))[0]!;
    },

    /** From a topic: its negative feedback and survey answers from known people are linked at once. */
    async create(auth: Auth, input: z.output<typeof CreateImprovement>) {
      if (input.topicId !== undefined && !(await repo.findTopic(db, auth.workspaceId, input.topicId)))
        throw notFound('Topic');
      const row = (await repo.insertImprovement(db, auth.workspaceId, {
        title: input.title,
        changeText: input.changeText,
        topicId: input.topicId ?? null,
        by: auth.agentId,
      }))!;
      if (input.topicId !== undefined)
        await link(auth.workspaceId, row.id, await repo.topicEvidence(db, auth.workspaceId, input.topicId));
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'feedback.improvement_created',
        targetType: 'improvement',
        targetId: row.id,
        data: { title: row.title },
      });
      return this.get(auth, row.id);
    },

    async link(auth: Auth, id: number, body: z.output<typeof LinkFeedback>) {
      const imp = await load(auth.workspaceId, id);
      await link(auth.workspaceId, id, body.links);
      // Linked after it was done: they hear back too (the others are not told twice).
      if (imp.status === 'done')
        await repo.enqueueNotify(db, auth.workspaceId, id, NOTIFY_IMPROVEMENT_JOB, String(Date.now()));
      deps.jobs.wake();
      return this.get(auth, id);
    },

    async update(auth: Auth, id: number, u: z.output<typeof UpdateImprovement>) {
      const done = await db.tx(async (tx) => {
        const cur = await repo.findImprovement(tx, auth.workspaceId, id, true);
        if (!cur) throw notFound('Improvement');
        if (cur.status === 'done' && u.status && u.status !== 'done')
          throw new AppError(
            'conflict',
            'This improvement is done and its customers were told; it cannot be reopened',
          );
        const status = u.status ?? cur.status;
        const becameDone = status === 'done' && cur.status !== 'done';
        await repo.updateImprovement(tx, auth.workspaceId, id, {
          title: u.title ?? cur.title,
          changeText: u.changeText ?? cur.change_text,
          status,
          doneAt: becameDone ? new Date() : cur.done_at,
        });
        if (becameDone) await repo.enqueueNotify(tx, auth.workspaceId, id, NOTIFY_IMPROVEMENT_JOB, 'done');
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'feedback.improvement_updated',
          targetType: 'improvement',
          targetId: id,
          data: { from: cur.status, to: status },
        });
        return becameDone;
      });
      if (done) deps.jobs.wake();
      return this.get(auth, id);
    },

    /** Who would be told, and how, without sending anything (the dashboard shows it before "done"). */
    async recipients(auth: Auth, id: number) {
      await load(auth.workspaceId, id);
      const links = await repo.linksOf(db, auth.workspaceId, [id]);
      const people = new Set(links.map((l) => l.contact_id).filter((c): c is number => c !== null));
      const told = await repo.noticesOf(db, auth.workspaceId, id);
      return {
        people: people.size,
        unreachable: links.filter((l) => l.contact_id === null).length,
        notices: told.map((t) => ({ contactId: t.contact_id, status: t.status, reason: t.skip_reason })),
      };
    },

    /** Job: tells each person linked to a done improvement, once (the notice row's key is the person). */
    async notify(workspaceId: number, improvementId: number) {
      const imp = await repo.findImprovement(db, workspaceId, improvementId);
      if (imp?.status !== 'done') return;
      const links = await repo.linksOf(db, workspaceId, [improvementId]);
      const byPerson = new Map<number, repo.LinkRow[]>();
      for (const l of links)
        if (l.contact_id !== null) byPerson.set(l.contact_id, [...(byPerson.get(l.contact_id) ?? []), l]);
      for (const [contactId, ls] of byPerson) {
        if (!(await repo.claimNotice(db, workspaceId, improvementId, contactId))) continue;
        const { ticketId, locale } = await whereToTell(workspaceId, ls);
        if (!ticketId) {
          await repo.settleNotice(db, improvementId, contactId, 'skipped', 'no conversation to answer on');
          continue;
        }
        const said = ls.find((l) => l.said.trim())?.said.trim() ?? imp.title;
        const out = await notices.send({
          workspaceId,
          kind: IMPROVEMENT_NOTICE,
          ticketId,
          dedupeKey: `${IMPROVEMENT_NOTICE}:${improvementId}:${contactId}`,
          values: {
            'improvement.title': imp.title,
            'improvement.said': said.length > 300 ? `${said.slice(0, 297)}…` : said,
            'improvement.change': imp.change_text || imp.title,
          },
          ...(locale ? { locale } : {}),
          about: { type: 'improvement', id: improvementId },
        });
        if (out.status === 'skipped')
          await repo.settleNotice(db, improvementId, contactId, 'skipped', out.reason ?? 'skipped');
        else await repo.settleNotice(db, improvementId, contactId, 'sent', null);
      }
    },
  };
}

export type ImprovementsService = ReturnType<typeof createImprovementsService>;
