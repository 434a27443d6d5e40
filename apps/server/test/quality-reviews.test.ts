import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinStore } from '../src/modules/commerce/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { seedDemo } from '../src/seed/demo-seed.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// QA scorecards and conversation reviews through the HTTP API (issue #21): score arithmetic as
// stored, versions, who sees which review, acknowledgement and disputes, seeded and risk sampling.
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let agent2: { id: number; headers: { authorization: string } };

type H = { authorization: string };
const call = (method: 'GET' | 'POST' | 'PATCH', url: string, headers: H, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

const CARD = {
  name: 'Support basics',
  categories: [
    { key: 'greeting', name: 'Greeting', weight: 1, scale: 'binary' },
    { key: 'accuracy', name: 'Accuracy', weight: 3, scale: '5', rootCauses: ['Knowledge gap', 'Process'] },
    { key: 'tone', name: 'Tone', weight: 2, scale: '3' },
    { key: 'policy', name: 'Policy followed', weight: 2, scale: 'binary', critical: true, policyCheck: true },
  ],
};

/** A ticket the given agent answers and solves; returns its id and the reply's message id. */
async function answeredTicket(headers: H, subject: string) {
  const created = await call('POST', '/api/v1/tickets', ws.admin.headers, ticketBody({ subject }));
  expect(created.statusCode).toBe(201);
  const id = created.json().id as number;
  const reply = await call('POST', `/api/v1/tickets/${id}/replies`, headers, {
    body: 'Sorted, a new parcel is on its way.',
    status: 'solved',
  });
  expect(reply.statusCode).toBeLessThan(300);
  return { id, messageId: reply.json().id as number };
}

let cardId: number;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('QA Shop');
  other = await t.workspace('Other Shop');
  const created = await call('POST', '/api/v1/agents', ws.admin.headers, {
    email: 'second.agent@qa.test',
    name: 'Second Agent',
    role: 'agent',
    password: 'a long enough password',
  });
  expect(created.statusCode).toBe(201);
  const tok = await t.services.agents.createToken(ws.workspaceId, created.json().id, 'a2');
  agent2 = { id: created.json().id, headers: { authorization: `Bearer ${tok.token}` } };
});
afterAll(async () => {
  await t?.stop();
});

describe('scorecards', () => {
  it('a lead creates one; agents read it but may not change it; bad input is a 400', async () => {
    const res = await call('POST', '/api/v1/quality/scorecards', ws.lead.headers, CARD);
    expect(res.statusCode).toBe(201);
    cardId = res.json().id;
    expect(res.json()).toMatchObject({ version: 1, active: true });
    expect(res.json().categories[0]).toMatchObject({ key: 'greeting', section: 'General', critical: false });
    expect((await call('GET', '/api/v1/quality/scorecards', ws.agent.headers)).json().items).toHaveLength(1);
    expect((await call('POST', '/api/v1/quality/scorecards', ws.agent.headers, CARD)).statusCode).toBe(403);
    const dup = { name: 'x', categories: [CARD.categories[0], CARD.categories[0]] };
    expect((await call('POST', '/api/v1/quality/scorecards', ws.lead.headers, dup)).statusCode).toBe(400);
    const badScale = { name: 'x', categories: [{ key: 'a', name: 'A', scale: '7' }] };
    expect((await call('POST', '/api/v1/quality/scorecards', ws.lead.headers, badScale)).statusCode).toBe(
      400,
    );
    expect(
      (await call('POST', '/api/v1/quality/scorecards', ws.lead.headers, { name: 'x', categories: [] }))
        .statusCode,
    ).toBe(400);
    expect((await call('GET', '/api/v1/quality/scorecards', other.admin.headers)).json().items).toHaveLength(
      0,
    );
    expect((await call('GET', `/api/v1/quality/scorecards/${cardId}`, other.admin.headers)).statusCode).toBe(
      404,
    );
  });
});

