import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTrackingToken } from '../src/modules/helpcenter/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { keyRing } from '../src/platform/security/keys.ts';
import { demoOrder } from './commerce-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { authorDemoHelpCenter, call } from './helpcenter-helpers.ts';

let t: TestApp;
let ws: TestWorkspace;
let ids: Map<string, number>;
let orderId: number;

beforeAll(async () => {
  // The tests stand behind a proxy on loopback, so X-Forwarded-For varies the client IP.
  t = await startTestApp({ TRUST_PROXY: '127.0.0.1' });
  ws = await t.workspace('Contact Shop');
  ids = await authorDemoHelpCenter(t, ws);
  const conn = await call(t, 'POST', '/api/v1/commerce/connections', ws.admin.headers, {
    platform: 'builtin',
    currency: 'EUR',
  });
  const store = { authorization: `Bearer ${conn.json().token}` };
  const at = new Date(Date.now() - 86400_000).toISOString();
  await call(t, 'POST', '/api/v1/store/batch', store, {
    orders: [
      demoOrder({
        externalId: 'o-1042',
        number: '#1042',
        updatedAt: at,
        fulfillmentStatus: 'fulfilled',
        fulfillments: [
          {
            externalId: 'f-1',
            carrier: 'DHL',
            trackingNumber: 'JD0042',
            trackingUrl: 'https://dhl.example/JD0042',
            shippedAt: at,
            updatedAt: at,
          },
        ],
      }),
      demoOrder({
        externalId: 'o-2077',
        number: '#2077',
        customer: { externalId: 'c-2', email: 'bob@example.com', firstName: 'Bob', lastName: 'Berg' },
        lineItems: [{ externalId: 'li-9', title: 'Rain Jacket', quantity: 1, price: 9900 }],
      }),
    ],
  });
  orderId = (await call(t, 'GET', '/api/v1/commerce/orders?number=1042', ws.agent.headers)).json().items[0]
    .id;
});
afterAll(() => t?.stop());

function multipart(
  fields: Record<string, string>,
  files: { name: string; type: string; data: Buffer }[] = [],
) {
  const boundary = '----shopdesk-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`,
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

const post = (
  url: string,
  body: { payload: Buffer; headers: Record<string, string> },
  extra: Record<string, string> = {},
) => t.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...extra } });
const form = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });

const ticketsOf = async (email: string) =>
  (await call(t, 'GET', '/api/v1/tickets?limit=100', ws.agent.headers))
    .json()
    .items.filter((x: { contact: { email: string } | null }) => x.contact?.email === email);

