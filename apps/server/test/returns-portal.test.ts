import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { builtinStore, deliveredOrder } from './returns-helpers.ts';

/**
 * The shopper's side, as plain HTML forms (no JavaScript): look-up with order number and e-mail,
 * eligibility per line, the outcomes with money, photos checked by their bytes, a double submit, the
 * status page after an agent's decision, and the page in German.
 */
let t: TestApp;
let ws: TestWorkspace;
let store: { authorization: string };

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const call = (method: string, url: string, headers: Record<string, string> = {}, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as string });
const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});
function multipart(
  fields: Record<string, string>,
  files: { field: string; name: string; data: Buffer }[] = [],
) {
  const boundary = '----returns-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      f.data,
      Buffer.from('\r\n'),
    );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
const post = (url: string, body: { headers: Record<string, string>; payload: string | Buffer }) =>
  t.app.inject({ method: 'POST', url, headers: body.headers, payload: body.payload });
const returns = async () => (await call('GET', '/api/v1/returns?limit=100', ws.admin.headers)).json().items;

/** The shopper proves the order (number + e-mail) and lands on its return page. */
async function lookUp(number: string, email: string, locale = 'en') {
  const res = await post(`/help/${ws.slug}/${locale}/returns`, form({ number, email }));
  expect(res.statusCode, res.body).toBe(303);
  return res.headers.location as string;
}
const lineIds = async (n: string) => {
  const o = (await call('GET', `/api/v1/commerce/orders?number=%23${n}`, ws.agent.headers)).json().items[0];
  const id = (title: string) => o.lineItems.find((l: { title: string }) => l.title === title).id as number;
  return { shoes: id('Trail Runner 2'), socks: id('Merino Socks'), cap: id('Outlet Cap') };
};

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Portal Returns');
  store = await builtinStore(t, ws);
  await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
    currency: 'EUR',
    refundLimits: { agent: 5000, lead: 50_000, admin: null },
  } as never);
  await call('PATCH', '/api/v1/helpcenter/settings', ws.admin.headers, { locales: ['en', 'de'] } as never);
  await call('POST', '/api/v1/store/batch', store, {
    orders: [
      deliveredOrder('4001', 'shopper@shop.example'),
      deliveredOrder('4002', 'shopper@shop.example'),
      deliveredOrder('4003', 'zweite@shop.example'),
    ],
  } as never);
});
afterAll(() => t?.stop());

