import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { authorDemoHelpCenter } from './helpcenter-helpers.ts';

let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Headers shop');
  await authorDemoHelpCenter(t, ws);
});
afterAll(() => t?.stop());

const directives = (csp: unknown) =>
  Object.fromEntries(
    String(csp)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values.join(' ')]),
  );

describe('security headers', () => {
  it('the dashboard gets a strict CSP: scripts only from this origin, never framed', async () => {
    const res = await t.app.inject('/tickets/42');
    expect(res.statusCode).toBe(200);
    const csp = directives(res.headers['content-security-policy']);
    expect(csp['script-src']).toBe("'self'");
    expect(csp['frame-ancestors']).toBe("'none'");
    expect(csp['object-src']).toBe("'none'");
    expect(csp['base-uri']).toBe("'none'");
    expect(csp['upgrade-insecure-requests']).toBeUndefined(); // plain http in development
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    // API answers carry them too.
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: ws.agent.headers });
    expect(api.headers['x-content-type-options']).toBe('nosniff');
  });

  it('HSTS and upgrade-insecure-requests only when the public URL is https', async () => {
    const secure = await startTestApp({ PUBLIC_URL: 'https://desk.example' });
    try {
      const res = await secure.app.inject('/');
      expect(res.headers['strict-transport-security']).toContain('max-age=');
      expect(directives(res.headers['content-security-policy'])).toHaveProperty('upgrade-insecure-requests');
    } finally {
      await secure.stop();
    }
  });

  it('help-center pages keep their own policy: nonce scripts, framable only by themselves, no JS needed', async () => {
    const res = await t.app.inject(`/help/${ws.slug}/en`);
    expect(res.statusCode).toBe(200);
    const csp = directives(res.headers['content-security-policy']);
    expect(csp['script-src']).toMatch(/^'nonce-[A-Za-z0-9+/=]+'$/);
    expect(csp['frame-ancestors']).toBe("'self'");
    expect(csp['form-action']).toBe("'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // Search works as a plain GET form.
    expect(res.body).toMatch(/<form[^>]*action="[^"]*\/search"/);
  });
});