describe('contact form', () => {
  it('renders a no-JS form with topics and suggests articles for the subject', async () => {
    const page = await call(t, 'GET', `/help/${ws.slug}/en/contact`);
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('<option>Returns and refunds</option>');
    const suggest = await post(
      `/help/${ws.slug}/en/contact`,
      multipart({ action: 'suggest', subject: 'how long does a refund take', formKey: 'k'.repeat(20) }),
    );
    expect(suggest.body).toContain('These articles might answer your question');
    expect(suggest.body).toContain('When will I get my refund?');
    const live = await call(
      t,
      'GET',
      `/help/${ws.slug}/en/contact/suggestions?q=${encodeURIComponent('return label')}`,
    );
    expect(live.body).toContain('How do I send a return?');
    const stats = (
      await call(t, 'GET', `/api/v1/helpcenter/articles/${ids.get('refund-timing')}/stats`, ws.agent.headers)
    ).json();
    expect(stats.suggested).toBeGreaterThanOrEqual(1);
  });

  it('creates one web ticket with the attachment, once, and records the articles read before', async () => {
    const view = await call(
      t,
      'GET',
      `/help/${ws.slug}/en/articles/${ids.get('returns-policy')}-returns-policy`,
    );
    const visitor = view.cookies.find((c) => c.name === 'sd_hc_vid')!.value;
    const body = multipart(
      {
        formKey: 'form-key-0123456789abcdef',
        name: 'Emma Schmidt',
        email: 'emma@example.com',
        topic: 'Returns and refunds',
        orderNumber: '#1042',
        subject: 'Return label missing',
        message: 'I asked for a return label two days ago and got nothing.',
      },
      [{ name: 'photo.png', type: 'image/png', data: Buffer.from('89504e470d0a1a0a', 'hex') }],
    );
    const res = await post(`/help/${ws.slug}/en/contact`, body, { cookie: `sd_hc_vid=${visitor}` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/\/contact\/sent\?ref=\d+/);
    const again = await post(`/help/${ws.slug}/en/contact`, body, { cookie: `sd_hc_vid=${visitor}` });
    expect(again.headers.location).toBe(res.headers.location);
    const list = await ticketsOf('emma@example.com');
    expect(list).toHaveLength(1);
    const detail = (await call(t, 'GET', `/api/v1/tickets/${list[0].id}`, ws.agent.headers)).json();
    expect(detail.channel).toBe('web');
    expect(detail.subject).toBe('Return label missing');
    expect(detail.tags).toContain('contact-form');
    expect(detail.messages[0].bodyText).toContain('Order number: #1042');
    expect(detail.messages[0].attachments[0]).toMatchObject({
      filename: 'photo.png',
      contentType: 'image/png',
    });
    const thanks = await call(t, 'GET', res.headers.location as string);
    expect(thanks.body).toContain(`#${list[0].id}`);
    const stats = (
      await call(t, 'GET', `/api/v1/helpcenter/articles/${ids.get('returns-policy')}/stats`, ws.agent.headers)
    ).json();
    expect(stats.ticketsAfterView).toBe(1);
  });

  it('refuses bad input with the form re-shown and changes nothing', async () => {
    const res = await post(
      `/help/${ws.slug}/en/contact`,
      multipart({
        formKey: 'form-key-bad-000000000001',
        email: 'not-an-email',
        topic: 'Nope',
        subject: '',
        message: 'hi',
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Please enter a valid e-mail address.');
    expect(res.body).toContain('Please choose a topic.');
    expect(res.body).toContain('value="not-an-email"');
    expect(await ticketsOf('not-an-email')).toHaveLength(0);
    const broken = await t.app.inject({
      method: 'POST',
      url: `/help/${ws.slug}/en/contact`,
      payload: 'garbage',
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
    });
    expect(broken.statusCode).toBe(400);
  });

  it('rate-limits submissions from one address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await post(
        `/help/${ws.slug}/en/contact`,
        multipart({
          formKey: `form-key-rate-${String(i).padStart(8, '0')}`,
          email: `spam${i}@example.com`,
          topic: 'Other',
          subject: 'Hello',
          message: 'Spam',
        }),
        { 'x-forwarded-for': '203.0.113.9' },
      );
      codes.push(r.statusCode);
    }
    expect(codes.slice(0, 5)).toEqual([303, 303, 303, 303, 303]);
    expect(codes[5]).toBe(429);
    expect(await ticketsOf('spam5@example.com')).toHaveLength(0);
  });
});

describe('order tracking', () => {
  const track = (number: string, email: string, ip = '198.51.100.1') =>
    form(`/help/${ws.slug}/en/track`, { number, email }, { 'x-forwarded-for': ip });

  it('shows status, items and the shipment timeline only when number and e-mail match', async () => {
    const ok = await track('1042', ' EMMA@example.com ');
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('Order #1042');
    expect(ok.body).toContain('Shipped with DHL — tracking number JD0042');
    expect(ok.body).toContain('href="https://dhl.example/JD0042"');
    expect(ok.body).toContain('Trail Runner 2');
    const zip = await track('#1042', '10115');
    expect(zip.body).toContain('Trail Runner 2');
    for (const [n, e] of [
      ['1042', 'someone@example.com'],
      ['1043', 'emma@example.com'],
      ['1042', '99999'],
      ['1042', ''],
    ]) {
      const r = await track(n!, e!, '198.51.100.2');
      expect(r.body).not.toContain('Trail Runner 2');
      expect(r.body).not.toContain('JD0042');
    }
  });

  it('rate-limits guessing, per address and per order number', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 11; i++)
      codes.push((await track(String(2000 + i), 'x@example.com', '198.51.100.3')).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 404)).toBe(true);
    expect(codes[10]).toBe(429);
    // Many addresses guessing one order's e-mail are stopped too, and the real owner later as well.
    for (let i = 0; i < 5; i++) await track('1042', `guess${i}@example.com`, `192.0.2.${i + 10}`);
    expect((await track('1042', 'guess9@example.com', '192.0.2.99')).statusCode).toBe(429);
  });

  it('counts every spelling of one order number against the same budget', async () => {
    // Each spelling from a fresh address: only the per-number limit can stop this.
    const spellings = ['order 3042', 'nr. 3042', '#3042', '3042 ', 'Bestellung 3042'];
    for (const [i, n] of spellings.entries())
      expect((await track(n, `guess${i}@example.com`, `192.0.2.${i + 120}`)).statusCode).toBe(404);
    const next = await track('No. 3042', 'guess9@example.com', '192.0.2.130');
    expect(next.statusCode).toBe(429);
    expect(next.body).not.toContain('could not find');
  });

  it('puts a signed link to the customer’s own order into a reply ({{order.tracking_page_url}})', async () => {
    const macro = (
      await call(t, 'POST', '/api/v1/macros', ws.lead.headers, {
        name: 'Tracking link',
        body: 'Follow your parcel here: {{order.tracking_page_url}}',
        shared: true,
      })
    ).json();
    const render = async (subject: string) => {
      const ticket = (
        await call(t, 'POST', '/api/v1/tickets', ws.agent.headers, {
          subject,
          contact: { email: 'Emma@Example.com' },
          message: { body: subject },
        })
      ).json();
      return (
        await call(t, 'POST', `/api/v1/macros/${macro.id}/render`, ws.agent.headers, { ticketId: ticket.id })
      ).json();
    };
    const r = await render('Where is order #1042?');
    expect(r.missing).toEqual([]);
    const link = new URL(/https?:\/\/\S+/.exec(r.body)![0]);
    expect(link.pathname).toMatch(new RegExp(`^/help/${ws.slug}/track-link/[\\w.-]+$`));
    const page = await call(t, 'GET', link.pathname);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Order #1042');
    expect(page.body).toContain('JD0042');
    expect(page.body).not.toContain('Rain Jacket');
    // One character changed: refused, nothing shown.
    const last = link.pathname.at(-1)!;
    const tampered = await call(t, 'GET', `${link.pathname.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`);
    expect(tampered.statusCode).toBe(404);
    expect(tampered.body).not.toContain('JD0042');
    // Naming another customer's order gets no link: it would open that order without any proof.
    const other = await render('What about order #2077?');
    expect(other.missing).toEqual(['order.tracking_page_url']);
    expect(other.body).not.toContain('track-link');
  });

  it('shows prices in each currency’s own minor units: yen without decimals, dinar with three', async () => {
    const conn = await call(t, 'POST', '/api/v1/commerce/connections', ws.admin.headers, {
      platform: 'builtin',
      name: 'Intl store',
      currency: 'JPY',
    });
    const store = { authorization: `Bearer ${conn.json().token}` };
    const priced = (n: string, currency: string, price: number, shipping: number) =>
      demoOrder({
        externalId: `o-${n}`,
        number: `#${n}`,
        currency,
        subtotal: price,
        shipping,
        total: price + shipping,
        lineItems: [{ externalId: `li-${n}`, title: 'Tea set', quantity: 1, price }],
        transactions: [],
      });
    const res = await call(t, 'POST', '/api/v1/store/batch', store, {
      orders: [
        priced('7001', 'JPY', 15000, 800), // ¥15,000 + ¥800
        priced('7002', 'KWD', 12345, 1500), // 12.345 KWD + 1.500 KWD
        priced('7003', 'BHD', 2500, 5), // 2.500 BHD + 0.005 BHD
        priced('7004', 'EUR', 12900, 500), // €129.00 + €5.00
      ],
    });
    expect(res.statusCode).toBe(200);
    const page = async (n: string) => {
      const id = (await call(t, 'GET', `/api/v1/commerce/orders?number=${n}`, ws.agent.headers)).json()
        .items[0].id;
      const r = await call(
        t,
        'GET',
        `/help/${ws.slug}/track-link/${signTrackingToken(keyRing(t.config), ws.workspaceId, id)}`,
      );
      expect(r.statusCode).toBe(200);
      return r.body;
    };
    const yen = await page('7001');
    expect(yen).toContain('¥15,000');
    expect(yen).toContain('¥15,800');
    expect(yen).not.toContain('¥150');
    const kwd = await page('7002');
    expect(kwd).toMatch(/KWD\s12\.345/);
    expect(kwd).toMatch(/KWD\s13\.845/);
    const bhd = await page('7003');
    expect(bhd).toMatch(/BHD\s2\.505/);
    const eur = await page('7004');
    expect(eur).toContain('€129.00');
    expect(eur).toContain('€134.00');
  });

  it('opens a signed link from an e-mail, and refuses forged or other shops’ links', async () => {
    const token = signTrackingToken(keyRing(t.config), ws.workspaceId, orderId);
    const ok = await call(t, 'GET', `/help/${ws.slug}/track-link/${token}`);
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('JD0042');
    const forged = await call(
      t,
      'GET',
      `/help/${ws.slug}/track-link/${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`,
    );
    expect(forged.statusCode).toBe(404);
    expect(forged.body).not.toContain('JD0042');
    const other = await t.workspace('Another Shop');
    const elsewhere = await call(t, 'GET', `/help/${other.slug}/track-link/${token}`);
    expect(elsewhere.statusCode).toBe(404);
    const expired = signTrackingToken(
      keyRing(t.config),
      ws.workspaceId,
      orderId,
      1,
      Date.now() - 3 * 86400_000,
    );
    expect((await call(t, 'GET', `/help/${ws.slug}/track-link/${expired}`)).statusCode).toBe(404);
  });
});

