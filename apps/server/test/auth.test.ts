import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../src/platform/security/totp.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp({ LOGIN_ATTEMPTS_PER_15_MIN: '3' });
  ws = await t.workspace('Auth Shop');
});
afterAll(() => t?.stop());

const inject = (o: {
  method: string;
  url: string;
  cookie?: string;
  csrf?: string;
  headers?: Record<string, string>;
  payload?: unknown;
}) =>
  t.app.inject({
    method: o.method as 'GET',
    url: o.url,
    headers: { ...(o.csrf ? { 'x-csrf-token': o.csrf } : {}), ...o.headers },
    cookies: o.cookie ? { sd_session: o.cookie } : {},
    payload: o.payload as object,
  });

describe('sessions and CSRF', () => {
  it('signs in with a password into an httpOnly SameSite cookie and shows who you are', async () => {
    const res = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ws.agent.email, password: ws.agent.password },
    });
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'sd_session')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const me = await inject({ method: 'GET', url: '/api/v1/auth/me', cookie: cookie.value });
    expect(me.json()).toMatchObject({
      agent: { email: ws.agent.email, role: 'agent' },
      workspace: { slug: ws.slug },
      mfaPending: false,
    });
  });

  it('refuses cookie-authenticated writes without the CSRF token', async () => {
    const s = await t.login(ws.agent);
    const without = await inject({
      method: 'POST',
      url: '/api/v1/tickets',
      cookie: s.cookie,
      payload: ticketBody(),
    });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.code).toBe('csrf_failed');
    const wrong = await inject({
      method: 'POST',
      url: '/api/v1/tickets',
      cookie: s.cookie,
      csrf: 'nope',
      payload: ticketBody(),
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await inject({
      method: 'POST',
      url: '/api/v1/tickets',
      cookie: s.cookie,
      csrf: s.csrf,
      payload: ticketBody(),
    });
    expect(ok.statusCode).toBe(201);
  });

  it('signs out: the old cookie no longer works', async () => {
    const s = await t.login(ws.agent);
    expect(
      (await inject({ method: 'POST', url: '/api/v1/auth/logout', cookie: s.cookie, csrf: s.csrf }))
        .statusCode,
    ).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', cookie: s.cookie })).statusCode).toBe(401);
  });

  it('throttles repeated wrong passwords with 429 and records logins in the audit log', async () => {
    const bad = { email: ws.lead.email, password: 'wrong-password' };
    for (let i = 0; i < 3; i++)
      expect((await inject({ method: 'POST', url: '/api/v1/auth/login', payload: bad })).statusCode).toBe(
        401,
      );
    const limited = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ws.lead.email, password: ws.lead.password },
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    const audit = (
      await inject({ method: 'GET', url: '/api/v1/audit-log', headers: ws.admin.headers })
    ).json().items;
    expect(
      audit.some(
        (e: { action: string; actorAgentId: number }) =>
          e.action === 'auth.login' && e.actorAgentId === ws.agent.agentId,
      ),
    ).toBe(true);
  });

  it('rejects requests without credentials with 401', async () => {
    const res = await inject({ method: 'GET', url: '/api/v1/tickets' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });
});

