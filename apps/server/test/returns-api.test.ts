import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { builtinStore, deliveredOrder } from './returns-helpers.ts';

/**
 * Returns from the agent's side against the built-in store: options per line with reasons, a return
 * started from the ticket, the money limits (one path with order actions), receiving and refunding,
 * declines, idempotency, bad input that stores nothing, workspace isolation.
 */
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let store: { authorization: string };

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
const orderByNumber = async (n: string, w = ws) =>
  (await call('GET', `/api/v1/commerce/orders?number=${encodeURIComponent(n)}`, w.agent.headers)).json()
    .items[0] as {
    id: number;
    refunded: number;
    lineItems: { id: number; title: string; refundedQuantity: number }[];
  };
async function setup(n: string, email: string) {
  await call('POST', '/api/v1/store/batch', store, { orders: [deliveredOrder(n, email)] });
  const o = await orderByNumber(`#${n}`);
  const ticket = (
    await call('POST', '/api/v1/tickets', ws.agent.headers, {
      subject: `Return for #${n}`,
      contact: { email },
      message: { body: `I want to return my shoes from #${n}.` },
    })
  ).json().id as number;
  const line = (title: string) => o.lineItems.find((l) => l.title === title)!.id;
  return { o, ticket, shoes: line('Trail Runner 2'), socks: line('Merino Socks'), cap: line('Outlet Cap') };
}
const count = async () =>
  (await call('GET', '/api/v1/returns?limit=100', ws.admin.headers)).json().items.length;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Returns Shop');
  other = await t.workspace('Other Shop');
  store = await builtinStore(t, ws);
  await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
    currency: 'EUR',
    refundLimits: { agent: 15000, lead: 100_000, admin: null },
  });
});
afterAll(async () => {
  await t?.stop();
});