describe('reviews', () => {
  let ticket: { id: number; messageId: number };
  let reviewId: number;

  it('scores a conversation: weights, N/A left out, the most active agent by default', async () => {
    ticket = await answeredTicket(ws.agent.headers, 'Parcel never came');
    const ctx = (await call('GET', `/api/v1/quality/tickets/${ticket.id}`, ws.lead.headers)).json();
    expect(ctx).toMatchObject({
      suggestedRevieweeId: ws.agent.agentId,
      scorecard: { id: cardId },
      moneyActions: [],
    });
    const res = await call('POST', '/api/v1/quality/reviews', ws.lead.headers, {
      ticketId: ticket.id,
      ratings: [
        { category: 'greeting', score: 1 },
        { category: 'accuracy', score: 2, rootCause: 'Knowledge gap', comment: 'Wrong carrier named' },
        { category: 'tone', score: null },
        { category: 'policy', score: 1 },
      ],
      messageComments: [{ messageId: ticket.messageId, body: 'Name the carrier we actually use' }],
      comment: 'Good, but check the carrier',
    });
    expect(res.statusCode).toBe(201);
    // (1·1 + 3·0.25 + 2·1) / (1 + 3 + 2) = 3.75 / 6 = 62.5; tone is N/A.
    expect(res.json()).toMatchObject({
      revieweeId: ws.agent.agentId,
      reviewerId: ws.lead.agentId,
      score: 62.5,
      criticalFailed: false,
      status: 'submitted',
      scorecardVersion: 1,
      messageComments: [{ messageId: ticket.messageId }],
    });
    reviewId = res.json().id;
    const again = await call('POST', '/api/v1/quality/reviews', ws.lead.headers, {
      ticketId: ticket.id,
      ratings: CARD.categories.map((c) => ({ category: c.key, score: 1 })),
    });
    expect(again.statusCode).toBe(409);
  });

  it('a negative rating on a critical category makes the review 0', async () => {
    const tk = await answeredTicket(ws.agent.headers, 'Refund promised without checking');
    const res = await call('POST', '/api/v1/quality/reviews', ws.lead.headers, {
      ticketId: tk.id,
      ratings: [
        { category: 'greeting', score: 1 },
        { category: 'accuracy', score: 5 },
        { category: 'tone', score: 3 },
        { category: 'policy', score: 0 },
      ],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ score: 0, criticalFailed: true });
  });

  it('bad ratings are a 400 and store nothing', async () => {
    const tk = await answeredTicket(ws.agent.headers, 'Bad input ticket');
    const base = CARD.categories.map((c) => ({ category: c.key, score: 1 as number | null }));
    const cases: unknown[] = [
      { ticketId: tk.id, ratings: base.slice(1) }, // a category missing
      { ticketId: tk.id, ratings: [...base, { category: 'nope', score: 1 }] },
      { ticketId: tk.id, ratings: base.map((r) => (r.category === 'accuracy' ? { ...r, score: 6 } : r)) },
      { ticketId: tk.id, ratings: base.map((r) => (r.category === 'greeting' ? { ...r, score: 2 } : r)) },
      {
        ticketId: tk.id, // a root cause on a good rating
        ratings: base.map((r) => (r.category === 'accuracy' ? { ...r, score: 5, rootCause: 'Process' } : r)),
      },
      {
        ticketId: tk.id, // a root cause not in the list
        ratings: base.map((r) => (r.category === 'accuracy' ? { ...r, score: 1, rootCause: 'Moon' } : r)),
      },
      {
        ticketId: tk.id,
        ratings: base,
        messageComments: [{ messageId: ticket.messageId, body: 'other ticket' }],
      },
      { ticketId: tk.id, ratings: base, revieweeId: 999999 },
      { ticketId: tk.id, ratings: base, revieweeId: ws.lead.agentId },
      { ticketId: 999999, ratings: base },
      { ticketId: tk.id, ratings: base, scorecardId: 999999 },
      { ticketId: tk.id, ratings: base, extra: true },
    ];
    for (const body of cases) {
      const res = await call('POST', '/api/v1/quality/reviews', ws.lead.headers, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(
      (await call('POST', '/api/v1/quality/reviews', ws.agent.headers, { ticketId: tk.id, ratings: base }))
        .statusCode,
    ).toBe(403);
    const n = await t.db.one<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM qa_reviews WHERE ticket_id = ${tk.id}`,
    );
    expect(n?.n).toBe(0);
  });

  it('a new version of the scorecard leaves older reviews on theirs', async () => {
    const res = await call('PATCH', `/api/v1/quality/scorecards/${cardId}`, ws.lead.headers, {
      categories: [...CARD.categories, { key: 'empathy', name: 'Empathy', scale: '4' }],
    });
    expect(res.json()).toMatchObject({ version: 2 });
    expect(res.json().categories).toHaveLength(5);
    // Only settings changed: no new version.
    const tagsOnly = await call('PATCH', `/api/v1/quality/scorecards/${cardId}`, ws.lead.headers, {
      tags: [],
    });
    expect(tagsOnly.json().version).toBe(2);
    const versions = (
      await call('GET', `/api/v1/quality/scorecards/${cardId}/versions`, ws.agent.headers)
    ).json().items;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const old = (await call('GET', `/api/v1/quality/reviews/${reviewId}`, ws.lead.headers)).json();
    expect(old).toMatchObject({ scorecardVersion: 1, score: 62.5 });
    expect(old.categories).toHaveLength(4);
  });

  it('agents see only their own reviews; a lead sees theirs and their team’s; other workspaces none', async () => {
    // The admin reviews the second agent's work.
    const tk = await answeredTicket(agent2.headers, 'Second agent conversation');
    const ratings = [...CARD.categories.map((c) => c.key), 'empathy'].map((k) => ({
      category: k,
      score: null,
    }));
    const byAdmin = await call('POST', '/api/v1/quality/reviews', ws.admin.headers, {
      ticketId: tk.id,
      ratings,
    });
    expect(byAdmin.statusCode).toBe(201);
    expect(byAdmin.json()).toMatchObject({ revieweeId: agent2.id, score: null });
    const idOf = (res: { json(): { items: { id: number }[] } }) => res.json().items.map((r) => r.id);

    const mine = idOf(await call('GET', '/api/v1/quality/reviews', ws.agent.headers));
    expect(mine).toContain(reviewId);
    expect(mine).not.toContain(byAdmin.json().id);
    expect(
      (await call('GET', `/api/v1/quality/reviews/${byAdmin.json().id}`, ws.agent.headers)).statusCode,
    ).toBe(404);
    expect(idOf(await call('GET', '/api/v1/quality/reviews', agent2.headers))).toEqual([byAdmin.json().id]);
    // Another agent's filter gives an agent nothing of theirs.
    expect(
      idOf(await call('GET', `/api/v1/quality/reviews?revieweeId=${agent2.id}`, ws.agent.headers)),
    ).toEqual([]);

    // The lead wrote reviewId, and shares no team with agent 2 yet.
    expect(idOf(await call('GET', '/api/v1/quality/reviews', ws.lead.headers))).not.toContain(
      byAdmin.json().id,
    );
    const team = await call('POST', '/api/v1/teams', ws.admin.headers, {
      name: 'Tier 1',
      memberIds: [ws.lead.agentId, agent2.id],
    });
    expect(team.statusCode).toBe(201);
    expect(idOf(await call('GET', '/api/v1/quality/reviews', ws.lead.headers))).toContain(byAdmin.json().id);
    expect(
      idOf(await call('GET', '/api/v1/quality/reviews', ws.admin.headers)).length,
    ).toBeGreaterThanOrEqual(3);

    expect(idOf(await call('GET', '/api/v1/quality/reviews', other.admin.headers))).toEqual([]);
    expect((await call('GET', `/api/v1/quality/reviews/${reviewId}`, other.admin.headers)).statusCode).toBe(
      404,
    );
    expect((await call('GET', `/api/v1/quality/tickets/${tk.id}`, other.admin.headers)).statusCode).toBe(404);

    const scores = (await call('GET', '/api/v1/quality/scores', ws.agent.headers)).json();
    expect(scores.byAgent.map((a: { agentId: number }) => a.agentId)).toEqual([ws.agent.agentId]);
    // The agent's two reviews: 62.5 and 0.
    expect(scores).toMatchObject({ reviews: 2, iqs: 31.3 });
    const accuracy = scores.byCategory.find((c: { category: string }) => c.category === 'accuracy');
    expect(accuracy).toMatchObject({ ratings: 2, score: 62.5 }); // (25 + 100) / 2
  });

  it('the reviewed agent comments, disputes a rating and acknowledges; nobody else acknowledges', async () => {
    expect(
      (await call('POST', `/api/v1/quality/reviews/${reviewId}/acknowledge`, ws.admin.headers)).statusCode,
    ).toBe(403);
    const badDispute = await call('POST', `/api/v1/quality/reviews/${reviewId}/comments`, ws.agent.headers, {
      body: 'Not on this card',
      dispute: 'empathy',
    });
    expect(badDispute.statusCode).toBe(400); // empathy came with version 2
    const leadDispute = await call('POST', `/api/v1/quality/reviews/${reviewId}/comments`, ws.lead.headers, {
      body: 'x',
      dispute: 'accuracy',
    });
    expect(leadDispute.statusCode).toBe(403);
    const disputed = await call('POST', `/api/v1/quality/reviews/${reviewId}/comments`, ws.agent.headers, {
      body: 'The macro names that carrier',
      dispute: 'accuracy',
    });
    expect(disputed.json()).toMatchObject({
      status: 'disputed',
      thread: [{ kind: 'dispute', category: 'accuracy', authorId: ws.agent.agentId }],
    });
    const answered = await call('POST', `/api/v1/quality/reviews/${reviewId}/comments`, ws.lead.headers, {
      body: 'Fair: I will fix the macro',
    });
    expect(answered.json().thread).toHaveLength(2);
    const ack = await call('POST', `/api/v1/quality/reviews/${reviewId}/acknowledge`, ws.agent.headers);
    expect(ack.json()).toMatchObject({ status: 'acknowledged' });
    expect(ack.json().acknowledgedAt).toBeTruthy();
    expect(
      (await call('POST', `/api/v1/quality/reviews/${reviewId}/comments`, ws.agent.headers, { body: '' }))
        .statusCode,
    ).toBe(400);
  });
});

describe('sampling', () => {
  it('the same seed picks the same conversations; reviewed ones are never picked', async () => {
    for (let i = 0; i < 6; i++) await answeredTicket(agent2.headers, `Sample me ${i}`);
    const draw = async (seed: string) =>
      (await call('POST', '/api/v1/quality/sample', ws.lead.headers, { seed, size: 3 }))
        .json()
        .items.map((x: { ticketId: number }) => x.ticketId) as number[];
    const a = await draw('week-49');
    expect(a).toHaveLength(3);
    expect(await draw('week-49')).toEqual(a);
    const reviewed = (await t.db.query<{ ticket_id: number }>(sql`SELECT ticket_id FROM qa_reviews`)).map(
      (r) => r.ticket_id,
    );
    const wide = (
      await call('POST', '/api/v1/quality/sample', ws.lead.headers, { seed: 'x', size: 50 })
    ).json().items;
    expect(wide.some((x: { ticketId: number }) => reviewed.includes(x.ticketId))).toBe(false);
    const only2 = (
      await call('POST', '/api/v1/quality/sample', ws.lead.headers, {
        seed: 'x',
        size: 50,
        revieweeId: ws.agent.agentId,
      })
    ).json().items;
    expect(only2.every((x: { agentId: number }) => x.agentId === ws.agent.agentId)).toBe(true);
    expect((await call('POST', '/api/v1/quality/sample', ws.agent.headers, { seed: 'x' })).statusCode).toBe(
      403,
    );
    expect(
      (await call('POST', '/api/v1/quality/sample', ws.lead.headers, { seed: '', size: 3 })).statusCode,
    ).toBe(400);
    expect(
      (await call('POST', '/api/v1/quality/sample', ws.lead.headers, { seed: 'x', size: 500 })).statusCode,
    ).toBe(400);
  });

  it('risk sampling picks conversations where money moved or an approval was used', async () => {
    const refunded = await answeredTicket(ws.agent.headers, 'Refund big');
    const small = await answeredTicket(ws.agent.headers, 'Refund small');
    const conn = await createBuiltinStore(t.db, ws.workspaceId, 'QA store', 'EUR');
    const order = await t.db.one<{ id: number }>(sql`
      INSERT INTO orders (workspace_id, connection_id, external_id, number, number_key, currency, total_minor, placed_at, remote_updated_at)
      VALUES (${ws.workspaceId}, ${conn.connectionId}, 'o-qa', '#QA1', 'qa1', 'EUR', 10000, now(), now()) RETURNING id`);
    const action = (ticketId: number, amount: number, key: string, decidedBy: number | null) => sql`
      INSERT INTO order_actions (workspace_id, connection_id, order_id, ticket_id, kind, amount_minor, currency, idempotency_key, status, decided_by)
      VALUES (${ws.workspaceId}, ${conn.connectionId}, ${order!.id}, ${ticketId}, 'refund', ${amount}, 'EUR', ${key}, 'succeeded', ${decidedBy})`;
    await t.db.query(action(refunded.id, 8000, 'qa-1', ws.lead.agentId));
    await t.db.query(action(small.id, 500, 'qa-2', null));
    const risk = (
      await call('POST', '/api/v1/quality/sample', ws.lead.headers, {
        seed: 'r',
        kind: 'risk',
        thresholdMinor: 5000,
        size: 10,
      })
    ).json().items;
    expect(risk).toEqual([
      expect.objectContaining({ ticketId: refunded.id, reasons: ['approval', 'refund'] }),
    ]);
    const all = (
      await call('POST', '/api/v1/quality/sample', ws.lead.headers, { seed: 'r', kind: 'risk', size: 10 })
    ).json().items;
    expect(all.map((x: { ticketId: number }) => x.ticketId).sort()).toEqual([refunded.id, small.id].sort());
    const ctx = (await call('GET', `/api/v1/quality/tickets/${refunded.id}`, ws.lead.headers)).json();
    expect(ctx.moneyActions).toEqual(['refund']);
  });
});

describe('demo', () => {
  it('the demo workspace has a versioned scorecard and reviews with scores, one disputed', async () => {
    const { workspaceId } = await seedDemo(t.db, undefined, 'demo-password-123');
    const lead = await t.db.one<{ id: number }>(
      sql`SELECT id FROM agents WHERE workspace_id = ${workspaceId} AND role = 'lead'`,
    );
    const tok = await t.services.agents.createToken(workspaceId, lead!.id, 'qa');
    const headers = { authorization: `Bearer ${tok.token}` };
    const cards = (await call('GET', '/api/v1/quality/scorecards', headers)).json().items;
    expect(cards).toEqual([expect.objectContaining({ name: 'Support conversations', version: 2 })]);
    const reviews = (await call('GET', '/api/v1/quality/reviews', headers)).json().items as {
      status: string;
      score: number | null;
      scorecardVersion: number;
    }[];
    expect(reviews.length).toBeGreaterThanOrEqual(4);
    expect(reviews.some((r) => r.status === 'disputed')).toBe(true);
    expect(new Set(reviews.map((r) => r.scorecardVersion))).toEqual(new Set([1, 2]));
    const scores = (await call('GET', '/api/v1/quality/scores', headers)).json();
    expect(scores.iqs).toBeGreaterThan(0);
    expect(scores.byAgent.length).toBeGreaterThanOrEqual(1);
  });
});