describe('the shopper return portal', () => {
  it('the look-up needs the order e-mail; a wrong one stores nothing and says no match', async () => {
    const res = await post(
      `/help/${ws.slug}/en/returns`,
      form({ number: '#4001', email: 'someone@else.example' }),
    );
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Return or exchange items');
    const page = await call('GET', `/help/${ws.slug}/en/returns`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="number"');
  });

  it('a shopper returns shoes for store credit with a photo, once; the status page follows the agent', async () => {
    const link = await lookUp('#4001', 'shopper@shop.example');
    expect(link).toMatch(new RegExp(`^/help/${ws.slug}/en/l/return\\.order\\.`));
    const { shoes, cap } = await lineIds('4001');
    const page = await call('GET', link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Trail Runner 2');
    // The final-sale cap says why it cannot be returned, before anything is picked.
    expect(page.body).toMatch(new RegExp(`data-line="${cap}"[^]*?Final sale — cannot be returned`));
    expect(page.body).not.toContain('<script');

    // Step 1 → 2: the outcomes with the money for the picked items.
    const review = await post(
      link,
      form({ step: 'review', [`qty_${shoes}`]: '1', [`reason_${shoes}`]: 'defective' }),
    );
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain('Store credit');
    expect(review.body).toContain('€129.00');
    expect(review.body).toContain(`name="photo_${shoes}"`);
    const formKey = /name="formKey" value="([\w-]+)"/.exec(review.body)![1]!;

    const fields = {
      step: 'submit',
      formKey,
      outcome: 'store_credit',
      [`qty_${shoes}`]: '1',
      [`reason_${shoes}`]: 'defective',
      [`note_${shoes}`]: 'Sole came off',
    };
    // A forged "photo" (not image bytes) and a missing required photo: refused, nothing stored.
    const before = (await returns()).length;
    const forged = await post(
      link,
      multipart(fields, [
        { field: `photo_${shoes}`, name: 'x.png', data: Buffer.from('GIF89a... not a png') },
      ]),
    );
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('Photos must be JPEG, PNG, WebP or HEIC images');
    const none = await post(link, multipart(fields));
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Add at least 1 photo');
    expect((await returns()).length).toBe(before);

    const ok = await post(
      link,
      multipart(fields, [{ field: `photo_${shoes}`, name: 'sole.png', data: PNG }]),
    );
    expect(ok.statusCode, ok.body).toBe(303);
    expect(ok.headers.location).toMatch(/\?rma=RMA-/);
    // The same form sent twice (a double click, a retry): one return.
    const again = await post(
      link,
      multipart(fields, [{ field: `photo_${shoes}`, name: 'sole.png', data: PNG }]),
    );
    expect(again.statusCode).toBe(303);
    const all = (await returns()).filter((r: { orderNumber: string }) => r.orderNumber === '#4001');
    expect(all).toHaveLength(1);
    const r = all[0];
    // 129.00 is above the default auto-approval cap (100.00): it waits for review, saying why.
    expect(r).toMatchObject({
      status: 'needs_review',
      outcome: 'store_credit',
      value: 12900,
      createdBy: 'shopper',
      locale: 'en',
    });
    expect(r.decisionReasons.join(' ')).toContain('above the auto-approval cap of €100.00');
    expect(r.lines[0]).toMatchObject({
      reason: 'defective',
      note: 'Sole came off',
      photos: [{ contentType: 'image/png' }],
    });
    // It belongs to a ticket from the shopper, with the photo attached and the return on the timeline.
    const ticket = (await call('GET', `/api/v1/tickets/${r.ticketId}`, ws.agent.headers)).json();
    expect(ticket.tags).toContain('return');
    expect(ticket.events.map((e: { type: string }) => e.type)).toContain('return_requested');

    const status = await call('GET', ok.headers.location as string);
    expect(status.body).toContain(`your return ${r.rma} has been submitted`);
    expect(status.body).toContain('Submitted — being reviewed');
    // An agent's limit (50.00) does not cover it; a lead approves, and the page says so.
    expect(
      (await call('POST', `/api/v1/returns/${r.id}/approve`, ws.agent.headers, {} as never)).statusCode,
    ).toBe(403);
    expect(
      (await call('POST', `/api/v1/returns/${r.id}/approve`, ws.lead.headers, {} as never)).statusCode,
    ).toBe(200);
    expect((await call('GET', link)).body).toContain('Approved — please send the items back');

    // A message from the return page threads into the return's ticket.
    const msgKey = /name="returnId" value="\d+"><input type="hidden" name="formKey" value="([\w-]+)"/.exec(
      status.body,
    )![1]!;
    const msg = await post(
      link,
      form({ step: 'message', returnId: String(r.id), formKey: msgKey, text: 'Parcel is on its way' }),
    );
    expect(msg.statusCode).toBe(303);
    const thread = (await call('GET', `/api/v1/tickets/${r.ticketId}`, ws.agent.headers)).json();
    expect(JSON.stringify(thread.messages)).toContain('Parcel is on its way');

    // The agent receives it: credited in the store, and the page says so.
    await call('POST', `/api/v1/returns/${r.id}/receive`, ws.agent.headers, {} as never);
    expect((await call('GET', link)).body).toContain('Store credit issued');
  });

  it('a declined return shows the reason; another shopper link cannot open this order', async () => {
    const link = await lookUp('4002', 'SHOPPER@shop.example');
    const { socks } = await lineIds('4002');
    const review = await post(
      link,
      form({ step: 'review', [`qty_${socks}`]: '2', [`reason_${socks}`]: 'unwanted' }),
    );
    const formKey = /name="formKey" value="([\w-]+)"/.exec(review.body)![1]!;
    await post(
      link,
      multipart({
        step: 'submit',
        formKey,
        outcome: 'refund',
        [`qty_${socks}`]: '2',
        [`reason_${socks}`]: 'unwanted',
      }),
    );
    const r = (await returns()).find((x: { orderNumber: string }) => x.orderNumber === '#4002');
    await call('POST', `/api/v1/returns/${r.id}/decline`, ws.agent.headers, {
      reason: 'Socks cannot be returned once worn',
    } as never);
    const page = await call('GET', link);
    expect(page.body).toContain('Declined: Socks cannot be returned once worn');
    // A tampered token does not open anything.
    const bad = await call(
      'GET',
      link.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
    );
    expect(bad.statusCode).toBe(404);
  });

  it('quantity over what is left is a clear 400 and stores nothing', async () => {
    const link = await lookUp('4003', 'zweite@shop.example');
    const { socks } = await lineIds('4003');
    const before = (await returns()).length;
    const res = await post(
      link,
      multipart({
        step: 'submit',
        formKey: 'k'.repeat(20),
        outcome: 'refund',
        [`qty_${socks}`]: '3',
        [`reason_${socks}`]: 'unwanted',
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Only 2 of “Merino Socks”'.replace(/[“”]/g, '&quot;'));
    expect((await returns()).length).toBe(before);
  });

  it('the portal in German', async () => {
    const link = await lookUp('4003', 'zweite@shop.example', 'de');
    expect(link).toContain('/de/l/');
    const page = await call('GET', link);
    expect(page.body).toContain('Artikel aus Bestellung #4003 zurücksenden oder umtauschen');
    expect(page.body).toContain('Vom Umtausch ausgeschlossen');
    expect(page.body).toContain('Zu klein');
    expect(page.body).toContain('lang="de"');
  });
});
