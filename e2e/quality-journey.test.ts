import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinStore } from '../apps/server/src/modules/commerce/index.ts';
import { sql } from '../apps/server/src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, screenshotDir, signIn } from './support.ts';

// Issue #21: a lead reviews a refund conversation sampled by risk; the agent reads and acknowledges it.

const wait = { timeout: 15_000 };
const shots = screenshotDir();

describe('QA review in the dashboard', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let ticketId: number;

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard() });
    base = await listen(t);
    ws = await t.workspace('Review Outfitters');
    const post = (url: string, headers: { authorization: string }, payload: object) =>
      t.app.inject({ method: 'POST', url, headers, payload });
    const card = await post('/api/v1/quality/scorecards', ws.lead.headers, {
      name: 'Refund conversations',
      categories: [
        {
          key: 'policy',
          name: 'Refund within policy',
          weight: 2,
          scale: 'binary',
          critical: true,
          policyCheck: true,
        },
        { key: 'tone', name: 'Tone', weight: 1, scale: '3' },
      ],
    });
    expect(card.statusCode).toBe(201);
    ticketId = (
      await post('/api/v1/tickets', ws.admin.headers, ticketBody({ subject: 'Refund for torn jacket' }))
    ).json().id;
    const reply = await post(`/api/v1/tickets/${ticketId}/replies`, ws.agent.headers, {
      body: 'I have refunded the jacket in full.',
      status: 'solved',
    });
    expect(reply.statusCode).toBeLessThan(300);
    // A refund an approver signed off: what the risk sample looks for (order actions are commerce's).
    const conn = await createBuiltinStore(t.db, ws.workspaceId, 'Review store', 'EUR');
    const order = await t.db.one<{ id: number }>(sql`
      INSERT INTO orders (workspace_id, connection_id, external_id, number, number_key, currency, total_minor, placed_at, remote_updated_at)
      VALUES (${ws.workspaceId}, ${conn.connectionId}, 'o-r1', '#R1', 'r1', 'EUR', 12000, now(), now()) RETURNING id`);
    await t.db.query(sql`
      INSERT INTO order_actions (workspace_id, connection_id, order_id, ticket_id, kind, amount_minor, currency, idempotency_key, status, decided_by)
      VALUES (${ws.workspaceId}, ${conn.connectionId}, ${order!.id}, ${ticketId}, 'refund', 12000, 'EUR', 'e2e-r1', 'succeeded', ${ws.admin.agentId})`);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const newPage = async () =>
    (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();

  it('the lead draws a risk sample, scores the refund conversation; the agent acknowledges', async () => {
    const lead: Page = await newPage();
    await signIn(lead, base, ws.lead);
    await lead.getByRole('link', { name: /Quality/ }).click();
    await lead.getByRole('tab', { name: 'To review' }).click();
    await lead.getByRole('button', { name: 'Draw' }).click();
    const sample = lead.getByTestId('qa-sample');
    await sample.waitFor(wait);
    expect(await sample.textContent()).toContain('Refund for torn jacket');
    expect(await sample.textContent()).toContain('approval, refund');
    await sample.getByRole('link', { name: 'Review' }).click();

    const form = lead.getByTestId('qa-form');
    await form.waitFor(wait);
    expect(await form.textContent()).toContain('money actions: refund');
    await form.getByRole('radiogroup', { name: 'Refund within policy' }).getByLabel('Pass').check();
    await form.getByRole('radiogroup', { name: 'Tone' }).getByLabel('2').check();
    await form.getByLabel('Overall comment').fill('Refund was right; say when the money arrives.');
    await lead.screenshot({ path: join(shots, 'quality-review-form.png'), fullPage: true });
    await form.getByRole('button', { name: 'Submit review' }).click();
    // (2·1 + 1·0.5) / 3 = 83.3
    await expect.poll(() => lead.getByTestId('qa-score').textContent(), wait).toContain('83.3%');
    expect(await lead.getByTestId('qa-review').textContent()).toContain('risk sample');

    const agent: Page = await newPage();
    await signIn(agent, base, ws.agent);
    await agent.getByRole('link', { name: /Quality/ }).click();
    await agent.getByRole('link', { name: /Refund for torn jacket/ }).click();
    const review = agent.getByTestId('qa-review');
    await review.waitFor(wait);
    expect(await review.textContent()).toContain('Refund was right');
    await agent.getByRole('textbox', { name: 'Comment' }).fill('Thanks, I will add the timing next time.');
    await agent.getByRole('button', { name: 'Comment' }).click();
    await expect.poll(() => review.textContent(), wait).toContain('I will add the timing');
    await agent.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => agent.getByTestId('qa-score').textContent(), wait).toContain('Acknowledged');
    await agent.screenshot({ path: join(shots, 'quality-review-acknowledged.png'), fullPage: true });

    const stored = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/quality/reviews?ticketId=${ticketId}`,
        headers: ws.lead.headers,
      })
    ).json().items;
    expect(stored).toEqual([
      expect.objectContaining({
        source: 'risk',
        score: 83.3,
        status: 'acknowledged',
        revieweeId: ws.agent.agentId,
      }),
    ]);
  });
});
