import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reencryptStoredSecrets } from '../src/admin/rotate-secret.ts';
import { loadConfig } from '../src/config.ts';
import { signTrackingToken, verifyTrackingToken } from '../src/modules/helpcenter/index.ts';
import { openDb, sql } from '../src/platform/db/db.ts';
import { createKeyRing, keyIdOf, keyRing } from '../src/platform/security/keys.ts';
import { totpCode } from '../src/platform/security/totp.ts';
import { freshDatabaseUrl, startTestApp } from './harness.ts';

const K1 = 'first-master-key-first-master-key-0001';
const K2 = 'second-master-key-second-master-key-002';
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function place() {
  const dir = mkdtempSync(join(tmpdir(), 'shopdesk-rotate-'));
  const fresh = await freshDatabaseUrl();
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), fresh.drop);
  return { dir, url: fresh.url };
}

describe('rotating the master key (several nodes: SECRET_KEY + SECRET_KEYS_PREVIOUS)', {
  timeout: 180_000,
}, () => {
  it('re-encrypts stored credentials under the new key; the old key can then be dropped', async () => {
    const { dir, url } = await place();
    const opts = url ? { databaseUrl: url } : { dataDir: dir };
    const t1 = await startTestApp({ SECRET_KEY: K1 }, opts);
    const ws = await t1.workspace('Rotate Shop');
    const s = await t1.login(ws.admin);
    const h = { cookie: `sd_session=${s.cookie}`, 'x-csrf-token': s.csrf };
    const enrol = (
      await t1.app.inject({ method: 'POST', url: '/api/v1/auth/totp/enrol', headers: h })
    ).json();
    await t1.app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      headers: h,
      payload: { code: totpCode(enrol.secret) },
    });
    const endpoint = (
      await t1.app.inject({
        method: 'POST',
        url: '/api/v1/automations/webhook-endpoints',
        headers: ws.lead.headers,
        payload: { url: 'http://93.184.215.14/hook' },
      })
    ).json();
    const link = signTrackingToken(keyRing(t1.config), ws.workspaceId, 42);
    await t1.stop();

    // Every node now runs with SECRET_KEY=K2 and SECRET_KEYS_PREVIOUS=K1; then rotate-secret re-encrypts.
    const during = loadConfig({ SHOPDESK_DATA_DIR: dir, SECRET_KEY: K2, SECRET_KEYS_PREVIOUS: K1 });
    expect(during.previousSecretKeys).toEqual([K1]);
    const db = await openDb({ databaseUrl: url, dataDir: dir });
    const report = await reencryptStoredSecrets(db, keyRing(during));
    expect(report.rewritten['agents.totp_secret']).toBe(1);
    expect(report.rewritten['automation_webhook_endpoints.secret_enc']).toBe(1);
    const stored = await db.query<{ v: string }>(sql`
      SELECT totp_secret AS v FROM agents WHERE totp_secret IS NOT NULL
      UNION ALL SELECT secret_enc FROM automation_webhook_endpoints`);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    for (const r of stored) expect(r.v.startsWith(`v2.${keyIdOf(K2)}.`)).toBe(true);
    // Run again: nothing left to do.
    const again = await reencryptStoredSecrets(db, keyRing(during));
    expect(Object.values(again.rewritten).every((n) => n === 0)).toBe(true);
    await db.close();
    // Links signed before the rotation open while K1 is in the ring, and not after it is dropped.
    expect(verifyTrackingToken(keyRing(during), link)).toMatchObject({ orderId: 42 });
    expect(verifyTrackingToken(createKeyRing(K2), link)).toBeNull();

    // K1 dropped: the credentials still decrypt — sign-in with the second factor works, webhooks sign.
    const t2 = await startTestApp({ SECRET_KEY: K2 }, opts);
    cleanups.push(() => t2.stop());
    const login = await t2.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ws.admin.email, password: ws.admin.password },
    });
    const verify = await t2.app.inject({
      method: 'POST',
      url: '/api/v1/auth/totp/verify',
      cookies: { sd_session: login.cookies.find((c) => c.name === 'sd_session')!.value },
      headers: { 'x-csrf-token': login.json().csrfToken },
      payload: { code: totpCode(enrol.secret, Date.now() + 30_000) },
    });
    expect(verify.statusCode).toBe(204);
    const row = (await t2.db.one<{ secret_enc: string }>(
      sql`SELECT secret_enc FROM automation_webhook_endpoints WHERE id = ${endpoint.id}`,
    ))!;
    expect(keyRing(t2.config).decrypt(row.secret_enc)).toBe(endpoint.secret);
  });
});

function run(env: Record<string, string>, args: string[]) {
  const bin = new URL('../bin/shopdesk.js', import.meta.url).pathname;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('npx shopdesk rotate-secret (key in the data dir)', { timeout: 240_000 }, () => {
  it('installs a new key, keeps the old one to verify, re-encrypts, and drops it on request', async () => {
    const { dir, url } = await place();
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      SHOPDESK_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      ...(url ? { DATABASE_URL: url } : {}),
    };
    delete env.SHOPDESK_TEST_DB;
    delete env.SECRET_KEY;
    const admin = await run(env, [
      'create-admin',
      '--email',
      'rot@cli.test',
      '--password',
      'long-password-1',
    ]);
    expect(admin.code, admin.stderr).toBe(0);
    const k1 = readFileSync(join(dir, 'secret.key'), 'utf8').trim();
    let db = await openDb({ databaseUrl: url, dataDir: dir });
    await db.query(
      sql`UPDATE agents SET totp_secret = ${createKeyRing(k1).encrypt('JBSWY3DPEHPK3PXP')} WHERE email = 'rot@cli.test'`,
    );
    await db.close();

    const rotated = await run(env, ['rotate-secret']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const k2 = readFileSync(join(dir, 'secret.key'), 'utf8').trim();
    expect(k2).not.toBe(k1);
    expect(readFileSync(join(dir, 'secret.key.previous'), 'utf8').trim()).toBe(k1);
    expect(rotated.stdout).toContain(`New master key ${keyIdOf(k2)}`);
    expect(rotated.stdout).toMatch(/Re-encrypted 1 stored credential/);
    db = await openDb({ databaseUrl: url, dataDir: dir });
    const stored = (await db.one<{ v: string }>(
      sql`SELECT totp_secret AS v FROM agents WHERE email = 'rot@cli.test'`,
    ))!;
    await db.close();
    expect(stored.v.startsWith(`v2.${keyIdOf(k2)}.`)).toBe(true);
    expect(createKeyRing(k2).decrypt(stored.v)).toBe('JBSWY3DPEHPK3PXP');

    const dropped = await run(env, ['rotate-secret', '--drop-previous']);
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain('Dropped 1 previous key');
    expect(readFileSync(join(dir, 'secret.key.previous'), 'utf8').trim()).toBe('');
  });
});
