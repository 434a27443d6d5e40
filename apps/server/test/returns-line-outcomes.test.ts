import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { builtinStore, deliveredOrder } from './returns-helpers.ts';

/**
 * Per-line outcomes (#14): each line of one return with its own outcome — the money per line and in
 * total, one store action per outcome, the shared money limit that splitting cannot dodge, bad input
 * that stores nothing, and the shopper's per-item choice on the portal.
 */
let t: TestApp;
let ws: TestWorkspace;
let store: { authorization: string };

const call = (method: string, url: string, headers: Record<string, string> = {}, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});
const post = (url: string, body: { headers: Record<string, string>; payload: string }) =>
  t.app.inject({ method: 'POST', url, headers: body.headers, payload: body.payload });
const count = async () =>
  (await call('GET', '/api/v1/returns?limit=100', ws.admin.headers)).json().items.length as number;

async function setup(n: string, email: string) {
  await call('POST', '/api/v1/store/batch', store, { orders: [deliveredOrder(n, email)] });
  const o = (await call('GET', `/api/v1/commerce/orders?number=%23${n}`, ws.agent.headers)).json()
    .items[0] as {
    id: number;
    refunded: number;
    lineItems: { id: number; title: string }[];
  };
  const ticket = (
    await call('POST', '/api/v1/tickets', ws.agent.headers, {
      subject: `Return for #${n}`,
      contact: { email },
      message: { body: `Returning things from #${n}.` },
    })
  ).json().id as number;
  const line = (title: string) => o.lineItems.find((l) => l.title === title)!.id;
  return { o, ticket, shoes: line('Trail Runner 2'), socks: line('Merino Socks') };
}

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Line Outcomes');
  store = await builtinStore(t, ws);
  await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
    currency: 'EUR',
    refundLimits: { agent: 15000, lead: 100_000, admin: null },
  });
  // 10 % bonus on credit, 10 % restocking fee on refunds, 4.95 return shipping for the shopper's reasons.
  await call('PUT', '/api/v1/returns/policy', ws.admin.headers, {
    storeCreditBonusPercent: 10,
    restockingFeePercent: 10,
    returnShippingFee: 495,
    autoApproveMax: 50_000,
  });
}, 120_000);
afterAll(() => t?.stop());

