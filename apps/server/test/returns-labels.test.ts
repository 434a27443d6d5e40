import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { fakeEasypost, fakeShippo } from './label-fakes.ts';
import { builtinStore, deliveredOrder } from './returns-helpers.ts';

/**
 * Return labels end to end: an approved return gets the workspace's label on its own (the printable
 * slip by default, no outside call), the shopper downloads it from a signed link on the status page
 * and in the notice; EasyPost and Shippo accounts (keys encrypted at rest) buy a carrier label once,
 * its cost and who pays recorded, the parcel handed to tracking; refusals, bad input and isolation.
 */
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let store: { authorization: string };
let ep: Awaited<ReturnType<typeof fakeEasypost>>;
let sh: Awaited<ReturnType<typeof fakeShippo>>;

const call = (method: string, url: string, headers: Record<string, string> = {}, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });
const path = (url: string) => new URL(url).pathname;
const labelsOf = async (id: number, w = ws) =>
  (await call('GET', `/api/v1/returns/${id}/labels`, w.agent.headers)).json();

async function approvedReturn(n: string, email: string, reason = 'size_too_small') {
  await call('POST', '/api/v1/store/batch', store, { orders: [deliveredOrder(n, email)] });
  const o = (await call('GET', `/api/v1/commerce/orders?number=%23${n}`, ws.agent.headers)).json().items[0];
  const ticket = (
    await call('POST', '/api/v1/tickets', ws.agent.headers, {
      subject: `Return for #${n}`,
      contact: { email },
      message: { body: `I want to return my shoes from #${n}.` },
    })
  ).json().id as number;
  const shoes = o.lineItems.find((l: { title: string }) => l.title === 'Trail Runner 2').id;
  const r = await call('POST', '/api/v1/returns', ws.agent.headers, {
    orderId: o.id,
    ticketId: ticket,
    outcome: 'refund',
    lines: [{ lineItemId: shoes, quantity: 1, reason }],
  });
  expect(r.statusCode, r.body).toBe(201);
  expect(r.json().status).toBe('approved');
  await t.jobs.drain();
  return { ret: r.json() as { id: number; rma: string; orderId: number }, ticket, orderId: o.id as number };
}

beforeAll(async () => {
  ep = await fakeEasypost('EZTK_labels_key_1');
  sh = await fakeShippo('shippo_labels_token', { transactionError: true });
  t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
  ws = await t.workspace('Labels Shop');
  other = await t.workspace('Labels Other');
  store = await builtinStore(t, ws);
  await call('PUT', '/api/v1/commerce/policy', ws.admin.headers, {
    currency: 'EUR',
    refundLimits: { agent: 50_000, lead: 100_000, admin: null },
  });
});
afterAll(async () => {
  await t?.stop();
  await ep?.close();
  await sh?.close();
});

