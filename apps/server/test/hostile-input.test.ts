import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Bad input is refused at the boundary with a 4xx and a clear message; it never reaches PostgreSQL
// (which cannot store U+0000 and refuses lone surrogates in jsonb) and never becomes a 500.
let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Hostile Shop');
});
afterAll(() => t?.stop());

const json = (method: string, url: string, payload: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: method as 'POST',
    url,
    headers: { ...ws.agent.headers, 'content-type': 'application/json', ...headers },
    payload,
  });
const ticketCount = async () =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/tickets?limit=200', headers: ws.agent.headers })).json()
    .items.length as number;

describe('NUL characters and lone surrogates', () => {
  it('refuses a NUL in a JSON body, query or path with a 400 that names it, and stores nothing', async () => {
    const before = await ticketCount();
    const body = await json(
      'POST',
      '/api/v1/tickets',
      JSON.stringify(ticketBody({ subject: 'Where\u0000 is it' })),
    );
    expect(body.statusCode).toBe(400);
    expect(body.json().error).toMatchObject({ code: 'validation_failed' });
    expect(body.json().error.message).toContain('NUL');
    expect(body.json().error.details[0].path).toBe('body.subject');

    const nested = await json(
      'POST',
      '/api/v1/tickets',
      JSON.stringify(ticketBody({ contact: { email: 'a@example.com', name: 'Sam\u0000' } })),
    );
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error.details[0].path).toBe('body.contact.name');

    const query = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets?tag=x%00y',
      headers: ws.agent.headers,
    });
    expect(query.statusCode).toBe(400);
    expect(query.json().error.message).toContain('NUL');
    const search = await t.app.inject({
      method: 'GET',
      url: '/api/v1/search?q=%00',
      headers: ws.agent.headers,
    });
    expect(search.statusCode).toBe(400);
    expect(await ticketCount()).toBe(before);
  });

  it('refuses a NUL in a public form post and in the shopper pages’ query', async () => {
    const contact = await t.app.inject({
      method: 'POST',
      url: `/help/${ws.slug}/en/contact`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=a%40example.com&subject=Hi&message=broken%00text',
    });
    expect(contact.statusCode).toBe(400);
    expect(contact.body).toContain('NUL');
    const search = await t.app.inject({ method: 'GET', url: `/help/${ws.slug}/en/search?q=%00` });
    expect(search.statusCode).toBe(400);
  });

  it('stores lone surrogates as U+FFFD instead of failing in jsonb', async () => {
    const res = await json(
      'POST',
      '/api/v1/tickets',
      // Raw JSON: JSON.stringify would keep the escape too, but this is what a client sends.
      `{"subject":"Broken \\ud800 text","contact":{"email":"lone@example.com"},"message":{"body":"x \\udc00"},"customFields":{"note":"\\ud83d"}}`,
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().subject).toBe('Broken \uFFFD text');
    expect(res.json().customFields).toEqual({ note: '\uFFFD' });
  });

  it('refuses JSON nested absurdly deep instead of recursing through it', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await json(
      'POST',
      '/api/v1/tickets',
      `{"subject":"x","contact":{"email":"d@example.com"},"message":{"body":"x"},"customFields":{"a":${deep}}}`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('nested');
  });
});

describe('numbers, tokens, paths and bodies that used to be 500s', () => {
  it('answers ?team=1e23 and other ids beyond bigint with a 400', async () => {
    for (const q of [
      'team=1e23',
      'assignee=1e23',
      'team=99999999999999999999',
      'assignee=0x10',
      'contact=1e23',
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/tickets?${q}`,
        headers: ws.agent.headers,
      });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
    }
    const ok = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets?team=none&assignee=me',
      headers: ws.agent.headers,
    });
    expect(ok.statusCode).toBe(200);
    const path = await t.app.inject({
      method: 'GET',
      url: '/api/v1/tickets/1e23',
      headers: ws.agent.headers,
    });
    expect(path.statusCode).toBe(400);
  });

  it('refuses an inbox webhook token with an id beyond bigint as unauthorised', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels/email/inbound',
      headers: { authorization: `Bearer sdi_${'9'.repeat(40)}_abcdef`, 'content-type': 'message/rfc822' },
      payload: 'From: a@example.com\r\nSubject: hi\r\n\r\nbody',
    });
    expect(res.statusCode).toBe(401);
  });

  it('redirects a help-center path with spaces, line breaks or non-Latin text to an encoded Location', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/help/${ws.slug}/%C3%BC%20x%0D%0ASet-Cookie:%20a=b`,
    });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/help/${ws.slug}/en/%C3%BC%20x%0D%0ASet-Cookie:%20a=b`);
    expect(res.headers['set-cookie']).toBeUndefined();
    const lang = await t.app.inject({
      method: 'GET',
      url: `/help/${ws.slug}/en/language?to=/help/${ws.slug}/de/%C3%BC`,
    });
    expect(lang.statusCode).toBe(302);
    expect(lang.headers.location).toBe(`/help/${ws.slug}/de/%C3%BC`);
  });

  it('answers a malformed multipart body on the ask page and the contact form with a 400', async () => {
    for (const payload of [
      'no parts at all',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated',
    ]) {
      for (const page of ['ask', 'contact']) {
        const res = await t.app.inject({
          method: 'POST',
          url: `/help/${ws.slug}/en/${page}`,
          headers: { 'content-type': 'multipart/form-data; boundary=x' },
          payload,
        });
        expect(res.statusCode, page).toBe(400);
      }
    }
    const noBoundary = await t.app.inject({
      method: 'POST',
      url: `/help/${ws.slug}/en/ask`,
      headers: { 'content-type': 'multipart/form-data' },
      payload: 'x',
    });
    expect(noBoundary.statusCode).toBe(400);
  });

  it('answers a JSON body on a form page with the page, not a crash', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/help/${ws.slug}/en/contact`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 5, subject: ['x'], message: { a: 1 } }),
    });
    expect(res.statusCode).toBeLessThan(500);
  });
});
