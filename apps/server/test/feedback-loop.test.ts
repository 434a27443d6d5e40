import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { DEMO_ADMIN_EMAIL, seedDemo } from '../src/seed/demo-seed.ts';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// The feedback loop (issue #15): the site feedback tab through the intake, the Feedback inbox, topics,
// improvements and the "you told us, we changed it" notice — through the HTTP API, the jobs and the
// dev mailbox.
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let ipN = 0;

/** Each call from its own address unless told: the per-address limit is tested on its own. */
const send = (slug: string, payload: Record<string, unknown>, ip = `198.51.100.${++ipN}`) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/widget/${slug}/feedback`,
    payload,
    remoteAddress: ip,
    headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile' },
  });
const api = (
  method: 'POST' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });

type Item = {
  id: number;
  rating: number;
  comment: string;
  pageUrl: string | null;
  device: string | null;
  email: string | null;
  ticketId: number | null;
  topic: { id: number; name: string } | null;
};
const inbox = async (w: TestWorkspace, q = '') =>
  (await get(t, `/api/v1/feedback/items?days=30${q}`, w.agent.headers)).json().items as Item[];
const count = async (table: string) =>
  Number(
    (await t.db.one<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM ${sql.raw(table)} WHERE workspace_id = ${ws.workspaceId}`,
    ))!.n,
  );

async function mailsTo(address: string, subjectPart: string) {
  const items = (await get(t, '/api/v1/email/dev-mailbox?limit=100', ws.admin.headers)).json().items as {
    to: string[];
    subject: string;
  }[];
  return items.filter((i) => i.to.includes(address) && i.subject.includes(subjectPart));
}

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Loop Shop');
  other = await t.workspace('Other Loop Shop');
  await createInbox(t, ws, { name: 'Support', address: 'support@loop-shop.test' });
  const n = await api('PATCH', '/api/v1/notices/settings', ws.admin.headers, {
    quietStart: '00:00',
    quietEnd: '00:00',
    capCount: 100,
  });
  expect(n.statusCode).toBe(200);
});
afterAll(async () => {
  await t?.stop();
});

