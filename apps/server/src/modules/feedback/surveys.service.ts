import { FeedbackSettings, type UpdateFeedbackSettings } from '@shopdesk/contracts';
import type { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { DomainEvent } from '../../platform/events/bus.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import { ordersDeliveredBetween } from '../commerce/index.ts';
import type { HelpCenterService, ShopperLinks } from '../helpcenter/index.ts';
import type { DirectMail, NoticesService } from '../notices/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { fill, formatDate, noticeTemplates, wordsFor } from './feedback-i18n.ts';
import { feedbackOverview } from './reports.ts';
import { preRead, reactToLowAnswer, snapshotOf, VIA } from './survey-reactions.ts';
import {
  csatDecision,
  followUpDecision,
  LINK_PURPOSES,
  npsDecision,
  raisedPriority,
  scalePoints,
  validScore,
  verdictOf,
} from './survey-rules.ts';
import { iso, toSurveyResponse, verdictFilter } from './survey-shapes.ts';
import * as repo from './surveys.repository.ts';

export const SEND_SURVEY_JOB = 'send-feedback-survey';
export const SEND_FOLLOW_UP_JOB = 'send-feedback-follow-up';
export const CLOSE_FOLLOW_UP_JOB = 'close-feedback-follow-up';
export const SURVEY_NOTICE = 'feedback.survey';
export const FOLLOW_UP_NOTICE = 'feedback.follow-up';

const DAY = 86_400_000;

export function createSurveysService(o: {
  deps: Deps;
  tickets: TicketsService;
  hc: Pick<HelpCenterService, 'baseFor' | 'settingsOf'>;
  links: Pick<ShopperLinks, 'url'>;
  notices: Pick<NoticesService, 'send' | 'registerKind'>;
  mail: DirectMail;
}) {
  const { deps, tickets, hc, mail, links, notices } = o;
  notices.registerKind({
    kind: SURVEY_NOTICE,
    description: 'Questions about how we helped you',
    variables: ['survey.subject', 'survey.choices', 'survey.closes'],
    templates: noticeTemplates('survey'),
  });
  notices.registerKind({
    kind: FOLLOW_UP_NOTICE,
    description: 'Asking whether your problem was solved',
    variables: ['followup.subject', 'followup.yes_url', 'followup.no_url'],
    templates: noticeTemplates('follow-up'),
  });
  const { db, bus } = deps;

  async function settingsOf(workspaceId: number): Promise<FeedbackSettings> {
    const raw = await repo.getSettingsRow(db, workspaceId);
    const r = FeedbackSettings.safeParse(raw ?? {});
    return r.success ? r.data : FeedbackSettings.parse({});
  }

  async function localeOf(workspaceId: number) {
    return (await hc.settingsOf(workspaceId)).default_locale ?? 'en';
  }

  async function answerUrls(s: repo.SurveyRow, expiresAt: Date) {
    const page = await links.url({
      purpose: LINK_PURPOSES.survey,
      workspaceId: s.workspace_id,
      subject: { type: 'survey', id: s.id },
      expiresAt,
    });
    return { page, score: (n: number) => `${page}?score=${n}` };
  }

  /** An opt-out page must always open: the link lives a year. */
  const optOutUrl = (workspaceId: number, contactId: number) =>
    links.url({
      purpose: LINK_PURPOSES.optOut,
      workspaceId,
      subject: { type: 'contact', id: contactId },
      ttlDays: 365,
    });

  const svc = {
    settingsOf,

    async updateSettings(auth: Auth, patch: z.output<typeof UpdateFeedbackSettings>) {
      const cur = await settingsOf(auth.workspaceId);
      const next = FeedbackSettings.parse({
        followUp: { ...cur.followUp, ...patch.followUp },
        csat: { ...cur.csat, ...patch.csat },
        nps: { ...cur.nps, ...patch.nps },
        widget: { ...cur.widget, ...patch.widget },
      });
      await db.tx(async (tx) => {
        await repo.putSettingsRow(tx, auth.workspaceId, next, auth.agentId);
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'feedback.settings_updated',
          targetType: 'workspace',
          targetId: auth.workspaceId,
          data: { changed: Object.keys(patch) },
        });
      });
      return next;
    },

    // Reactions to the ticket's life

    /** A ticket was solved: schedule this cycle's follow-up and CSAT survey (or record why not). */
    async onSolved(workspaceId: number, ticketId: number) {
      const t = await tickets.findSummary(workspaceId, ticketId);
      if (t?.status !== 'solved' || !t.solvedAt || t.id !== ticketId) return;
      const solvedAt = new Date(t.solvedAt);
      const settings = await settingsOf(workspaceId);
      const locale = await localeOf(workspaceId);
      const now = new Date();
      const contactId = t.contact?.id ?? null;
      const optedOut = contactId ? await repo.isOptedOut(db, workspaceId, contactId, 'surveys') : false;
      const previous = await repo.latestTicketSurvey(db, workspaceId, ticketId);
      const { snapshot } = await snapshotOf(
        db,
        tickets,
        workspaceId,
        ticketId,
        previous?.cycle_solved_at ?? null,
      );

      const f = followUpDecision(settings.followUp, { teamId: t.teamId, hasContact: !!contactId });
      await repo.insertFollowUp(
        db,
        {
          workspaceId,
          ticketId,
          cycleSolvedAt: solvedAt,
          channel: t.channel,
          locale,
          status: f.send ? 'scheduled' : 'skipped',
          skipReason: f.send ? null : f.reason,
          sendAt: new Date(solvedAt.getTime() + settings.followUp.delayHours * 3_600_000),
        },
        f.send ? SEND_FOLLOW_UP_JOB : null,
      );

      const base = {
        workspaceId,
        kind: 'csat' as const,
        ticketId,
        cycleSolvedAt: solvedAt,
        contactId,
        locale,
        scale: settings.csat.scale,
        snapshot,
      };
      if (t.channel === 'chat' && settings.csat.enabled) {
        // The chat widget asks at the end of the chat itself (chat module); its answer lands here.
        await repo.insertSurvey(
          db,
          {
            ...base,
            scale: 'five',
            channel: 'chat',
            status: 'sent',
            sendAt: now,
            sentAt: now,
            expiresAt: new Date(now.getTime() + settings.csat.answerWindowDays * DAY),
          },
          null,
        );
        return;
      }
      const d = csatDecision(
        settings.csat,
        {
          channel: t.channel,
          teamId: t.teamId,
          tags: t.tags,
          human: snapshot.human,
          hasContact: !!t.contact?.email,
          optedOut,
          lastSurveyedAt: contactId ? await repo.lastSentTo(db, workspaceId, contactId, 'csat') : null,
          sampleKey: `${workspaceId}:${ticketId}:${solvedAt.toISOString()}`,
        },
        now,
      );
      await repo.insertSurvey(
        db,
        {
          ...base,
          channel: 'email',
          status: d.send ? 'scheduled' : 'skipped',
          skipReason: d.send ? null : d.reason,
          sendAt: new Date(solvedAt.getTime() + settings.csat.delayMinutes * 60_000),
        },
        d.send ? SEND_SURVEY_JOB : null,
      );
      if (d.send) deps.jobs.wake();
    },

    /** A solved ticket came back (the customer wrote again, an agent reopened it). */
    async onReopened(workspaceId: number, ticketId: number) {
      await repo.cancelOpenFollowUps(db, workspaceId, ticketId);
      await repo.cancelScheduledSurveys(db, workspaceId, ticketId);
    },

    async onCustomerWrote(workspaceId: number, ticketId: number) {
      const t = await tickets.findSummary(workspaceId, ticketId);
      if (t && t.id === ticketId && t.status !== 'solved' && t.status !== 'closed')
        await svc.onReopened(workspaceId, ticketId);
    },

    // Jobs

    async sendSurvey(workspaceId: number, surveyId: number) {
      const s = await repo.findSurvey(db, workspaceId, surveyId);
      if (s?.status !== 'scheduled') return;
      if (s.kind === 'nps') return svc.sendNps(s);
      const t = s.ticket_id ? await tickets.findSummary(workspaceId, s.ticket_id) : null;
      if (!t || (t.status !== 'solved' && t.status !== 'closed'))
        return void (await repo.markSurveySkipped(db, s.id, 'the ticket was reopened'));
      if (!t.contact) return void (await repo.markSurveySkipped(db, s.id, 'no customer to ask'));
      const settings = await settingsOf(workspaceId);
      const { snapshot } = await snapshotOf(db, tickets, workspaceId, t.id, null);
      // The snapshot of scheduling time knew who worked this cycle; keep its `human`, refresh the rest.
      const snap = { ...snapshot, human: (s.snapshot as { human?: boolean }).human ?? snapshot.human };
      const expiresAt = new Date(Date.now() + settings.csat.answerWindowDays * DAY);
      const w = wordsFor(s.locale);
      const texts = settings.csat.texts[s.locale] ?? settings.csat.texts.en;
      const labels =
        texts?.labels?.length === scalePoints(s.scale).length ? texts.labels : w[s.scale as 'five'];
      const urls = await answerUrls(s, expiresAt);
      const lines = scalePoints(s.scale)
        .map((n, i) => `${labels[i] ?? n}: ${urls.score(n)}`)
        .reverse();
      // Through customer notices: the conversation's channel, quiet hours, frequency cap, the
      // customer's opt-out, at most once per survey; the message shows on the ticket's timeline.
      const out = await notices.send({
        workspaceId,
        kind: SURVEY_NOTICE,
        ticketId: t.id,
        dedupeKey: `${SURVEY_NOTICE}:${s.id}`,
        values: {
          'survey.subject': t.subject,
          'survey.choices': [texts?.question ?? '', ...lines].filter(Boolean).join('\n'),
          'survey.closes': formatDate(s.locale, expiresAt),
        },
        locale: s.locale,
        about: { type: 'survey', id: s.id },
      });
      if (out.status === 'skipped')
        return void (await repo.markSurveySkipped(db, s.id, `not sent: ${out.reason ?? 'skipped'}`));
      await repo.markSurveySent(
        db,
        s.id,
        { ...snap, channel: out.channel ?? snap.channel },
        new Date(),
        expiresAt,
      );
    },

    async sendNps(s: repo.SurveyRow) {
      const snap = s.snapshot as { contactEmail?: string; contactName?: string | null };
      if (!s.contact_id || !snap.contactEmail)
        return void (await repo.markSurveySkipped(db, s.id, 'the customer has no e-mail address'));
      if (await repo.isOptedOut(db, s.workspace_id, s.contact_id, 'surveys'))
        return void (await repo.markSurveySkipped(db, s.id, 'the customer opted out of surveys'));
      const expiresAt = new Date(Date.now() + 14 * DAY);
      const base = await hc.baseFor(s.workspace_id);
      const w = wordsFor(s.locale);
      const urls = await answerUrls(s, expiresAt);
      const text = [
        fill(w.npsIntro, { name: snap.contactName ?? w.hi, shop: base.workspaceName }),
        '',
        scalePoints('nps')
          .map((n) => `${n}: ${urls.score(n)}`)
          .join('\n'),
        '',
        fill(w.stopLink, { url: await optOutUrl(s.workspace_id, s.contact_id) }),
      ].join('\n');
      await mail.send({
        workspaceId: s.workspace_id,
        ticketId: null,
        to: { name: snap.contactName ?? null, email: snap.contactEmail },
        subject: fill(w.npsSubject, { shop: base.workspaceName }),
        text,
      });
      await repo.markSurveySent(db, s.id, s.snapshot, new Date(), expiresAt);
    },

    /** NPS: orders delivered `delayDays` ago (one day's window per run) get a survey, throttled per person. */
    async scheduleNps(workspaceId: number, now = new Date()) {
      const settings = await settingsOf(workspaceId);
      if (!settings.nps.enabled) return 0;
      const to = new Date(now.getTime() - settings.nps.delayDays * DAY);
      const from = new Date(to.getTime() - 2 * DAY);
      const locale = await localeOf(workspaceId);
      let n = 0;
      for (const o of await ordersDeliveredBetween(db, workspaceId, from, to)) {
        const optedOut = o.contactId ? await repo.isOptedOut(db, workspaceId, o.contactId, 'surveys') : false;
        const last = o.contactId ? await repo.lastSentTo(db, workspaceId, o.contactId, 'nps') : null;
        const d = npsDecision(
          settings.nps,
          { hasContact: !!o.contactId && !!o.email, optedOut, lastAskedAt: last },
          now,
        );
        const id = await repo.insertSurvey(
          db,
          {
            workspaceId,
            kind: 'nps',
            ticketId: null,
            cycleSolvedAt: null,
            orderId: o.orderId,
            orderKey: String(o.orderId),
            contactId: o.contactId,
            channel: 'email',
            status: d.send ? 'scheduled' : 'skipped',
            skipReason: d.send ? null : d.reason,
            locale,
            scale: 'nps',
            snapshot: { orderNumber: o.number, contactEmail: o.email, channel: 'email' },
            sendAt: now,
          },
          d.send ? SEND_SURVEY_JOB : null,
        );
        if (id && d.send) n++;
      }
      return n;
    },

    async sendFollowUp(workspaceId: number, followUpId: number) {
      const f = await repo.findFollowUp(db, workspaceId, followUpId);
      if (f?.status !== 'scheduled') return;
      const t = await tickets.findSummary(workspaceId, f.ticket_id);
      if (t?.status !== 'solved' || t.id !== f.ticket_id)
        return void (await repo.setFollowUpStatus(
          db,
          f.id,
          ['scheduled'],
          'cancelled',
          'the ticket was reopened',
        ));
      const settings = await settingsOf(workspaceId);
      const closeAt = new Date(Date.now() + settings.followUp.closeAfterHours * 3_600_000);
      const page = await links.url({
        purpose: LINK_PURPOSES.followUp,
        workspaceId,
        subject: { type: 'follow-up', id: f.id },
        expiresAt: new Date(closeAt.getTime() + 30 * DAY),
      });
      // On the ticket's own channel through customer notices: e-mail threads into the conversation,
      // chat shows it in the widget when the shopper comes back; quiet hours and opt-out apply.
      const out = await notices.send({
        workspaceId,
        kind: FOLLOW_UP_NOTICE,
        ticketId: t.id,
        dedupeKey: `${FOLLOW_UP_NOTICE}:${f.id}`,
        values: {
          'followup.subject': t.subject,
          'followup.yes_url': `${page}?answer=yes`,
          'followup.no_url': `${page}?answer=no`,
        },
        locale: f.locale,
        about: { type: 'follow-up', id: f.id },
      });
      if (out.status === 'skipped')
        return void (await repo.setFollowUpStatus(
          db,
          f.id,
          ['scheduled'],
          'skipped',
          `not sent: ${out.reason ?? 'skipped'}`,
        ));
      await repo.markFollowUpSent(db, f, closeAt, CLOSE_FOLLOW_UP_JOB);
    },

    /** No answer to the follow-up: the ticket is closed on schedule (unless it came back meanwhile). */
    async closeFollowUp(workspaceId: number, followUpId: number) {
      const f = await repo.findFollowUp(db, workspaceId, followUpId);
      if (f?.status !== 'sent') return;
      const t = await tickets.findSummary(workspaceId, f.ticket_id);
      const events = await db.tx(async (tx) => {
        if (!(await repo.setFollowUpStatus(tx, f.id, ['sent'], 'closed'))) return [];
        if (t?.status !== 'solved') return [];
        return (
          (await tickets.applySystemChanges(tx, workspaceId, f.ticket_id, { status: 'closed' }, VIA))
            ?.events ?? []
        );
      });
      await tickets.publishSystemEvents(events);
    },

    // Answers

    /** The shopper's answer to a follow-up ("did this fix it?"). */
    async answerFollowUp(workspaceId: number, followUpId: number, fixed: boolean) {
      const f = await repo.findFollowUp(db, workspaceId, followUpId);
      if (!f) throw notFound('Follow-up');
      if (f.status === (fixed ? 'fixed' : 'not-fixed')) return { status: f.status, changed: false };
      if (f.status !== 'sent') return { status: f.status, changed: false };
      const t = await tickets.findSummary(workspaceId, f.ticket_id);
      const events = await db.tx(async (tx) => {
        if (!(await repo.setFollowUpStatus(tx, f.id, ['sent'], fixed ? 'fixed' : 'not-fixed'))) return [];
        if (!t) return [];
        if (fixed) {
          await tickets.recordEvent(tx, workspaceId, t.id, 'follow_up_answered', null, {
            fixed: true,
            via: VIA,
          });
          if (t.status !== 'solved') return [];
          return (
            (await tickets.applySystemChanges(tx, workspaceId, t.id, { status: 'closed' }, VIA))?.events ?? []
          );
        }
        const note = await tickets.addSystemNote(
          tx,
          workspaceId,
          t.id,
          'The customer answered the follow-up: the problem is not fixed. The ticket was reopened with a higher priority.',
          VIA,
        );
        const res = await tickets.applySystemChanges(
          tx,
          workspaceId,
          t.id,
          { status: 'open', priority: raisedPriority(t.priority) },
          VIA,
        );
        return [...note, ...(res?.events ?? [])];
      });
      await tickets.publishSystemEvents(events);
      return { status: fixed ? 'fixed' : 'not-fixed', changed: true };
    },

    /** Records (or changes) an answer; the reaction to a low score runs once. Null: closed or unknown. */
    async answer(
      workspaceId: number,
      surveyId: number,
      a: { score: number; comment?: string | null; reason?: string | null; channel?: string },
    ) {
      const s = await repo.findSurvey(db, workspaceId, surveyId);
      if (!s) throw notFound('Survey');
      if (!validScore(s.scale, a.score))
        throw new AppError(
          'validation_failed',
          `The score must be one of ${scalePoints(s.scale).join(', ')}`,
          [{ path: 'body.score', message: 'not a point of this survey’s scale' }],
        );
      const comment = a.comment?.trim().slice(0, 5000) || null;
      const settings = await settingsOf(workspaceId);
      const reason =
        a.reason && (s.kind === 'nps' || settings.csat.reasons.includes(a.reason))
          ? a.reason.slice(0, 80)
          : null;
      const pre = await preRead(db, tickets, workspaceId, s.ticket_id);
      const out = await db.tx(async (tx) => {
        const row = await repo.answerSurvey(tx, workspaceId, surveyId, {
          score: a.score,
          comment,
          reason,
          channel: a.channel,
        });
        if (!row) return null;
        const events: DomainEvent[] = [];
        if (row.changed && row.ticket_id) {
          await tickets.recordEvent(tx, workspaceId, row.ticket_id, 'survey_answered', null, {
            kind: row.kind,
            score: row.score,
            of: scalePoints(row.scale).length,
            verdict: verdictOf(row.scale, row.score!),
            comment: row.comment,
            reason: row.reason,
            via: VIA,
          });
          events.push(...(await reactToLowAnswer(tickets, tx, row, settings, pre)));
        }
        return { row, events };
      });
      if (!out) return null;
      await tickets.publishSystemEvents(out.events);
      if (out.row.changed)
        await bus.publish({
          name: 'feedback.survey_answered',
          workspaceId,
          ...(out.row.ticket_id ? { ticketId: out.row.ticket_id } : {}),
          data: {
            surveyId,
            kind: out.row.kind,
            score: out.row.score,
            verdict: verdictOf(out.row.scale, out.row.score!),
          },
        });
      return toSurveyResponse(out.row);
    },

    /** The chat widget's rating (chat module, `chat.rated`) is this cycle's CSAT answer. */
    async onChatRated(workspaceId: number, ticketId: number, score: number, comment: string | null) {
      const s = await repo.latestTicketSurvey(db, workspaceId, ticketId);
      if (s?.scale !== 'five' || s.status === 'skipped' || s.status === 'cancelled') return;
      await svc.answer(workspaceId, s.id, { score, comment, channel: 'chat' });
    },

    async optOut(workspaceId: number, contactId: number) {
      await repo.optOut(db, workspaceId, contactId, 'surveys');
      await repo.optOut(db, workspaceId, contactId, 'improvements');
    },

    // Reads

    overview: (auth: Pick<Auth, 'workspaceId'>, days: number) => feedbackOverview(db, auth.workspaceId, days),

    async get(auth: Pick<Auth, 'workspaceId'>, id: number) {
      const s = await repo.findSurvey(db, auth.workspaceId, id);
      if (!s) throw notFound('Survey');
      return toSurveyResponse(s);
    },
    /** A survey for the shopper's page: its row and scale (null when unknown). */
    surveyRow: (workspaceId: number, id: number) => repo.findSurvey(db, workspaceId, id),
    followUpRow: (workspaceId: number, id: number) => repo.findFollowUp(db, workspaceId, id),

    async list(
      auth: Pick<Auth, 'workspaceId'>,
      q: {
        kind?: 'csat' | 'nps';
        status?: string;
        verdict?: string;
        ticketId?: number;
        days: number;
        limit: number;
      },
    ) {
      const filter = verdictFilter(q.verdict);
      const rows = await repo.listSurveys(db, auth.workspaceId, { ...q, ...filter });
      return { items: rows.map(toSurveyResponse) };
    },

    async followUps(auth: Pick<Auth, 'workspaceId'>, ticketId: number | null) {
      return {
        items: (await repo.listFollowUps(db, auth.workspaceId, ticketId, 100)).map((f) => ({
          id: f.id,
          ticketId: f.ticket_id,
          channel: f.channel,
          status: f.status,
          skipReason: f.skip_reason,
          sendAt: f.send_at.toISOString(),
          sentAt: iso(f.sent_at),
          closeAt: iso(f.close_at),
          answeredAt: iso(f.answered_at),
        })),
      };
    },
  };
  return svc;
}

/** A verdict as scores per scale (good on a 5-point scale is 4 and 5, and so on). */
export type SurveysService = ReturnType<typeof createSurveysService>;