describe('per-line outcomes', () => {
  it('shoes for credit, socks refunded: money per line, one store action per outcome, once', async () => {
    const { o, ticket, shoes, socks } = await setup('5101', 'mixed@shop.example');
    const body = {
      orderId: o.id,
      ticketId: ticket,
      lines: [
        { lineItemId: shoes, quantity: 1, reason: 'size_too_small', outcome: 'store_credit' },
        { lineItemId: socks, quantity: 2, reason: 'unwanted', outcome: 'refund' },
      ],
      idempotencyKey: 'mixed-5101',
    };
    const created = await call('POST', '/api/v1/returns', ws.lead.headers, body);
    expect(created.statusCode, created.body).toBe(201);
    const r = created.json();
    // Credit: 129.00 + 12.90 bonus, no fees. Refund: 29.00 − 2.90 restocking − 4.95 shipping (once).
    expect(r).toMatchObject({
      outcome: 'mixed',
      status: 'approved',
      value: 14190 + 2115,
      fee: 785,
      bonus: 1290,
    });
    expect(r.lines.map((l: { outcome: string; amount: number; fee: number; bonus: number }) => l)).toEqual([
      expect.objectContaining({ outcome: 'store_credit', amount: 14190, fee: 0, bonus: 1290 }),
      expect.objectContaining({ outcome: 'refund', amount: 2115, fee: 785, bonus: 0 }),
    ]);
    // A double submit is the same return.
    const again = await call('POST', '/api/v1/returns', ws.lead.headers, body);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(r.id);

    const done = await call('POST', `/api/v1/returns/${r.id}/receive`, ws.lead.headers, {
      lines: r.lines.map((l: { id: number }) => ({ id: l.id, condition: 'as_new', restock: true })),
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ status: 'refunded', error: null });
    const actions = (
      await call('GET', `/api/v1/commerce/actions?orderId=${o.id}`, ws.admin.headers)
    ).json() as {
      kind: string;
      status: string;
      amount: number;
      params: { command: { method?: string; lines: { quantity: number }[] } };
    }[];
    expect(actions).toHaveLength(2);
    const byMethod = Object.fromEntries(actions.map((a) => [a.params.command.method, a]));
    expect(byMethod.store_credit).toMatchObject({ kind: 'refund', status: 'succeeded', amount: 14190 });
    expect(byMethod.original).toMatchObject({ kind: 'refund', status: 'succeeded', amount: 2115 });
    expect(byMethod.original!.params.command.lines).toEqual([expect.objectContaining({ quantity: 2 })]);
    // Receiving again does nothing more.
    expect((await call('POST', `/api/v1/returns/${r.id}/receive`, ws.lead.headers, {})).statusCode).toBe(409);
    expect(
      (await call('GET', `/api/v1/commerce/actions?orderId=${o.id}`, ws.admin.headers)).json(),
    ).toHaveLength(2);
  });

  it('splitting across returns and lines does not dodge the agent limit', async () => {
    const { o, ticket, shoes, socks } = await setup('5102', 'split@shop.example');
    await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
      currency: 'EUR',
      refundLimits: { agent: 14000, lead: 100_000, admin: null },
    });
    // 129.00 refund − 12.90 restocking + 14.50 credit + 1.45 bonus = 132.05 ≤ 140.00: within the limit.
    const first = await call('POST', '/api/v1/returns', ws.agent.headers, {
      orderId: o.id,
      ticketId: ticket,
      lines: [
        { lineItemId: shoes, quantity: 1, reason: 'defective', outcome: 'refund' },
        { lineItemId: socks, quantity: 1, reason: 'defective', outcome: 'store_credit' },
      ],
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ status: 'approved', value: 13205 });
    // The other sock as a small return of its own: together above the limit → a lead decides.
    const second = await call('POST', '/api/v1/returns', ws.agent.headers, {
      orderId: o.id,
      ticketId: ticket,
      lines: [{ lineItemId: socks, quantity: 1, reason: 'defective', outcome: 'refund' }],
    });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().status).toBe('needs_review');
    expect(second.json().decisionReasons.join(' ')).toMatch(/above the agent limit of 140\.00 EUR/);
    await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
      currency: 'EUR',
      refundLimits: { agent: 15000, lead: 100_000, admin: null },
    });
  });

  it('bad per-line input is a 4xx and stores nothing', async () => {
    const { o, ticket, shoes, socks } = await setup('5103', 'bad@shop.example');
    const before = await count();
    const bad = async (lines: unknown[], extra: Record<string, unknown> = {}) => {
      const res = await call('POST', '/api/v1/returns', ws.lead.headers, {
        orderId: o.id,
        ticketId: ticket,
        lines,
        ...extra,
      });
      expect(res.statusCode, res.body).toBe(400);
      return res.json().error.message as string;
    };
    // No outcome for a line and none for the return.
    expect(
      await bad([
        { lineItemId: shoes, quantity: 1, reason: 'unwanted', outcome: 'refund' },
        { lineItemId: socks, quantity: 1, reason: 'unwanted' },
      ]),
    ).toMatch(/Choose what you would like for "Merino Socks"/);
    // Keep-the-item is off in this policy: named per line.
    expect(
      await bad([
        { lineItemId: shoes, quantity: 1, reason: 'unwanted', outcome: 'refund' },
        { lineItemId: socks, quantity: 1, reason: 'unwanted', outcome: 'keep' },
      ]),
    ).toMatch(/not offered for "Merino Socks"/);
    // An unknown outcome is refused by the schema.
    await bad([{ lineItemId: shoes, quantity: 1, reason: 'unwanted', outcome: 'cash' }]);
    expect(await count()).toBe(before);
  });

  it('the portal offers a choice per item with its money and stores each line’s outcome', async () => {
    await call('POST', '/api/v1/store/batch', store, {
      orders: [deliveredOrder('5104', 'portal@shop.example')],
    });
    const look = await post(
      `/help/${ws.slug}/en/returns`,
      form({ number: '#5104', email: 'portal@shop.example' }),
    );
    expect(look.statusCode, look.body).toBe(303);
    const link = look.headers.location as string;
    const o = (await call('GET', '/api/v1/commerce/orders?number=%235104', ws.agent.headers)).json().items[0];
    const id = (title: string) => o.lineItems.find((l: { title: string }) => l.title === title).id as number;
    const [shoes, socks] = [id('Trail Runner 2'), id('Merino Socks')];
    const picked = {
      [`qty_${shoes}`]: '1',
      [`reason_${shoes}`]: 'size_too_small',
      [`qty_${socks}`]: '2',
      [`reason_${socks}`]: 'unwanted',
    };
    const review = await post(link, form({ step: 'review', ...picked }));
    expect(review.statusCode, review.body).toBe(200);
    expect(review.body).toContain(`name="outcome_${shoes}"`);
    expect(review.body).toContain(`name="outcome_${socks}"`);
    expect(review.body).toContain('What would you like for Trail Runner 2?');
    // Per line: credit for the shoes with its bonus, the socks' refund after restocking; shipping once.
    expect(review.body).toContain('€141.90');
    expect(review.body).toContain('€26.10');
    expect(review.body).toContain('Return shipping of €4.95 is taken off the refund once.');
    const formKey = /name="formKey" value="([\w-]+)"/.exec(review.body)![1]!;
    const fields = {
      step: 'submit',
      formKey,
      ...picked,
      [`outcome_${shoes}`]: 'store_credit',
      [`outcome_${socks}`]: 'refund',
    };
    const sent = await post(link, form(fields));
    expect(sent.statusCode, sent.body).toBe(303);
    expect((await post(link, form(fields))).statusCode).toBe(303); // resent form: the same return
    const mine = (await call('GET', `/api/v1/returns?orderId=${o.id}`, ws.admin.headers)).json().items;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ outcome: 'mixed', createdBy: 'shopper', value: 14190 + 2115 });
    expect(mine[0].lines.map((l: { outcome: string }) => l.outcome)).toEqual(['store_credit', 'refund']);
    const page = await call('GET', link);
    expect(page.body).toContain('Store credit: €141.90');
  });
});
