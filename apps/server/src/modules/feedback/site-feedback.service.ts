import { randomUUID } from 'node:crypto';
import {
  type FeedbackItem,
  FeedbackSettings,
  type ListFeedbackQuery,
  type Topic,
  WidgetFeedbackInput,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import { WebhookRejected } from '../../channels/inbound.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, forbidden, notFound } from '../../platform/errors.ts';
import { clientKey } from '../../platform/http/rate-limit.ts';
import type { Auth } from '../../platform/http/router.ts';
import type { IntakeEvent, IntakeService, IntakeSource } from '../intake/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import * as repo from './loop.repository.ts';
import { weekOf } from './reports.ts';
import { getSettingsRow } from './surveys.repository.ts';
import { deviceOf, emergingWords, topicFor } from './topic-rules.ts';

export const FEEDBACK_SOURCE = 'feedback-widget';
const MAX_COMMENT = 2000;

export interface WidgetShopper {
  workspaceId: number;
  visitor: { contactId: number | null; email: string | null; name: string | null; verified: boolean } | null;
}

/** What the intake keeps of one submission: everything decided at the request (the visitor's identity). */
interface StoredFeedback {
  rating: number;
  comment: string;
  pageUrl: string | null;
  device: string | null;
  email: string | null;
  name: string | null;
  locale: string | null;
  contactId: number | null;
  at: string;
}

/** Only http(s) pages are kept, without credentials; anything else is dropped, not refused. */
function cleanPageUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    u.username = '';
    u.password = '';
    return u.toString().slice(0, 2000);
  } catch {
    return null;
  }
}

export function toFeedbackItem(r: repo.ItemRow): FeedbackItem {
  return {
    id: r.id,
    rating: r.rating,
    comment: r.comment,
    pageUrl: r.page_url,
    device: r.device,
    email: r.email,
    contactId: r.contact_id,
    ticketId: r.ticket_id,
    topic: r.topic_id && r.topic_name ? { id: r.topic_id, name: r.topic_name } : null,
    createdAt: r.created_at.toISOString(),
  };
}

/**
 * Site feedback (the widget's Feedback tab) and topics: a submission is stored through the durable
 * intake before the widget hears OK; the intake's job files it under a topic and opens a ticket for
 * negative feedback from someone the shop can answer.
 */
