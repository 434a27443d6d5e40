import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKey } from '../src/platform/http/rate-limit.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PUBLIC_PER_MINUTE: '3' });
  ws = await t.workspace('Limits shop');
  await t.app.inject({
    method: 'PATCH',
    url: '/api/v1/helpcenter/settings',
    headers: ws.admin.headers,
    payload: { enabled: true },
  });
});
afterAll(() => t?.stop());

const get = (url: string, remoteAddress: string) => t.app.inject({ method: 'GET', url, remoteAddress });

describe('client keys', () => {
  it('groups IPv6 by /64 and unwraps IPv4-mapped addresses', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:ffff:1:2:3'));
    expect(clientKey('2001:db8:1:2::1')).not.toBe(clientKey('2001:db8:1:3::1'));
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('203.0.113.9')).not.toBe(clientKey('203.0.113.10'));
  });
});

describe('public routes', () => {
  it('answer 429 with Retry-After once a network used its budget; another /64 is not affected', async () => {
    const url = `/api/v1/widget/${ws.slug}/config`;
    const codes = [];
    // Four addresses of one /64: one client that rotates its address inside its own prefix.
    for (let i = 1; i <= 4; i++) codes.push((await get(url, `2001:db8:77:1::${i}`)).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const limited = await get(url, '2001:db8:77:1:ffff::9');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('rate_limited');
    expect((await get(url, '2001:db8:77:2::1')).statusCode).toBe(200);
  });

  it('help-center search is counted per network and answers a 429 page', async () => {
    const url = `/help/${ws.slug}/en/search?q=parcel`;
    const codes = new Set<number>();
    for (let i = 0; i < 61; i++) codes.add((await get(url, '198.51.100.7')).statusCode);
    expect([...codes]).toEqual([200, 429]);
    const page = await get(url, '198.51.100.7');
    expect(page.statusCode).toBe(429);
    expect(page.headers['content-type']).toContain('text/html');
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(url, '198.51.100.8')).statusCode).toBe(200);
  });

  it('the widget socket is refused before the upgrade once a network opened too many', async () => {
    const url = `/api/v1/widget/${ws.slug}/socket`;
    let last = 0;
    for (let i = 0; i < 301; i++) last = (await get(url, '192.0.2.50')).statusCode;
    expect(last).toBe(429);
    expect((await get(url, '192.0.2.51')).statusCode).not.toBe(429);
  });
});
