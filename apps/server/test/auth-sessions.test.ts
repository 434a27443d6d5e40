import * as argon2 from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { totpCode } from '../src/platform/security/totp.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// The argon2 verifier is wrapped in a spy so the tests can see that every sign-in does the password
// work, whether or not the email exists (the timing itself is not measured).
vi.mock('@node-rs/argon2', async (original) => {
  const real = await original<typeof import('@node-rs/argon2')>();
  return { ...real, verify: vi.fn(real.verify) };
});

let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp({ LOGIN_ATTEMPTS_PER_15_MIN: '50' });
  ws = await t.workspace('Sessions Shop');
});
afterAll(() => t?.stop());

const call = (o: { method: string; url: string; cookie?: string; csrf?: string; payload?: unknown }) =>
  t.app.inject({
    method: o.method as 'GET',
    url: o.url,
    headers: o.csrf ? { 'x-csrf-token': o.csrf } : {},
    cookies: o.cookie ? { sd_session: o.cookie } : {},
    payload: o.payload as object,
  });
const me = async (cookie: string) =>
  (await call({ method: 'GET', url: '/api/v1/auth/me', cookie })).statusCode;

describe('TOTP codes are used once', () => {
  it('refuses a code that already opened a session, inside its window, also when raced', async () => {
    const actor = ws.lead;
    const s = await t.login(actor);
    const enrol = (await call({ method: 'POST', url: '/api/v1/auth/totp/enrol', ...s })).json();
    const now = Date.now();
    const confirm = await call({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      ...s,
      payload: { code: totpCode(enrol.secret, now) },
    });
    expect(confirm.statusCode).toBe(200);

    const partial = async () => {
      const r = await call({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: actor.email, password: actor.password },
      });
      return { cookie: r.cookies.find((c) => c.name === 'sd_session')!.value, csrf: r.json().csrfToken };
    };
    const verify = (p: { cookie: string; csrf: string }, code: string) =>
      call({ method: 'POST', url: '/api/v1/auth/totp/verify', ...p, payload: { code } });

    // The enrolment code is used up.
    expect((await verify(await partial(), totpCode(enrol.secret, now))).statusCode).toBe(401);

    // The next step's code works once; two sign-ins racing with it: exactly one passes.
    const code = totpCode(enrol.secret, now + 30_000);
    const [a, b] = await Promise.all([partial(), partial()]);
    const results = await Promise.all([verify(a, code), verify(b, code)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([204, 401]);
    // Replayed later, still refused; the session that was refused stays at the second-factor step.
    const c = await partial();
    expect((await verify(c, code)).statusCode).toBe(401);
    expect((await call({ method: 'GET', url: '/api/v1/auth/me', cookie: c.cookie })).json().mfaPending).toBe(
      true,
    );
  });
});

describe('sign-in timing does not tell which emails exist', () => {
  it('checks a password hash for an unknown email as for a known one', async () => {
    const verifySpy = vi.mocked(argon2.verify);
    const login = (email: string) =>
      call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'not-the-password' } });

    verifySpy.mockClear();
    expect((await login(ws.agent.email)).statusCode).toBe(401);
    expect(verifySpy).toHaveBeenCalledTimes(1);
    const realHash = String(verifySpy.mock.calls[0]![0]);

    verifySpy.mockClear();
    expect((await login('nobody-here@sessions.test')).statusCode).toBe(401);
    expect(verifySpy).toHaveBeenCalledTimes(1);
    // A dummy argon2id hash with the same cost parameters as the real one.
    const dummyHash = String(verifySpy.mock.calls[0]![0]);
    expect(dummyHash).not.toBe(realHash);
    expect(dummyHash.split('$').slice(0, 4)).toEqual(realHash.split('$').slice(0, 4));
  });
});

describe('changing the password ends the other sessions', () => {
  it('keeps the session that changed it and the API tokens; ends the rest', async () => {
    const email = 'changer@sessions.test';
    const password = 'first-password-123';
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/agents',
      headers: ws.admin.headers,
      payload: { email, name: 'Changer', password },
    });
    expect(created.statusCode).toBe(201);
    const here = await t.login({ email, password });
    const laptop = await t.login({ email, password });
    const token = (
      await call({ method: 'POST', url: '/api/v1/tokens', ...here, payload: { name: 'ci' } })
    ).json().token;

    const change = await call({
      method: 'POST',
      url: '/api/v1/auth/password',
      ...here,
      payload: { current: password, next: 'second-password-456' },
    });
    expect(change.statusCode).toBe(204);
    expect(await me(here.cookie)).toBe(200);
    expect(await me(laptop.cookie)).toBe(401);
    const viaToken = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(viaToken.statusCode).toBe(200);
    await expect(t.login({ email, password })).rejects.toThrow(/401/);
    expect(await me((await t.login({ email, password: 'second-password-456' })).cookie)).toBe(200);
  });

  it('deactivating an agent ends their sessions and API tokens', async () => {
    const email = 'leaver@sessions.test';
    const password = 'leaver-password-1';
    const id = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/agents',
        headers: ws.admin.headers,
        payload: { email, name: 'Leaver', password },
      })
    ).json().id;
    const s = await t.login({ email, password });
    const token = (await call({ method: 'POST', url: '/api/v1/tokens', ...s, payload: { name: 'x' } })).json()
      .token;
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${id}`,
      headers: ws.admin.headers,
      payload: { active: false },
    });
    expect(await me(s.cookie)).toBe(401);
    const viaToken = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(viaToken.statusCode).toBe(401);
  });
});
