import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig, refuseUnsafeStart, settings } from '../src/config.ts';
import { startTestApp, type TestApp } from './harness.ts';

describe('configuration', () => {
  it('starts with no settings at all', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.dataDir).toMatch(/data$/);
  });

  it('names every bad value in one clear message', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(
      ConfigError,
    );
    const bad = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(bad).toThrow(/PORT="eighty"/);
    expect(bad).toThrow(/DATABASE_URL="mysql:\/\/x": must start with postgres/);
  });

  it('documents every setting in .env.example', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    for (const key of Object.keys(settings))
      expect(example, `${key} missing from .env.example`).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
  });
});

describe('TRUST_PROXY', () => {
  it('trusts no forwarded address unless the operator names the proxies', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' }).TRUST_PROXY).toBe('127.0.0.1, 10.0.0.0/8');
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY="everyone"/);
  });
});

describe('configuration that refuses mistakes', () => {
  it('refuses to start on PostgreSQL without SECRET_KEY, naming the setting and the fix', async () => {
    const { start } = await import('../src/main.ts');
    const cfg = loadConfig({
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      SHOPDESK_DATA_DIR: '/nonexistent',
    });
    const err = await start(cfg).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(/DATABASE_URL is set but SECRET_KEY is not/);
    expect(String(err)).toMatch(/rotate-secret --new-key/);
    // With a key, the same check passes (the embedded database keeps generating its own key).
    expect(() =>
      refuseUnsafeStart(loadConfig({ DATABASE_URL: 'postgres://x/y', SECRET_KEY: 'k'.repeat(32) })),
    ).not.toThrow();
    expect(() => refuseUnsafeStart(loadConfig({}))).not.toThrow();
  });

  it('refuses COOKIE_SECURE=false with an https PUBLIC_URL and makes cookies Secure for https by default', () => {
    const bad = () => loadConfig({ PUBLIC_URL: 'https://help.shop.test', COOKIE_SECURE: 'false' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /COOKIE_SECURE=false with PUBLIC_URL=https:\/\/help\.shop\.test.*remove COOKIE_SECURE/,
    );
    expect(loadConfig({ PUBLIC_URL: 'https://help.shop.test' }).COOKIE_SECURE).toBe(true);
    expect(loadConfig({ PUBLIC_URL: 'http://desk.internal:3000' }).COOKIE_SECURE).toBe(false);
    expect(loadConfig({}).COOKIE_SECURE).toBe(false);
    expect(loadConfig({ COOKIE_SECURE: 'true' }).COOKIE_SECURE).toBe(true);
  });

  it('seeds the demo by default only on the embedded database', () => {
    expect(loadConfig({}).SEED_DEMO).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y' }).SEED_DEMO).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://x/y', SEED_DEMO: 'true' }).SEED_DEMO).toBe(true);
    expect(loadConfig({ SEED_DEMO: 'false' }).SEED_DEMO).toBe(false);
  });
});

describe('a serving node', { timeout: 60_000 }, () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it('serves /demo/shop only when the demo is seeded', async () => {
    t = await startTestApp({ SEED_DEMO: 'false' });
    // Without the demo the path is not the shop page (the dashboard's page answers unknown paths).
    expect((await t.app.inject({ url: '/demo/shop' })).body).not.toContain('Demo Outfitters — shop');
    await t.stop();
    t = await startTestApp({ SEED_DEMO: 'true' });
    const page = await t.app.inject({ url: '/demo/shop' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Demo Outfitters — shop');
  });

  it('warns once when requests carry X-Forwarded-For and TRUST_PROXY was never set', async () => {
    t = await startTestApp();
    const warn = vi.spyOn(t.app.log, 'warn');
    await t.app.inject({ url: '/api/health' });
    expect(warn).not.toHaveBeenCalled();
    for (let i = 0; i < 3; i++)
      await t.app.inject({ url: '/api/health', headers: { 'x-forwarded-for': '203.0.113.7' } });
    const hits = warn.mock.calls.filter((c) => String(c[1] ?? c[0]).includes('TRUST_PROXY is not set'));
    expect(hits).toHaveLength(1);
    expect(String(hits[0]![1])).toMatch(/set TRUST_PROXY to its address/);
    await t.stop();
    // Named by the operator (even as false): no warning.
    t = await startTestApp({ TRUST_PROXY: 'false' });
    const quiet = vi.spyOn(t.app.log, 'warn');
    await t.app.inject({ url: '/api/health', headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(quiet.mock.calls.filter((c) => String(c[1]).includes('TRUST_PROXY'))).toHaveLength(0);
  });
});
