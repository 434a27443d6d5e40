import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings } from '../src/config.ts';

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