describe('return labels', () => {
  it('an approved return gets the printable slip on its own; the shopper downloads the PDF', async () => {
    const { ret, ticket } = await approvedReturn('7001', 'slip@shop.example');
    const [label] = await labelsOf(ret.id);
    expect(label).toMatchObject({
      provider: 'slip',
      status: 'ready',
      rma: ret.rma,
      cost: 0,
      paidBy: 'shop',
      shopperFee: 0,
      trackingNumber: null,
    });
    const pdf = await call('GET', path(label.downloadUrl));
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.headers['content-disposition']).toContain(`return-${ret.rma}.pdf`);
    // On the return's history and the ticket's timeline; the notice carries the link.
    const full = (await call('GET', `/api/v1/returns/${ret.id}`, ws.agent.headers)).json();
    expect(full.events.map((e: { type: string }) => e.type)).toContain('label');
    const notices = (await call('GET', `/api/v1/notices?ticketId=${ticket}`, ws.agent.headers)).json();
    const sent = (notices.items ?? notices).find((n: { kind: string }) => n.kind === 'return.label_ready');
    expect(sent?.body ?? '').toContain('/api/v1/labels/download/');
    // A second request gives the same label back.
    const again = await call('POST', `/api/v1/returns/${ret.id}/labels`, ws.agent.headers, {});
    expect(again.json().id).toBe(label.id);
  });

  it('the status page offers the download', async () => {
    await call('POST', '/api/v1/store/batch', store, {
      orders: [deliveredOrder('7002', 'page@shop.example')],
    });
    const look = await t.app.inject({
      method: 'POST',
      url: `/help/${ws.slug}/en/returns`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ number: '#7002', email: 'page@shop.example' }).toString(),
    });
    expect(look.statusCode, look.body).toBe(303);
    const o = (await call('GET', '/api/v1/commerce/orders?number=%237002', ws.agent.headers)).json().items[0];
    const r = await call('POST', '/api/v1/returns', ws.agent.headers, {
      orderId: o.id,
      outcome: 'refund',
      lines: [{ lineItemId: o.lineItems[0].id, quantity: 1, reason: 'defective' }],
    });
    expect(r.statusCode, r.body).toBe(201);
    await t.jobs.drain();
    const page = await call('GET', look.headers.location as string);
    expect(page.body).toContain('Your return label is ready');
    expect(page.body).toMatch(/href="http[^"]*\/api\/v1\/labels\/download\/return-label\.return\.[^"]+"/);
  });

  it('the shopper pays return shipping for their own faults when the policy charges it', async () => {
    const policy = (await call('GET', '/api/v1/returns/policy', ws.admin.headers)).json();
    await call('PUT', '/api/v1/returns/policy', ws.admin.headers, { ...policy, returnShippingFee: 495 });
    const mine = await approvedReturn('7003', 'fee@shop.example', 'size_too_small');
    expect((await labelsOf(mine.ret.id))[0]).toMatchObject({ paidBy: 'shopper', shopperFee: 495 });
    const theirs = await approvedReturn('7004', 'fee2@shop.example', 'defective');
    expect((await labelsOf(theirs.ret.id))[0]).toMatchObject({ paidBy: 'shop', shopperFee: 0 });
    await call('PUT', '/api/v1/returns/policy', ws.admin.headers, { ...policy, returnShippingFee: 0 });
  });

  it('EasyPost: the key is stored encrypted, the label bought once with its cost, the parcel tracked', async () => {
    const put = await call('PUT', '/api/v1/labels/accounts/easypost', ws.admin.headers, {
      apiKey: 'EZTK_labels_key_1',
      baseUrl: ep.url,
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ provider: 'easypost', keyHint: '…ey_1' });
    expect(
      JSON.stringify((await call('GET', '/api/v1/labels/accounts', ws.admin.headers)).json()),
    ).not.toContain('EZTK_labels_key_1');
    const stored = await t.db.query<{ credentials: string }>(
      sql`SELECT credentials FROM label_accounts WHERE workspace_id = ${ws.workspaceId}`,
    );
    expect(stored[0]!.credentials).not.toContain('EZTK');
    const settings = await call('PUT', '/api/v1/labels/settings', ws.lead.headers, {
      provider: 'easypost',
      returnAddress: {
        name: 'Returns',
        address1: 'Lager 1',
        city: 'Hamburg',
        zip: '20095',
        countryCode: 'DE',
      },
    });
    expect(settings.statusCode, settings.body).toBe(200);

    const { ret, orderId } = await approvedReturn('7005', 'ep@shop.example');
    const [label] = await labelsOf(ret.id);
    expect(label).toMatchObject({
      provider: 'easypost',
      status: 'ready',
      cost: 758,
      costCurrency: 'USD',
      carrier: 'USPS',
    });
    expect(ep.seen.filter((s) => s.path.endsWith('/buy'))).toHaveLength(1);
    const sent = ep.seen[0]!.body.shipment as Record<string, Record<string, unknown>>;
    expect(sent.is_return).toBe(true);
    expect(sent.to_address).toMatchObject({ street1: 'Hauptstr. 1' });
    expect(sent.from_address).toMatchObject({ street1: 'Lager 1' });
    // Asked again (a double click, the job once more): the same label, nothing bought.
    const again = await call('POST', `/api/v1/returns/${ret.id}/labels`, ws.agent.headers, {});
    expect(again.json().id).toBe(label.id);
    expect(ep.seen.filter((s) => s.path.endsWith('/buy'))).toHaveLength(1);
    const dl = await call('GET', path(label.downloadUrl));
    expect(dl.statusCode).toBe(302);
    expect(dl.headers.location).toBe('https://easypost-files.example/files/postage_label/shp_1.pdf');
    // The return parcel joins the tracking pipeline on the order; the tracking page leaves it out.
    const ships = (
      await call('GET', `/api/v1/tracking/shipments?orderId=${orderId}`, ws.agent.headers)
    ).json().items;
    expect(
      ships.find((s: { trackingNumber: string }) => s.trackingNumber === label.trackingNumber),
    ).toMatchObject({
      source: 'return',
      carrier: 'USPS',
      status: 'info_received',
    });
    // Replaced on purpose: the old one is void, a new one bought.
    const replaced = await call('POST', `/api/v1/returns/${ret.id}/labels`, ws.agent.headers, {
      replace: true,
    });
    expect(replaced.statusCode).toBe(201);
    expect(replaced.json().id).not.toBe(label.id);
    expect((await labelsOf(ret.id)).map((l: { status: string }) => l.status)).toEqual(['ready', 'void']);
  });

  it("Shippo: a refused purchase is a failed label with the provider's words, shown on the return", async () => {
    await call('PUT', '/api/v1/labels/accounts/shippo', ws.admin.headers, {
      apiKey: 'shippo_labels_token',
      baseUrl: sh.url,
    });
    const { ret } = await approvedReturn('7006', 'sh@shop.example');
    const made = await call('POST', `/api/v1/returns/${ret.id}/labels`, ws.agent.headers, {
      provider: 'shippo',
      replace: true,
    });
    expect(made.statusCode).toBe(201);
    expect(made.json()).toMatchObject({ provider: 'shippo', status: 'failed', downloadUrl: null });
    expect(made.json().error).toContain('carrier account is not active');
    expect(sh.seen[0]!.body.extra).toMatchObject({ is_return: true });
    const full = (await call('GET', `/api/v1/returns/${ret.id}`, ws.agent.headers)).json();
    expect(full.events.map((e: { type: string }) => e.type)).toContain('label_failed');
  });

  it('bad input is refused and stores nothing; links and routes are bound to their workspace', async () => {
    const before = await t.db.query(sql`SELECT id FROM label_accounts`);
    expect(
      (await call('PUT', '/api/v1/labels/accounts/easypost', ws.admin.headers, { apiKey: 'x' })).statusCode,
    ).toBe(400);
    expect(
      (await call('PUT', '/api/v1/labels/accounts/ups', ws.admin.headers, { apiKey: 'long-enough-key' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await call('PUT', '/api/v1/labels/accounts/slip', ws.admin.headers, { apiKey: 'long-enough-key' }))
        .statusCode,
    ).toBe(400);
    expect(
      (await call('PUT', '/api/v1/labels/accounts/easypost', ws.agent.headers, { apiKey: 'long-enough-key' }))
        .statusCode,
    ).toBe(403);
    expect(await t.db.query(sql`SELECT id FROM label_accounts`)).toHaveLength(before.length);
    const noAccount = await call('PUT', '/api/v1/labels/settings', other.lead.headers, {
      provider: 'shippo',
    });
    expect(noAccount.statusCode).toBe(400);
    expect((await call('GET', '/api/v1/labels/settings', other.agent.headers)).json().provider).toBe('slip');

    const { ret } = await approvedReturn('7007', 'iso@shop.example');
    // Another workspace sees nothing and cannot make one.
    expect((await call('GET', `/api/v1/returns/${ret.id}/labels`, other.agent.headers)).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/returns/${ret.id}/labels`, other.agent.headers, {})).statusCode).toBe(
      404,
    );
    // A forged or tampered link opens nothing.
    const [label] = await labelsOf(ret.id);
    const token = path(label.downloadUrl).split('/').at(-1)!;
    const tampered = token.replace(`.${ret.id.toString(36)}.`, `.${(ret.id + 1).toString(36)}.`);
    expect((await call('GET', `/api/v1/labels/download/${tampered}`)).statusCode).toBe(404);
    expect((await call('GET', '/api/v1/labels/download/not-a-real-token-at-all')).statusCode).toBe(404);
    // A declined return gets no label.
    const o = (await call('GET', '/api/v1/commerce/orders?number=%237007', ws.agent.headers)).json().items[0];
    const big = await call('POST', '/api/v1/returns', ws.agent.headers, {
      orderId: o.id,
      outcome: 'refund',
      lines: [{ lineItemId: o.lineItems[1].id, quantity: 1, reason: 'size_too_small' }],
    });
    await call('POST', `/api/v1/returns/${big.json().id}/decline`, ws.lead.headers, { reason: 'Worn' });
    const refused = await call('POST', `/api/v1/returns/${big.json().id}/labels`, ws.agent.headers, {});
    expect(refused.statusCode).toBe(409);
  });
});