describe('order tracking behind no trusted proxy (the default)', () => {
  let d: TestApp;
  let slug: string;
  beforeAll(async () => {
    d = await startTestApp();
    slug = (await d.workspace('Default Proxy Shop')).slug;
  });
  afterAll(() => d?.stop());

  it('does not let a forged X-Forwarded-For escape the per-address limit', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) {
      const r = await d.app.inject({
        method: 'POST',
        url: `/help/${slug}/en/track`,
        payload: new URLSearchParams({ number: String(5000 + i), email: 'x@example.com' }).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          // A new made-up client address on every attempt.
          'x-forwarded-for': `203.0.113.${i + 1}`,
        },
      });
      codes.push(r.statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 404)).toBe(true);
    expect(codes[10]).toBe(429);
  });
});

describe('self-service signals', () => {
  const stats = async (id: number) =>
    (await call(t, 'GET', `/api/v1/helpcenter/articles/${id}/stats`, ws.agent.headers)).json();
  const formSearches = async (key: string) =>
    (
      await t.db.query<{ query: string }>(
        sql`SELECT query FROM hc_search_queries WHERE workspace_id = ${ws.workspaceId} AND form_key = ${key}`,
      )
    ).map((r) => r.query);

  it('records one search per contact form — its latest subject — however often the shopper pauses', async () => {
    const key = 'live-form-key-000000000001';
    const pay = ids.get('payment-methods')!;
    const suggestedBefore = (await stats(pay)).suggested;
    const live = (q: string, formKey = key) =>
      call(
        t,
        'GET',
        `/help/${ws.slug}/en/contact/suggestions?q=${encodeURIComponent(q)}${formKey ? `&formKey=${formKey}` : ''}`,
      );
    // The live script asks at every pause while the subject is typed.
    for (const q of ['wibble wobble', 'can I pay', 'can I pay with klarna']) await live(q);
    expect((await live('can I pay with klarna')).body).toContain('Which payment methods do you accept?');
    expect(await formSearches(key)).toEqual(['can I pay with klarna']);
    const gaps = (await call(t, 'GET', '/api/v1/helpcenter/no-result-queries', ws.agent.headers)).json();
    expect(gaps.items.map((i: { query: string }) => i.query)).not.toContain('wibble wobble');
    expect((await stats(pay)).suggested).toBe(suggestedBefore + 1);

    // Sending the form: its search ends on the subject as sent.
    const sent = await post(
      `/help/${ws.slug}/en/contact`,
      multipart({
        formKey: key,
        email: 'ida@example.com',
        topic: 'Payment',
        subject: 'Can I pay with Klarna in Austria?',
        message: 'Is Klarna available for orders to Austria?',
      }),
      { 'x-forwarded-for': '198.51.100.60' },
    );
    expect(sent.statusCode).toBe(303);
    expect(await formSearches(key)).toEqual(['Can I pay with Klarna in Austria?']);

    // Without a form key (not our page's script) nothing is recorded at all.
    const count = async () =>
      (
        await t.db.query<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM hc_search_queries WHERE workspace_id = ${ws.workspaceId}`,
        )
      )[0]!.n;
    const n = await count();
    await live('can I pay with paypal', '');
    expect(await count()).toBe(n);
  });

  it('counts chat and e-mail tickets from an address the reading visitor gave us', async () => {
    const art = ids.get('sizing-guide')!;
    expect((await stats(art)).ticketsAfterView).toBe(0);
    const view = await call(t, 'GET', `/help/${ws.slug}/en/articles/${art}-sizing-guide`);
    const visitor = view.cookies.find((c) => c.name === 'sd_hc_vid')!.value;
    // The same visitor proves an order is theirs on the tracking page: now we know their address.
    const tracked = await form(
      `/help/${ws.slug}/en/track`,
      { number: '2077', email: 'bob@example.com' },
      { cookie: `sd_hc_vid=${visitor}`, 'x-forwarded-for': '198.51.100.77' },
    );
    expect(tracked.body).toContain('Rain Jacket');
    const tickets = t.services.tickets;
    // Someone the portal never heard of: not counted.
    const carol = await tickets.receive(ws.workspaceId, {
      channel: 'email',
      contact: { email: 'carol@example.com' },
      subject: 'Sizes',
      bodyText: 'Do the trail runners run small?',
    });
    await tickets.receive(ws.workspaceId, {
      channel: 'email',
      contact: { email: 'Bob@Example.com' },
      subject: 'Which size?',
      bodyText: 'Do the trail runners run small?',
    });
    await expect.poll(async () => (await stats(art)).ticketsAfterView, { timeout: 20_000 }).toBe(1);
    await tickets.receive(ws.workspaceId, {
      channel: 'chat',
      contact: { email: 'bob@example.com' },
      subject: 'Chat',
      bodyText: 'Still unsure about the size',
    });
    await expect.poll(async () => (await stats(art)).ticketsAfterView, { timeout: 20_000 }).toBe(2);
    const carolRows = await t.db.query(
      sql`SELECT 1 FROM hc_deflections WHERE workspace_id = ${ws.workspaceId} AND ticket_id = ${carol.ticketId}`,
    );
    expect(carolRows).toHaveLength(0);
  });
});