describe('two-factor authentication', () => {
  it('enrols, then requires the code at sign-in; recovery codes work once', async () => {
    const s = await t.login(ws.admin);
    const enrol = (
      await inject({ method: 'POST', url: '/api/v1/auth/totp/enrol', cookie: s.cookie, csrf: s.csrf })
    ).json();
    expect(enrol.otpauthUrl).toContain('otpauth://totp/');
    const wrong = await inject({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { code: '000000' },
    });
    expect(wrong.statusCode).toBe(400);
    const confirm = await inject({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { code: totpCode(enrol.secret) },
    });
    const { recoveryCodes } = confirm.json();
    expect(recoveryCodes).toHaveLength(10);

    const login = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ws.admin.email, password: ws.admin.password },
    });
    expect(login.json().mfaRequired).toBe(true);
    const partial = login.cookies.find((c) => c.name === 'sd_session')!.value;
    const csrf = login.json().csrfToken;
    // Password alone opens nothing but the second-factor step.
    expect((await inject({ method: 'GET', url: '/api/v1/tickets', cookie: partial })).statusCode).toBe(401);
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', cookie: partial })).json().mfaPending).toBe(
      true,
    );
    expect(
      (
        await inject({
          method: 'POST',
          url: '/api/v1/auth/totp/verify',
          cookie: partial,
          csrf,
          payload: { code: '123456' },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await inject({
          method: 'POST',
          url: '/api/v1/auth/totp/verify',
          cookie: partial,
          csrf,
          // The next step: the enrolment code's step is used up.
          payload: { code: totpCode(enrol.secret, Date.now() + 30_000) },
        })
      ).statusCode,
    ).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/v1/tickets', cookie: partial })).statusCode).toBe(200);

    const login2 = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ws.admin.email, password: ws.admin.password },
    });
    const c2 = login2.cookies.find((c) => c.name === 'sd_session')!.value;
    const v = {
      method: 'POST',
      url: '/api/v1/auth/totp/verify',
      cookie: c2,
      csrf: login2.json().csrfToken,
      payload: { code: recoveryCodes[0] },
    };
    expect((await inject(v)).statusCode).toBe(204);
    const login3 = await inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: ws.admin.email, password: ws.admin.password },
    });
    const c3 = login3.cookies.find((c) => c.name === 'sd_session')!.value;
    expect((await inject({ ...v, cookie: c3, csrf: login3.json().csrfToken })).statusCode).toBe(401);
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, and stop working when revoked', async () => {
    const s = await t.login(ws.agent);
    const created = await inject({
      method: 'POST',
      url: '/api/v1/tokens',
      cookie: s.cookie,
      csrf: s.csrf,
      payload: { name: 'zapier' },
    });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^sdk_/);
    const list = (await inject({ method: 'GET', url: '/api/v1/tokens', cookie: s.cookie })).json().items;
    expect(JSON.stringify(list)).not.toContain(token);
    const bearer = { authorization: `Bearer ${token}` };
    expect((await inject({ method: 'GET', url: '/api/v1/tickets', headers: bearer })).statusCode).toBe(200);
    // Bearer requests need no CSRF token.
    expect(
      (await inject({ method: 'POST', url: '/api/v1/tickets', headers: bearer, payload: ticketBody() }))
        .statusCode,
    ).toBe(201);
    expect(
      (await inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, cookie: s.cookie, csrf: s.csrf }))
        .statusCode,
    ).toBe(204);
    const after = await inject({ method: 'GET', url: '/api/v1/tickets', headers: bearer });
    expect(after.statusCode).toBe(401);
    const audit = (
      await inject({ method: 'GET', url: '/api/v1/audit-log', headers: ws.admin.headers })
    ).json().items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['token.created', 'token.revoked']),
    );
  });

  it('a deactivated agent loses sessions and tokens', async () => {
    const extra = (
      await inject({
        method: 'POST',
        url: '/api/v1/agents',
        headers: ws.admin.headers,
        payload: { email: 'temp@auth.test', name: 'Temp', password: 'temporary-pass' },
      })
    ).json();
    const s = await t.login({ email: 'temp@auth.test', password: 'temporary-pass' });
    await inject({
      method: 'PATCH',
      url: `/api/v1/agents/${extra.id}`,
      headers: ws.admin.headers,
      payload: { active: false },
    });
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', cookie: s.cookie })).statusCode).toBe(401);
  });

  it('rate-limits a runaway client with 429', async () => {
    const tight = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const w = await tight.workspace();
      const codes: number[] = [];
      for (let i = 0; i < 7; i++)
        codes.push(
          (await tight.app.inject({ method: 'GET', url: '/api/v1/tickets', headers: w.agent.headers }))
            .statusCode,
        );
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(codes.slice(5)).toEqual([429, 429]);
    } finally {
      await tight.stop();
    }
  });
});