describe('returns from the ticket', () => {
  it('shows per line whether it can be returned and why not', async () => {
    const { o } = await setup('3001', 'r1@shop.example');
    const res = await call('GET', `/api/v1/returns/orders/${o.id}/options`, ws.agent.headers);
    expect(res.statusCode).toBe(200);
    const lines = res.json().lines as {
      title: string;
      eligible: boolean;
      reason: string | null;
      returnableQuantity: number;
    }[];
    expect(lines.map((l) => [l.title, l.eligible, l.reason, l.returnableQuantity])).toEqual([
      ['Trail Runner 2', true, null, 1],
      ['Merino Socks', true, null, 2],
      ['Outlet Cap', false, 'final_sale', 0],
    ]);
    expect(res.json().reasons.map((r: { code: string }) => r.code)).toContain('size_too_small');
  });

  it('an agent starts a return, receives it, and the refund reaches the store once', async () => {
    const { o, ticket, shoes } = await setup('3002', 'r2@shop.example');
    const quote = await call('POST', '/api/v1/returns/quote', ws.agent.headers, {
      orderId: o.id,
      lines: [{ lineItemId: shoes, quantity: 1, reason: 'size_too_small' }],
    });
    expect(quote.json().find((q: { outcome: string }) => q.outcome === 'refund')).toMatchObject({
      amount: 12900,
    });
    const body = {
      orderId: o.id,
      ticketId: ticket,
      outcome: 'refund',
      lines: [{ lineItemId: shoes, quantity: 1, reason: 'size_too_small', note: 'half a size too small' }],
      idempotencyKey: 'agent-return-3002',
    };
    const created = await call('POST', '/api/v1/returns', ws.agent.headers, body);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      status: 'approved',
      value: 12900,
      ticketId: ticket,
      createdBy: 'agent',
    });
    expect(created.json().rma).toMatch(/^RMA-[A-Z2-9]{8}$/);
    // A double click: the same return, nothing new.
    const again = await call('POST', '/api/v1/returns', ws.agent.headers, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(created.json().id);
    // The shoes are in a return: not returnable twice.
    const opts = (await call('GET', `/api/v1/returns/orders/${o.id}/options`, ws.agent.headers)).json();
    expect(opts.lines[0]).toMatchObject({ eligible: false, reason: 'already_returned' });

    const id = created.json().id;
    const line = created.json().lines[0].id;
    const received = await call('POST', `/api/v1/returns/${id}/receive`, ws.agent.headers, {
      lines: [{ id: line, condition: 'as_new', restock: true }],
    });
    expect(received.statusCode).toBe(200);
    expect(received.json()).toMatchObject({ status: 'refunded', error: null });
    expect(received.json().events.map((e: { type: string }) => e.type)).toEqual([
      'requested',
      'approved',
      'received',
      'resolved',
    ]);
    const after = await orderByNumber('#3002');
    expect(after.refunded).toBe(12900);
    expect(after.lineItems.find((l) => l.title === 'Trail Runner 2')!.refundedQuantity).toBe(1);
    // The store sees one refund action carrying the lines and the restock.
    const actions = (await call('GET', `/api/v1/commerce/actions?orderId=${o.id}`, ws.admin.headers)).json();
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: 'refund', status: 'succeeded', amount: 12900 });
    expect(actions[0].params.command).toMatchObject({ restock: true, lines: [{ quantity: 1 }] });
    // Received again: nothing more happens.
    const twice = await call('POST', `/api/v1/returns/${id}/receive`, ws.agent.headers, {});
    expect(twice.statusCode).toBe(409);
    // The ticket timeline shows every step.
    const events = (await call('GET', `/api/v1/tickets/${ticket}`, ws.agent.headers)).json().events as {
      type: string;
    }[];
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'return_requested',
        'return_approved',
        'return_received',
        'return_resolved',
        'order_action_succeeded',
      ]),
    );
  });

  it('money limits: returns and order actions add up, above the limit it waits for a lead', async () => {
    const { o, ticket, shoes, socks } = await setup('3003', 'r3@shop.example');
    // 29.00 EUR socks refunded as an order action, then 129.00 EUR shoes as a return: 158.00 > 150.00.
    const refund = await call('POST', `/api/v1/commerce/orders/${o.id}/actions`, ws.agent.headers, {
      kind: 'refund',
      mode: 'lines',
      lines: [{ lineItemId: socks, quantity: 2 }],
    });
    expect(refund.statusCode).toBe(201);
    const created = await call('POST', '/api/v1/returns', ws.agent.headers, {
      orderId: o.id,
      ticketId: ticket,
      outcome: 'refund',
      lines: [{ lineItemId: shoes, quantity: 1, reason: 'defective' }],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().status).toBe('needs_review');
    expect(created.json().decisionReasons.join(' ')).toMatch(/above the agent limit of 150\.00 EUR/);
    const id = created.json().id;
    // Nothing can be received before approval; an agent cannot approve above their own limit.
    expect((await call('POST', `/api/v1/returns/${id}/receive`, ws.agent.headers, {})).statusCode).toBe(409);
    expect((await call('POST', `/api/v1/returns/${id}/approve`, ws.agent.headers, {})).statusCode).toBe(403);
    const ok = await call('POST', `/api/v1/returns/${id}/approve`, ws.lead.headers, {
      reason: 'Known customer',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('approved');
    const done = await call('POST', `/api/v1/returns/${id}/receive`, ws.lead.headers, {});
    expect(done.json().status).toBe('refunded');
    expect((await orderByNumber('#3003')).refunded).toBe(15800);
  });

  it('a declined return tells why and stops counting against the limits', async () => {
    const { o, ticket, shoes } = await setup('3004', 'r4@shop.example');
    await call('PUT', '/api/v1/returns/policy', ws.admin.headers, { autoApproveMax: null });
    const created = await call('POST', '/api/v1/returns', ws.readonly.headers, {
      orderId: o.id,
      outcome: 'refund',
      lines: [{ lineItemId: shoes, quantity: 1, reason: 'unwanted' }],
    });
    expect(created.statusCode).toBe(403); // read-only agents cannot start returns
    const r = await call('POST', '/api/v1/returns', ws.agent.headers, {
      orderId: o.id,
      ticketId: ticket,
      outcome: 'store_credit',
      lines: [{ lineItemId: shoes, quantity: 1, reason: 'unwanted' }],
    });
    expect(r.json().status).toBe('approved'); // agent-made: the agent's money limit decides
    const d = await call('POST', `/api/v1/returns/${r.json().id}/decline`, ws.agent.headers, {
      reason: 'Worn outdoors',
    });
    expect(d.json()).toMatchObject({ status: 'declined', declineReason: 'Worn outdoors' });
    // The shoes can be returned again.
    const opts = (await call('GET', `/api/v1/returns/orders/${o.id}/options`, ws.agent.headers)).json();
    expect(opts.lines[0]).toMatchObject({ eligible: true, returnableQuantity: 1 });
    await call('PUT', '/api/v1/returns/policy', ws.admin.headers, {});
  });

  it('bad input is a clear 4xx and stores nothing', async () => {
    const { o, ticket, shoes, cap } = await setup('3005', 'r5@shop.example');
    const before = await count();
    const bad = async (body: Record<string, unknown>, status = 400) => {
      const res = await call('POST', '/api/v1/returns', ws.agent.headers, {
        orderId: o.id,
        outcome: 'refund',
        lines: [{ lineItemId: shoes, quantity: 1, reason: 'unwanted' }],
        ...body,
      });
      expect(res.statusCode, res.body).toBe(status);
      return res.json().error.message as string;
    };
    expect(await bad({ lines: [{ lineItemId: shoes, quantity: 2, reason: 'unwanted' }] })).toMatch(
      /Only 1 of "Trail Runner 2"/,
    );
    expect(await bad({ lines: [{ lineItemId: cap, quantity: 1, reason: 'unwanted' }] })).toMatch(
      /Final sale/,
    );
    expect(await bad({ lines: [{ lineItemId: shoes, quantity: 1, reason: 'no_such_reason' }] })).toMatch(
      /Unknown return reason/,
    );
    expect(await bad({ lines: [{ lineItemId: 999999, quantity: 1, reason: 'unwanted' }] })).toMatch(
      /not on order/,
    );
    expect(await bad({ outcome: 'keep' })).toMatch(/not offered/);
    const note = 'x'.repeat(301);
    await bad({ lines: [{ lineItemId: shoes, quantity: 1, reason: 'unwanted', note }] });
    // Another customer's ticket: refused.
    const stranger = (
      await call('POST', '/api/v1/tickets', ws.agent.headers, {
        subject: 'Hi',
        contact: { email: 'stranger@shop.example' },
        message: { body: 'Return #3005 please' },
      })
    ).json().id;
    expect(await bad({ ticketId: stranger }, 403)).toMatch(/belongs to another customer/);
    expect(ticket).toBeGreaterThan(0);
    expect(await count()).toBe(before);
  });

  it('workspace isolation on every route', async () => {
    const { o, ticket, shoes } = await setup('3006', 'r6@shop.example');
    const r = (
      await call('POST', '/api/v1/returns', ws.agent.headers, {
        orderId: o.id,
        ticketId: ticket,
        outcome: 'refund',
        lines: [{ lineItemId: shoes, quantity: 1, reason: 'unwanted' }],
      })
    ).json();
    const h = other.admin.headers;
    expect((await call('GET', `/api/v1/returns/${r.id}`, h)).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/returns/${r.id}/approve`, h, {})).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/returns/${r.id}/decline`, h, {})).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/returns/${r.id}/receive`, h, {})).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/returns/orders/${o.id}/options`, h)).statusCode).toBe(404);
    expect(
      (
        await call('POST', '/api/v1/returns/quote', h, {
          orderId: o.id,
          lines: [{ lineItemId: shoes, quantity: 1, reason: 'unwanted' }],
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call('POST', '/api/v1/returns', h, {
          orderId: o.id,
          outcome: 'refund',
          lines: [{ lineItemId: shoes, quantity: 1, reason: 'unwanted' }],
        })
      ).statusCode,
    ).toBe(404);
    expect((await call('GET', '/api/v1/returns', h)).json().items).toEqual([]);
    expect((await call('GET', '/api/v1/returns/error-clusters', h)).json()).toEqual([]);
    expect((await call('GET', '/api/v1/returns/policy', h)).statusCode).toBe(200);
  });

  it('lists with filters and flags fulfilment-error clusters by SKU', async () => {
    for (const n of ['3007', '3008']) {
      const { o, ticket, shoes } = await setup(n, `r${n}@shop.example`);
      await call('POST', '/api/v1/returns', ws.agent.headers, {
        orderId: o.id,
        ticketId: ticket,
        outcome: 'exchange',
        lines: [{ lineItemId: shoes, quantity: 1, reason: 'wrong_item' }],
      });
    }
    const list = (await call('GET', '/api/v1/returns?reason=wrong_item', ws.agent.headers)).json();
    expect(list.items.length).toBe(2);
    const clusters = (await call('GET', '/api/v1/returns/error-clusters', ws.agent.headers)).json();
    expect(clusters).toContainEqual({
      reason: 'wrong_item',
      sku: 'TR2-42',
      title: 'Trail Runner 2',
      count: 2,
      units: 2,
    });
    const review = (await call('GET', '/api/v1/returns?status=needs_review', ws.agent.headers)).json();
    expect(review.items.every((r: { status: string }) => r.status === 'needs_review')).toBe(true);
  });
});
