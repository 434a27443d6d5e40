import type {
  CreateReview,
  CreateScorecard,
  ListReviewsQuery,
  QualityScores,
  Review,
  ReviewComment,
  SampleRequest,
  Scorecard,
  UpdateScorecard,
} from '@shopdesk/contracts';
import type { z } from 'zod';
import type { Deps } from '../../platform/deps.ts';
import { badRequest, conflict, forbidden, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { existingAgentIds, teammateIds } from '../agents/index.ts';
import { riskyTickets, ticketOrderActionKinds } from '../commerce/index.ts';
import { reviewCandidates, reviewFacts, ticketSubjects } from '../tickets/index.ts';
import * as repo from './quality.repository.ts';
import { mostActiveAgent, normalise, ratingProblem, reviewScore, seededOrder } from './scoring.ts';

/*
 * QA scorecards and conversation reviews. Leads and admins score conversations; an agent sees only the
 * reviews of their own work (acknowledges, comments, disputes a rating); a lead sees the reviews they
 * wrote and those of the agents in their teams; an admin sees all.
 */

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const toScorecard = (r: repo.ScorecardRow): Scorecard => ({
  id: r.id,
  name: r.name,
  active: r.active,
  version: r.version,
  channels: r.channels,
  tags: r.tags,
  categories: r.categories,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

/** The most specific active scorecard for a ticket: channel and tag rules both met, more rules first. */
export function chooseScorecard(cards: repo.ScorecardRow[], t: { channel: string; tags: string[] }) {
  const fits = cards.filter(
    (c) =>
      c.active &&
      (c.channels.length === 0 || c.channels.includes(t.channel)) &&
      (c.tags.length === 0 || c.tags.some((x) => t.tags.includes(x))),
  );
  const rules = (c: repo.ScorecardRow) => (c.channels.length ? 1 : 0) + (c.tags.length ? 1 : 0);
  fits.sort((a, b) => rules(b) - rules(a) || a.id - b.id);
  return fits[0] ?? null;
}

export function createQualityService(deps: Pick<Deps, 'db'>) {
  const { db } = deps;

  async function visibility(auth: Auth): Promise<repo.Visibility> {
    if (auth.role === 'admin') return { all: true };
    if (auth.role === 'lead') {
      const mates = await teammateIds(db, auth.workspaceId, auth.agentId);
      return { all: false, reviewerId: auth.agentId, revieweeIds: [...new Set([auth.agentId, ...mates])] };
    }
    return { all: false, reviewerId: auth.agentId, revieweeIds: [auth.agentId] };
  }

  async function toReviews(workspaceId: number, rows: repo.ReviewRow[]): Promise<Review[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [comments, subjects] = await Promise.all([
      repo.commentsOf(db, workspaceId, ids),
      ticketSubjects(db, workspaceId, [...new Set(rows.map((r) => r.ticket_id))]),
    ]);
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      ticketSubject: subjects.get(r.ticket_id) ?? '',
      scorecardId: r.scorecard_id,
      scorecardName: r.scorecard_name,
      scorecardVersion: r.scorecard_version,
      categories: r.categories,
      reviewerId: r.reviewer_id,
      revieweeId: r.reviewee_id,
      source: r.source,
      ratings: r.ratings,
      messageComments: r.message_comments,
      comment: r.comment,
      score: r.score,
      criticalFailed: r.critical_failed,
      status: r.status,
      acknowledgedAt: iso(r.acknowledged_at),
      thread: comments
        .filter((c) => c.review_id === r.id)
        .map((c) => ({
          id: c.id,
          authorId: c.author_id,
          kind: c.kind,
          category: c.category,
          body: c.body,
          createdAt: iso(c.created_at)!,
        })),
      createdAt: iso(r.created_at)!,
    }));
  }

  async function getReview(auth: Auth, id: number) {
    const row = await repo.getReview(db, auth.workspaceId, await visibility(auth), id);
    if (!row) throw notFound('Review');
    return (await toReviews(auth.workspaceId, [row]))[0]!;
  }

  return {
    async listScorecards(auth: Auth) {
      return (await repo.listScorecards(db, auth.workspaceId)).map(toScorecard);
    },

    async getScorecard(auth: Auth, id: number) {
      const row = await repo.getScorecard(db, auth.workspaceId, id);
      if (!row) throw notFound('Scorecard');
      return toScorecard(row);
    },

    async createScorecard(auth: Auth, body: z.output<typeof CreateScorecard>) {
      const id = await repo.insertScorecard(db, auth.workspaceId, body, auth.agentId);
      return this.getScorecard(auth, id);
    },

    async updateScorecard(auth: Auth, id: number, body: z.output<typeof UpdateScorecard>) {
      if (!(await repo.updateScorecard(db, auth.workspaceId, id, body, auth.agentId)))
        throw notFound('Scorecard');
      return this.getScorecard(auth, id);
    },

    async versions(auth: Auth, id: number) {
      await this.getScorecard(auth, id);
      return (await repo.scorecardVersions(db, auth.workspaceId, id)).map((v) => ({
        version: v.version,
        name: v.name,
        categories: v.categories,
        createdBy: v.created_by,
        createdAt: iso(v.created_at)!,
      }));
    },

    /** What the ticket view's review panel needs: the scorecard to use, whom to review, what money moved. */
    async ticketContext(auth: Auth, ticketId: number) {
      const facts = await reviewFacts(db, auth.workspaceId, ticketId);
      if (!facts) throw notFound('Ticket');
      const card = chooseScorecard(await repo.listScorecards(db, auth.workspaceId), facts);
      const v = await visibility(auth);
      const [rows, moneyActions] = await Promise.all([
        repo.listReviews(db, auth.workspaceId, v, { ticketId, limit: 50 }),
        ticketOrderActionKinds(db, auth.workspaceId, ticketId),
      ]);
      return {
        ticketId,
        scorecard: card ? toScorecard(card) : null,
        suggestedRevieweeId: mostActiveAgent(facts.replies),
        moneyActions,
        reviews: await toReviews(auth.workspaceId, rows),
      };
    },

    async createReview(auth: Auth, body: z.output<typeof CreateReview>) {
      const ws = auth.workspaceId;
      const facts = await reviewFacts(db, ws, body.ticketId);
      if (!facts) throw badRequest(`Ticket ${body.ticketId} not found`);
      const cards = await repo.listScorecards(db, ws);
      const card = body.scorecardId
        ? cards.find((c) => c.id === body.scorecardId)
        : chooseScorecard(cards, facts);
      if (!card)
        throw badRequest(body.scorecardId ? 'Scorecard not found' : 'No active scorecard fits this ticket');
      if (!card.active) throw badRequest('That scorecard is not active');
      const problem = ratingProblem(card.categories, body.ratings);
      if (problem) throw badRequest(`Ratings: ${problem}`);
      const inTicket = new Set(facts.messageIds);
      const stray = body.messageComments.find((m) => !inTicket.has(m.messageId));
      if (stray) throw badRequest(`Message ${stray.messageId} is not part of ticket ${body.ticketId}`);
      let revieweeId = body.revieweeId === undefined ? mostActiveAgent(facts.replies) : body.revieweeId;
      if (revieweeId !== null && (await existingAgentIds(db, ws, [revieweeId])).length === 0)
        throw badRequest(`Agent ${revieweeId} not found`);
      if (revieweeId === auth.agentId) {
        if (body.revieweeId !== undefined) throw badRequest('You cannot review your own conversation');
        revieweeId = null; // the reviewer answered it themself: recorded without a reviewee
      }
      const { score, criticalFailed } = reviewScore(card.categories, body.ratings);
      const id = await repo.insertReview(db, ws, {
        ticketId: body.ticketId,
        versionId: card.version_id,
        reviewerId: auth.agentId,
        revieweeId,
        source: body.source,
        ratings: body.ratings.map((r) => ({
          category: r.category,
          score: r.score,
          rootCause: r.rootCause ?? null,
          comment: r.comment ?? null,
        })),
        messageComments: body.messageComments,
        comment: body.comment,
        score,
        criticalFailed,
      });
      if (id === null) throw conflict('You have already reviewed this conversation');
      return getReview(auth, id);
    },

    listReviews: async (auth: Auth, q: z.output<typeof ListReviewsQuery>) => ({
      items: await toReviews(
        auth.workspaceId,
        await repo.listReviews(db, auth.workspaceId, await visibility(auth), q),
      ),
    }),

    getReview,

    /** The reviewee says they have read it (and, after a dispute, accepted the answer). */
    async acknowledge(auth: Auth, id: number) {
      const r = await getReview(auth, id);
      if (r.revieweeId !== auth.agentId) throw forbidden('Only the reviewed agent acknowledges a review');
      await repo.setReviewStatus(db, auth.workspaceId, id, 'acknowledged', true);
      return getReview(auth, id);
    },

    async comment(auth: Auth, id: number, body: z.output<typeof ReviewComment>) {
      const r = await getReview(auth, id);
      if (body.dispute) {
        if (r.revieweeId !== auth.agentId) throw forbidden('Only the reviewed agent disputes a rating');
        if (!r.categories.some((c) => c.key === body.dispute))
          throw badRequest(`"${body.dispute}" is not a category of this review`);
      }
      await repo.insertComment(db, auth.workspaceId, {
        reviewId: id,
        authorId: auth.agentId,
        kind: body.dispute ? 'dispute' : 'comment',
        category: body.dispute ?? null,
        body: body.body,
      });
      if (body.dispute) await repo.setReviewStatus(db, auth.workspaceId, id, 'disputed', false);
      return getReview(auth, id);
    },

    /**
     * Conversations to review: a seeded random draw of resolved ones, or the risky ones (money moved,
     * an approval used) — never one already reviewed.
     */
    async sample(auth: Auth, req: z.output<typeof SampleRequest>) {
      const ws = auth.workspaceId;
      let reasons = new Map<number, string[]>();
      if (req.kind === 'risk') {
        reasons = await riskyTickets(db, ws, req.days, req.thresholdMinor);
        if (reasons.size === 0) return { items: [] };
      }
      const candidates = await reviewCandidates(db, ws, {
        days: req.days,
        agentId: req.revieweeId,
        onlyIds: req.kind === 'risk' ? [...reasons.keys()] : undefined,
        limit: 5000,
      });
      const done = await repo.reviewedTicketIds(
        db,
        ws,
        candidates.map((c) => c.ticketId),
      );
      const open = candidates.filter((c) => !done.has(c.ticketId));
      return {
        items: seededOrder(req.seed, open)
          .slice(0, req.size)
          .map((c) => ({ ...c, reasons: reasons.get(c.ticketId) ?? ['random'] })),
      };
    },

    /** IQS (mean review score) over the period, per agent, per category and per week. */
    async scores(auth: Auth, days: number): Promise<QualityScores> {
      const rows = await repo.reviewsSince(db, auth.workspaceId, await visibility(auth), days);
      const mean = (xs: number[]) =>
        xs.length ? Math.round((10 * xs.reduce((a, b) => a + b, 0)) / xs.length) / 10 : null;
      const scored = (rs: typeof rows) => rs.flatMap((r) => (r.score === null ? [] : [r.score]));
      const byAgent = new Map<number, typeof rows>();
      const byWeek = new Map<string, typeof rows>();
      const byCategory = new Map<string, { name: string; values: number[] }>();
      for (const r of rows) {
        if (r.reviewee_id !== null) byAgent.set(r.reviewee_id, [...(byAgent.get(r.reviewee_id) ?? []), r]);
        byWeek.set(r.week, [...(byWeek.get(r.week) ?? []), r]);
        for (const rating of r.ratings) {
          const c = r.categories.find((x) => x.key === rating.category);
          if (!c || rating.score === null) continue;
          const entry = byCategory.get(c.key) ?? { name: c.name, values: [] };
          entry.name = c.name; // the newest version's name (rows come oldest first)
          entry.values.push(100 * normalise(c.scale, rating.score));
          byCategory.set(c.key, entry);
        }
      }
      return {
        days,
        reviews: rows.length,
        iqs: mean(scored(rows)),
        byAgent: [...byAgent].map(([agentId, rs]) => ({
          agentId,
          reviews: rs.length,
          iqs: mean(scored(rs)),
        })),
        byCategory: [...byCategory].map(([category, e]) => ({
          category,
          name: e.name,
          ratings: e.values.length,
          score: mean(e.values),
        })),
        weekly: [...byWeek].map(([week, rs]) => ({ week, reviews: rs.length, iqs: mean(scored(rs)) })),
      };
    },
  };
}

export type QualityService = ReturnType<typeof createQualityService>;