export function createSiteFeedbackService(o: {
  deps: Deps;
  tickets: TicketsService;
  intake: Pick<IntakeService, 'store'>;
}) {
  const { deps, tickets, intake } = o;
  const { db } = deps;

  async function settingsOf(workspaceId: number) {
    const r = FeedbackSettings.safeParse((await getSettingsRow(db, workspaceId)) ?? {});
    return r.success ? r.data : FeedbackSettings.parse({});
  }

  async function rules(workspaceId: number) {
    return (await repo.listTopics(db, workspaceId)).map((t) => ({ id: t.id, keywords: t.keywords }));
  }

  /** Re-files every text of the last year under the topic its words match now (after a topic changed). */
  async function regroup(workspaceId: number, onlyUnfiled = false) {
    const r = await rules(workspaceId);
    for (const row of await repo.textsSince(db, workspaceId, 365)) {
      if (onlyUnfiled && row.topic_id !== null) continue;
      const t = topicFor(row.text, r);
      if (t !== row.topic_id) await repo.setTopicOf(db, workspaceId, row.source, row.id, t);
    }
  }

  const source: IntakeSource = {
    name: FEEDBACK_SOURCE,
    // Only the widget route stores deliveries of this source (intake.store); the webhook URL is closed.
    async accept() {
      throw new WebhookRejected(404, 'Site feedback is sent by the widget, not by webhook');
    },
    async process(e: IntakeEvent) {
      const p = JSON.parse(e.payload.toString('utf8')) as StoredFeedback;
      const item = await repo.insertItem(db, {
        workspaceId: e.workspaceId,
        sourceKey: e.providerId,
        rating: p.rating,
        comment: p.comment,
        pageUrl: p.pageUrl,
        device: p.device,
        email: p.email,
        locale: p.locale,
        contactId: p.contactId,
        topicId: p.comment ? topicFor(p.comment, await rules(e.workspaceId)) : null,
        createdAt: new Date(p.at),
      });
      const s = await settingsOf(e.workspaceId);
      if (item.rating >= 0 || item.ticket_id || !item.email || !s.widget.negativeCreatesTicket) return;
      // The event's id is the message's external id: a retried job lands on the same ticket.
      const lines = [p.comment || '(no comment)', '', `Page: ${p.pageUrl ?? 'unknown'}`];
      if (p.device) lines.push(`Device: ${p.device}`);
      const r = await tickets.receive(e.workspaceId, {
        channel: 'web',
        contact: { email: item.email, name: p.name },
        subject: `Site feedback: ${(p.comment || 'a thumbs down').slice(0, 80)}`,
        bodyText: lines.join('\n'),
        externalId: `${FEEDBACK_SOURCE}:${e.providerId}`,
        dedupe: true,
        tags: ['site-feedback'],
        channelMeta: { source: 'feedback-widget', feedbackId: item.id, pageUrl: p.pageUrl, locale: p.locale },
      });
      await repo.setItemTicket(db, e.workspaceId, item.id, r.ticketId, r.contactId || null);
    },
  };

  return {
    intakeSource: () => source,
    settingsOf,
    regroup,

    /** The widget's POST: checked, limited, stored through the intake; the answer comes after the commit. */
    async submit(
      shopper: WidgetShopper,
      raw: z.input<typeof WidgetFeedbackInput>,
      meta: { ip: string; userAgent: string | null; locale?: string },
    ) {
      const s = await settingsOf(shopper.workspaceId);
      if (!s.widget.enabled) throw forbidden('Site feedback is switched off for this shop');
      const input = WidgetFeedbackInput.parse(raw);
      const comment = input.comment.trim().slice(0, MAX_COMMENT);
      await deps.limits.consume('widget.feedback', clientKey(meta.ip));
      await deps.limits.consume('widget.feedback.workspace', String(shopper.workspaceId));
      const v = shopper.visitor;
      const payload: StoredFeedback = {
        rating: input.rating,
        comment,
        pageUrl: cleanPageUrl(input.pageUrl),
        device: deviceOf(meta.userAgent),
        // A signed-in shopper's verified address wins over what the form says.
        email: (v?.verified ? v.email : (input.email ?? v?.email ?? null))?.toLowerCase() ?? null,
        name: v?.name ?? null,
        locale: meta.locale && /^[a-z]{2}$/.test(meta.locale) ? meta.locale : null,
        contactId: v?.contactId ?? null,
        at: new Date().toISOString(),
      };
      const stored = await intake.store(
        FEEDBACK_SOURCE,
        { workspaceId: shopper.workspaceId, providerId: randomUUID() },
        Buffer.from(JSON.stringify(payload)),
      );
      return { accepted: !stored.duplicate };
    },

    async list(auth: Auth, q: z.output<typeof ListFeedbackQuery>) {
      const rows = await repo.listItems(db, auth.workspaceId, q);
      return { items: rows.map(toFeedbackItem) };
    },

    async get(auth: Auth, id: number) {
      const r = await repo.findItem(db, auth.workspaceId, id);
      if (!r) throw notFound('Feedback');
      return toFeedbackItem(r);
    },

    /** Topics with their volume per week and examples, and the words no topic covers yet. */
    async topics(
      auth: Auth,
      days: number,
    ): Promise<{ topics: Topic[]; emerging: { word: string; count: number }[] }> {
      await regroup(auth.workspaceId, true);
      const topicRows = await repo.listTopics(db, auth.workspaceId);
      const texts = await repo.textsSince(db, auth.workspaceId, days);
      const weeks: string[] = [];
      for (let d = Math.min(days, 84); d >= 0; d -= 7) {
        const w = weekOf(new Date(Date.now() - d * 86_400_000));
        if (!weeks.includes(w)) weeks.push(w);
      }
      const topics = topicRows.map((t) => {
        const mine = texts.filter((x) => x.topic_id === t.id);
        const perWeek = new Map<string, number>();
        for (const x of mine) perWeek.set(weekOf(x.at), (perWeek.get(weekOf(x.at)) ?? 0) + 1);
        return {
          id: t.id,
          name: t.name,
          keywords: t.keywords,
          volume: mine.length,
          negative: mine.filter((x) => x.negative).length,
          weekly: weeks.map((week) => ({ week, count: perWeek.get(week) ?? 0 })),
          examples: mine
            .slice(0, 5)
            .map((x) => ({ source: x.source, id: x.id, text: x.text.slice(0, 300), at: x.at.toISOString() })),
        };
      });
      topics.sort((a, b) => b.volume - a.volume || a.id - b.id);
      const emerging = emergingWords(
        texts.filter((x) => x.negative).map((x) => x.text),
        topicRows.map((t) => ({ id: t.id, keywords: t.keywords })),
      );
      return { topics, emerging };
    },

    async createTopic(auth: Auth, name: string, keywords: string[]) {
      const row = await repo.insertTopic(db, auth.workspaceId, name, [...new Set(keywords)]);
      if (!row) throw new AppError('conflict', `A topic named “${name}” exists already`);
      await regroup(auth.workspaceId);
      return row;
    },

    async updateTopic(auth: Auth, id: number, u: { name?: string; keywords?: string[]; mergeInto?: number }) {
      const t = await repo.findTopic(db, auth.workspaceId, id);
      if (!t) throw notFound('Topic');
      if (u.mergeInto !== undefined) {
        if (u.mergeInto === id)
          throw new AppError('validation_failed', 'A topic cannot be merged into itself');
        const into = await repo.findTopic(db, auth.workspaceId, u.mergeInto);
        if (!into) throw notFound('Topic to merge into');
        await db.tx((tx) =>
          repo.mergeTopic(tx, auth.workspaceId, id, into.id, [...new Set([...into.keywords, ...t.keywords])]),
        );
        await regroup(auth.workspaceId);
        return (await repo.findTopic(db, auth.workspaceId, into.id))!;
      }
      const name = u.name ?? t.name;
      if (await repo.topicNameTaken(db, auth.workspaceId, name, id))
        throw new AppError('conflict', `A topic named “${name}” exists already`);
      const row = (await repo.updateTopic(db, auth.workspaceId, id, name, [
        ...new Set(u.keywords ?? t.keywords),
      ]))!;
      await regroup(auth.workspaceId);
      return row;
    },

    async deleteTopic(auth: Auth, id: number) {
      if (!(await repo.deleteTopic(db, auth.workspaceId, id))) throw notFound('Topic');
      await regroup(auth.workspaceId, true);
    },
  };
}

export type SiteFeedbackService = ReturnType<typeof createSiteFeedbackService>;
