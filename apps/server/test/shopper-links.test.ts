import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  signShopperLink,
  signTrackingToken,
  verifyShopperLink,
  verifyTrackingToken,
} from '../src/modules/helpcenter/index.ts';
import { escapeHtml } from '../src/platform/html/sanitize.ts';
import { createKeyRing, keyRing } from '../src/platform/security/keys.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import { call } from './helpcenter-helpers.ts';

const K1 = 'k1-0123456789abcdef0123456789abcdef';
const K2 = 'k2-fedcba9876543210fedcba9876543210';

describe('shopper links (format)', () => {
  const keys = createKeyRing(K1);
  const link = { purpose: 'return', workspaceId: 7, subject: { type: 'return', id: 1234 } } as const;

  it('opens for its own purpose only, with its subject, workspace and key id', () => {
    const token = signShopperLink(keys, link);
    expect(token).toMatch(/^return\.return\.7\.ya\.[0-9a-z]+\.[0-9a-f]{36}$/);
    const c = verifyShopperLink(keys, token, 'return');
    expect(c).toMatchObject({ purpose: 'return', workspaceId: 7, subject: { type: 'return', id: 1234 } });
    expect(c!.keyId).toBe(keys.currentId);
    expect(c!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 119 * 86_400_000);
    expect(verifyShopperLink(keys, token, 'survey')).toBeNull();
  });

  it('refuses altered purpose, subject, workspace or expiry', () => {
    const token = signShopperLink(keys, link);
    const parts = token.split('.');
    const alter = (i: number, v: string) => parts.map((p, j) => (j === i ? v : p)).join('.');
    expect(verifyShopperLink(keys, alter(0, 'survey'), 'survey')).toBeNull();
    expect(verifyShopperLink(keys, alter(1, 'order'), 'return')).toBeNull();
    expect(verifyShopperLink(keys, alter(2, '8'), 'return')).toBeNull();
    expect(verifyShopperLink(keys, alter(3, 'yb'), 'return')).toBeNull();
    expect(verifyShopperLink(keys, alter(4, 'zzzzzzz'), 'return')).toBeNull();
    expect(verifyShopperLink(keys, `${token}0`, 'return')).toBeNull();
    expect(verifyShopperLink(keys, 'garbage', 'return')).toBeNull();
  });

  it('expires', () => {
    const token = signShopperLink(keys, { ...link, ttlDays: 1 }, Date.now() - 2 * 86_400_000);
    expect(verifyShopperLink(keys, token, 'return')).toBeNull();
    const explicit = signShopperLink(keys, { ...link, expiresAt: new Date(Date.now() + 60_000) });
    expect(verifyShopperLink(keys, explicit, 'return')).not.toBeNull();
    expect(verifyShopperLink(keys, explicit, 'return', Date.now() + 120_000)).toBeNull();
  });

  it('keeps opening after a key rotation while the old key is in the ring', () => {
    const token = signShopperLink(keys, link);
    expect(verifyShopperLink(createKeyRing(K2, [K1]), token, 'return')).not.toBeNull();
    expect(verifyShopperLink(createKeyRing(K2), token, 'return')).toBeNull();
  });

  it('tracking links are shopper links, and the format before them still opens', () => {
    const token = signTrackingToken(keys, 3, 42);
    expect(token.startsWith('tracking.order.3.')).toBe(true);
    expect(verifyTrackingToken(keys, token)).toEqual({ workspaceId: 3, orderId: 42 });
    // A return link for subject 42 is not a tracking link.
    expect(
      verifyTrackingToken(keys, signShopperLink(keys, { ...link, subject: { type: 'order', id: 42 } })),
    ).toBeNull();
    // `ws.order.exp.<key id + 32 hex>`: the links mailed before this format.
    const exp = (Math.floor(Date.now() / 1000) + 86400).toString(36);
    const payload = `3.${(42).toString(36)}.${exp}`;
    const old = `${payload}.${keys.sign('shopper-links', payload, 32)}`;
    expect(verifyTrackingToken(keys, old)).toEqual({ workspaceId: 3, orderId: 42 });
  });
});

describe('shopper link pages (/l/<token>)', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  beforeAll(async () => {
    // A purpose no module serves: the feedback module already registers 'survey'.
    t = await startTestApp();
    ws = await t.workspace('Link Shop');
    t.services.shopperLinks.registerPage({
      purpose: 'test-page',
      async render(i) {
        if (i.method === 'POST')
          return {
            title: 'Thanks',
            html: `<p>Got ${escapeHtml(i.fields.score ?? '')} for ${i.claims.subject.id}</p>`,
          };
        return {
          title: 'Survey',
          html: `<form method="post" action="${escapeHtml(i.path)}"><input name="score"></form><p>lang ${i.locale}</p>`,
        };
      },
    });
  });
  afterAll(() => t.stop());

  it('hands a valid link to the page registered for its purpose', async () => {
    const url = await t.services.shopperLinks.url({
      purpose: 'test-page',
      workspaceId: ws.workspaceId,
      subject: { type: 'survey', id: 99 },
    });
    expect(url).toMatch(new RegExp(`/help/${ws.slug}/l/test-page\\.survey\\.`));
    const path = new URL(url).pathname;
    const page = await call(t, 'GET', path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`action="${path}"`);
    const posted = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'score=5',
    });
    expect(posted.statusCode).toBe(200);
    expect(posted.body).toContain('Got 5 for 99');
  });

  it('refuses forged links, other shops’ links and purposes nobody serves', async () => {
    const keys = keyRing(t.config);
    const token = signShopperLink(keys, {
      purpose: 'test-page',
      workspaceId: ws.workspaceId,
      subject: { type: 'survey', id: 1 },
    });
    const forged = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
    expect((await call(t, 'GET', `/help/${ws.slug}/l/${forged}`)).statusCode).toBe(404);
    const other = await t.workspace('Other Link Shop');
    expect((await call(t, 'GET', `/help/${other.slug}/l/${token}`)).statusCode).toBe(404);
    const nobody = signShopperLink(keys, {
      purpose: 'unserved',
      workspaceId: ws.workspaceId,
      subject: { type: 'order', id: 1 },
    });
    const r = await call(t, 'GET', `/help/${ws.slug}/l/${nobody}`);
    expect(r.statusCode).toBe(404);
    expect(r.body).toContain('invalid or has expired');
  });
});