describe('site feedback tab', () => {
  it('stores feedback through the intake; negative feedback with an address becomes a ticket', async () => {
    const bad = await send(ws.slug, {
      rating: -1,
      comment: 'The size chart for jackets is wrong, mine is far too small',
      pageUrl: 'https://shop.test/products/rain-jacket?x=1',
      email: 'Ann@Example.test',
    });
    expect(bad.statusCode).toBe(202);
    expect(bad.json()).toEqual({ accepted: true });
    // Stored before the answer: the intake holds it even before its job ran.
    expect(
      Number(
        (await t.db.one<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM inbound_events WHERE workspace_id = ${ws.workspaceId} AND channel = 'feedback-widget'`,
        ))!.n,
      ),
    ).toBe(1);
    const good = await send(ws.slug, {
      rating: 1,
      comment: 'Lovely checkout',
      pageUrl: 'https://shop.test/checkout',
    });
    expect(good.statusCode).toBe(202);
    await settle(t);

    const items = await inbox(ws);
    expect(items).toHaveLength(2);
    const neg = items.find((i) => i.rating === -1)!;
    expect(neg).toMatchObject({
      email: 'ann@example.test',
      pageUrl: 'https://shop.test/products/rain-jacket?x=1',
      device: 'mobile',
    });
    expect(neg.ticketId).toBeGreaterThan(0);
    const ticket = (await get(t, `/api/v1/tickets/${neg.ticketId}`, ws.agent.headers)).json();
    expect(ticket.tags).toContain('site-feedback');
    expect(ticket.messages[0].bodyText).toContain('size chart for jackets');
    expect(items.find((i) => i.rating === 1)!.ticketId).toBeNull();

    // Filters: rating, page, and another workspace sees none of it.
    expect((await inbox(ws, '&rating=1')).map((i) => i.comment)).toEqual(['Lovely checkout']);
    expect((await inbox(ws, '&page=rain-jacket')).map((i) => i.rating)).toEqual([-1]);
    expect(await inbox(other)).toEqual([]);
    expect((await get(t, `/api/v1/feedback/items/${neg.id}`, other.agent.headers)).status).toBe(404);
  });

  it('refuses bad input and forged visitor tokens with a 4xx and stores nothing', async () => {
    const before = await count('inbound_events');
    const cases = [
      { rating: 5, comment: 'x' },
      { rating: -1, comment: 'x'.repeat(2001) },
      { rating: -1, comment: 'hi', email: 'not-an-address' },
      { comment: 'no rating' },
    ];
    for (const c of cases) expect((await send(ws.slug, c)).statusCode).toBe(400);
    const forged = await send(ws.slug, { rating: -1, comment: 'hi', visitorToken: 'eyJ3Ijo5OTl9.forged' });
    expect(forged.statusCode).toBe(401);
    expect((await send('no-such-shop', { rating: 1 })).statusCode).toBe(404);
    expect(await count('inbound_events')).toBe(before);
  });

  it('limits a flood from one address (429) and obeys the switch', async () => {
    const ip = '203.0.113.77';
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await send(ws.slug, { rating: 0, comment: `spam ${i}` }, ip)).statusCode);
    expect(codes.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    expect(codes[5]).toBe(429);
    const off = await api('PATCH', '/api/v1/feedback/settings', ws.lead.headers, {
      widget: { enabled: false },
    });
    expect(off.statusCode).toBe(200);
    expect((await send(ws.slug, { rating: 1 })).statusCode).toBe(403);
    await api('PATCH', '/api/v1/feedback/settings', ws.lead.headers, { widget: { enabled: true } });
    await settle(t);
  });
});

describe('topics and improvements', () => {
  let topicId: number;

  it('groups feedback by keyword topics, suggests new ones, renames and merges', async () => {
    await send(ws.slug, {
      rating: -1,
      comment: 'Jacket sizes run small, the chart lies',
      email: 'bob@example.test',
    });
    await send(ws.slug, {
      rating: -1,
      comment: 'Parcel arrived late and the courier was rude',
      email: 'cy@example.test',
    });
    await send(ws.slug, { rating: -1, comment: 'Courier left it in the rain, parcel late again' });
    await settle(t);
    expect(
      (await api('POST', '/api/v1/feedback/topics', ws.agent.headers, { name: 'Sizing', keywords: ['size'] }))
        .statusCode,
    ).toBe(403);
    const made = await api('POST', '/api/v1/feedback/topics', ws.lead.headers, {
      name: 'Sizing',
      keywords: ['size', 'chart'],
    });
    expect(made.statusCode).toBe(201);
    topicId = made.json().id;
    expect(
      (await api('POST', '/api/v1/feedback/topics', ws.lead.headers, { name: 'Sizing' })).statusCode,
    ).toBe(409);

    const answer = (await get(t, '/api/v1/feedback/topics', ws.agent.headers)).json() as {
      topics: {
        id: number;
        name: string;
        volume: number;
        negative: number;
        examples: { text: string }[];
        weekly: { count: number }[];
      }[];
      emerging: { word: string; count: number }[];
    };
    const sizing = answer.topics.find((x) => x.id === topicId)!;
    expect(sizing.volume).toBe(2);
    expect(sizing.negative).toBe(2);
    expect(sizing.weekly.at(-1)!.count).toBe(2);
    expect(sizing.examples.map((e) => e.text).join(' ')).toContain('Jacket sizes');
    // Words of negative comments no topic covers: a candidate "courier" topic.
    expect(answer.emerging.map((e) => e.word)).toEqual(expect.arrayContaining(['courier', 'late', 'parcel']));
    expect((await inbox(ws, `&topicId=${topicId}`)).length).toBe(2);

    const late = (
      await api('POST', '/api/v1/feedback/topics', ws.lead.headers, { name: 'Late', keywords: ['late'] })
    ).json();
    const courier = (
      await api('POST', '/api/v1/feedback/topics', ws.lead.headers, {
        name: 'Courier',
        keywords: ['courier'],
      })
    ).json();
    const merged = await api('PATCH', `/api/v1/feedback/topics/${late.id}`, ws.lead.headers, {
      mergeInto: courier.id,
    });
    expect(merged.json()).toMatchObject({ id: courier.id, keywords: ['courier', 'late'] });
    const renamed = await api('PATCH', `/api/v1/feedback/topics/${courier.id}`, ws.lead.headers, {
      name: 'Delivery',
    });
    expect(renamed.json().name).toBe('Delivery');
    expect((await inbox(ws, `&topicId=${courier.id}`)).length).toBe(2);
    expect((await get(t, '/api/v1/feedback/topics', other.agent.headers)).json().topics).toEqual([]);
    expect(
      (await api('PATCH', `/api/v1/feedback/topics/${courier.id}`, other.lead.headers, { name: 'Mine' }))
        .statusCode,
    ).toBe(404);
  });

  it('an improvement done tells each person who raised it once, on their conversation, in the mailbox', async () => {
    const created = await api('POST', '/api/v1/feedback/improvements', ws.lead.headers, {
      title: 'Size chart fixed for jackets',
      changeText: 'Every jacket now has a measured size chart.',
      topicId,
    });
    expect(created.statusCode).toBe(201);
    const imp = created.json() as {
      id: number;
      links: { source: string; contactId: number | null }[];
      status: string;
    };
    // The topic's negative feedback from ann and bob (both have tickets) is linked at once.
    expect(imp.links).toHaveLength(2);
    expect(imp.links.every((l) => l.contactId !== null)).toBe(true);
    // Another shop can neither see it nor link its own things to it; an agent cannot mark it done.
    expect((await get(t, `/api/v1/feedback/improvements/${imp.id}`, other.agent.headers)).status).toBe(404);
    expect(
      (await api('PATCH', `/api/v1/feedback/improvements/${imp.id}`, ws.agent.headers, { status: 'done' }))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await api('POST', `/api/v1/feedback/improvements/${imp.id}/links`, ws.lead.headers, {
          links: [{ source: 'feedback', id: 99999999 }],
        })
      ).statusCode,
    ).toBe(404);

    const done = await api('PATCH', `/api/v1/feedback/improvements/${imp.id}`, ws.lead.headers, {
      status: 'done',
    });
    expect(done.statusCode).toBe(200);
    await settle(t);
    const ann = await mailsTo('ann@example.test', 'You told us, we changed it');
    expect(ann).toHaveLength(1);
    expect(await mailsTo('bob@example.test', 'You told us, we changed it')).toHaveLength(1);
    const rec = (await get(t, `/api/v1/feedback/improvements/${imp.id}`, ws.agent.headers)).json();
    expect(rec.notices).toEqual({ queued: 0, sent: 2, skipped: 0 });
    // The notice is on the ticket's timeline with the shopper's words and the change.
    const annItem = (await inbox(ws)).find((i) => i.email === 'ann@example.test')!;
    const timeline = (await get(t, `/api/v1/tickets/${annItem.ticketId}`, ws.agent.headers)).json()
      .messages as { kind: string; bodyText: string }[];
    const notice = timeline.find((m) => m.kind === 'outbound' && m.bodyText.includes('we changed it'))!;
    expect(notice.bodyText).toContain('The size chart for jackets is wrong');
    expect(notice.bodyText).toContain('Every jacket now has a measured size chart.');

    // The job running again, a second "done" and reopening change nothing: once per person.
    await t.db.query(
      sql`INSERT INTO jobs (name, payload, workspace_id) VALUES ('notify-feedback-improvement', ${JSON.stringify({ workspaceId: ws.workspaceId, improvementId: imp.id })}::jsonb, ${ws.workspaceId})`,
    );
    expect(
      (await api('PATCH', `/api/v1/feedback/improvements/${imp.id}`, ws.lead.headers, { status: 'done' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await api('PATCH', `/api/v1/feedback/improvements/${imp.id}`, ws.lead.headers, { status: 'planned' }))
        .statusCode,
    ).toBe(409);
    await settle(t);
    expect(await mailsTo('ann@example.test', 'You told us, we changed it')).toHaveLength(1);

    // Someone linked after it was done hears back too; the others are not told twice.
    const cy = (await inbox(ws)).find((i) => i.email === 'cy@example.test')!;
    const linked = await api('POST', `/api/v1/feedback/improvements/${imp.id}/links`, ws.lead.headers, {
      links: [{ source: 'ticket', id: cy.ticketId }],
    });
    expect(linked.statusCode).toBe(200);
    await settle(t);
    expect(await mailsTo('cy@example.test', 'You told us, we changed it')).toHaveLength(1);
    expect(await mailsTo('ann@example.test', 'You told us, we changed it')).toHaveLength(1);
    expect(
      (await get(t, `/api/v1/feedback/improvements/${imp.id}/recipients`, ws.agent.headers)).json().people,
    ).toBe(3);
    // Another workspace's ticket cannot be linked.
    const foreign = await api('POST', `/api/v1/feedback/improvements/${imp.id}/links`, other.lead.headers, {
      links: [{ source: 'ticket', id: cy.ticketId }],
    });
    expect(foreign.statusCode).toBe(404);
  });
});

describe('demo workspace', () => {
  it('shows site feedback, topics and an improvement in progress', async () => {
    const { workspaceId } = await seedDemo(t.db, undefined, 'demo-password-123');
    const admin = await t.db.one<{ id: number }>(
      sql`SELECT id FROM agents WHERE workspace_id = ${workspaceId} AND email = ${DEMO_ADMIN_EMAIL}`,
    );
    const h = {
      authorization: `Bearer ${(await t.services.agents.createToken(workspaceId, admin!.id, 't')).token}`,
    };
    const items = (await get(t, '/api/v1/feedback/items?days=90', h)).json().items as Item[];
    expect(items.length).toBe(10);
    expect(items.filter((i) => i.ticketId).length).toBeGreaterThanOrEqual(3);
    const topics = (await get(t, '/api/v1/feedback/topics', h)).json().topics as {
      name: string;
      volume: number;
    }[];
    expect(topics.find((x) => x.name === 'Sizing')!.volume).toBeGreaterThanOrEqual(3);
    const imps = (await get(t, '/api/v1/feedback/improvements', h)).json().items as {
      title: string;
      status: string;
      links: unknown[];
    }[];
    expect(imps[0]).toMatchObject({ title: 'Size chart fixed for jackets', status: 'in-progress' });
    expect(imps[0]!.links.length).toBeGreaterThanOrEqual(2);
  });
});
