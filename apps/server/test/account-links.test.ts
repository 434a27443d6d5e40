import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { createInbox, get, settle, startRelay } from './email-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// Invitations and password resets: single-use, expiring links mailed through the shop's relay; the
// token is a credential, so no copy of the mail's body stays in the sent-mail log.
let relay: Awaited<ReturnType<typeof startRelay>>;
let t: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
let bare: TestWorkspace;

beforeAll(async () => {
  relay = await startRelay();
  t = await startTestApp({
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
    EMAIL_SMTP_ENABLED: 'false',
    LOGIN_ATTEMPTS_PER_15_MIN: '100',
  });
  ws = await t.workspace('Invite Shop');
  other = await t.workspace('Other Shop');
  bare = await t.workspace('No Relay Shop');
  await createInbox(t, ws, {
    name: 'Support',
    address: 'support@invite-shop.test',
    autoAck: { enabled: false },
    smtp: { host: '127.0.0.1', port: relay.port, secure: false, user: null },
  });
  // No relay: mail stays in the dev mailbox.
  await createInbox(t, bare, {
    name: 'Support',
    address: 'support@bare-shop.test',
    autoAck: { enabled: false },
  });
});
afterAll(async () => {
  await t?.stop();
  await relay?.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, headers, payload: payload as object });
const tokenOf = (url: string) => url.slice(url.indexOf('#') + 1);
const mailTo = (email: string) => relay.received.filter((m) => m.rcptTo.includes(email));
const linkIn = (text: string) => /https?:\/\/\S+#([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? null;

async function newAgent(w: TestWorkspace, email: string, name = 'New Colleague') {
  const res = await post('/api/v1/agents', { email, name, role: 'agent' }, w.admin.headers);
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; invitePending: boolean };
}

describe('invitations', () => {
  it('mails a single-use link that sets the password and signs the agent in', async () => {
    const a = await newAgent(ws, 'nina@invite-shop.test', 'Nina');
    expect(a.invitePending).toBe(true);
    const inv = await post(`/api/v1/agents/${a.id}/invite`, {}, ws.admin.headers);
    expect(inv.statusCode).toBe(200);
    expect(inv.json()).toMatchObject({ mailed: true, mailError: null });
    const url: string = inv.json().url;
    expect(url).toMatch(/\/accept-invite#/);

    // The mail went through the shop's relay and holds the same link.
    const mails = mailTo('nina@invite-shop.test');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.subject).toContain('Invite Shop');
    expect(linkIn(mails[0]!.parsed.text ?? '')).toBe(tokenOf(url));
    // The sent-mail log records who and when, but not the body with the link.
    const log = (await get(t, '/api/v1/email/outbound', ws.admin.headers)).json().items as {
      id: number;
      kind: string;
      to: string[];
    }[];
    const row = log.find((m) => m.to.includes('nina@invite-shop.test'))!;
    expect(row.kind).toBe('account');
    expect((await get(t, `/api/v1/email/outbound/${row.id}`, ws.admin.headers)).status).toBe(404);
    expect((await get(t, `/api/v1/email/outbound/${row.id}/raw`, ws.admin.headers)).status).toBe(404);

    const token = tokenOf(url);
    const info = await post('/api/v1/auth/links/inspect', { token });
    expect(info.json()).toMatchObject({ purpose: 'invite', email: 'nina@invite-shop.test', name: 'Nina' });

    // A too-short password is refused and the link stays usable.
    expect((await post('/api/v1/auth/invite/accept', { token, password: 'short' })).statusCode).toBe(400);
    const ok = await post('/api/v1/auth/invite/accept', { token, password: 'a-long-enough-password' });
    expect(ok.statusCode).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === 'sd_session')!.value;
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies: { sd_session: cookie } });
    expect(me.json().agent.email).toBe('nina@invite-shop.test');
    expect(me.json().agent.invitePending).toBe(false);

    // Used once: the same link now answers 404, and sign-in works with the chosen password.
    expect(
      (await post('/api/v1/auth/invite/accept', { token, password: 'another-password-1' })).statusCode,
    ).toBe(404);
    expect((await post('/api/v1/auth/links/inspect', { token })).statusCode).toBe(404);
    await t.login({ email: 'nina@invite-shop.test', password: 'a-long-enough-password' });
    // Set up: a new invitation is refused (the agent resets from the sign-in page instead).
    expect((await post(`/api/v1/agents/${a.id}/invite`, {}, ws.admin.headers)).statusCode).toBe(409);
  });

  it('only the latest invitation works, and two tabs racing with it: one wins', async () => {
    const a = await newAgent(ws, 'omar@invite-shop.test', 'Omar');
    const first = tokenOf((await post(`/api/v1/agents/${a.id}/invite`, {}, ws.admin.headers)).json().url);
    const second = tokenOf((await post(`/api/v1/agents/${a.id}/invite`, {}, ws.admin.headers)).json().url);
    expect((await post('/api/v1/auth/links/inspect', { token: first })).statusCode).toBe(404);
    const results = await Promise.all([
      post('/api/v1/auth/invite/accept', { token: second, password: 'password-number-one' }),
      post('/api/v1/auth/invite/accept', { token: second, password: 'password-number-two' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 404]);
  });

  it('is for admins of the agent’s own workspace only', async () => {
    const a = await newAgent(ws, 'pia@invite-shop.test', 'Pia');
    for (const h of [ws.lead.headers, ws.agent.headers, ws.readonly.headers])
      expect((await post(`/api/v1/agents/${a.id}/invite`, {}, h)).statusCode).toBe(403);
    expect((await post(`/api/v1/agents/${a.id}/invite`, {}, other.admin.headers)).statusCode).toBe(404);
    expect(mailTo('pia@invite-shop.test')).toHaveLength(0);
  });

  it('dies when it expires or the agent is deactivated', async () => {
    const a = await newAgent(ws, 'quinn@invite-shop.test', 'Quinn');
    const token = tokenOf((await post(`/api/v1/agents/${a.id}/invite`, {}, ws.admin.headers)).json().url);
    await t.db.query(
      sql`UPDATE agent_account_links SET expires_at = now() - interval '1 second' WHERE agent_id = ${a.id}`,
    );
    expect(
      (await post('/api/v1/auth/invite/accept', { token, password: 'late-password-123' })).statusCode,
    ).toBe(404);

    const b = await newAgent(ws, 'ruth@invite-shop.test', 'Ruth');
    const tokenB = tokenOf((await post(`/api/v1/agents/${b.id}/invite`, {}, ws.admin.headers)).json().url);
    const off = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/agents/${b.id}`,
      headers: ws.admin.headers,
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    expect(
      (await post('/api/v1/auth/invite/accept', { token: tokenB, password: 'ruths-password-1' })).statusCode,
    ).toBe(404);
    const row = await t.db.one<{ password_hash: string | null }>(
      sql`SELECT password_hash FROM agents WHERE id = ${b.id}`,
    );
    expect(row?.password_hash).toBeNull();
  });

  it('without a relay the admin is told so and gets the link to hand on; no body is kept', async () => {
    const a = await newAgent(bare, 'sam@bare-shop.test', 'Sam');
    const inv = (await post(`/api/v1/agents/${a.id}/invite`, {}, bare.admin.headers)).json();
    expect(inv.mailed).toBe(false);
    expect(inv.mailError).toMatch(/relay/i);
    const box = (await get(t, '/api/v1/email/dev-mailbox', bare.agent.headers)).json().items as {
      id: number;
      kind: string;
    }[];
    const kept = box.find((m) => m.kind === 'account')!;
    expect((await get(t, `/api/v1/email/outbound/${kept.id}`, bare.agent.headers)).status).toBe(404);
    expect(
      (await post('/api/v1/auth/invite/accept', { token: tokenOf(inv.url), password: 'sams-password-12' }))
        .statusCode,
    ).toBe(200);
  });
});

describe('password reset', () => {
  it('answers the same for unknown addresses, mails known ones, and ends every session', async () => {
    const before = relay.received.length;
    const unknown = await post('/api/v1/auth/password/forgot', { email: 'nobody@invite-shop.test' });
    expect(unknown.statusCode).toBe(202);
    await settle(t);
    expect(relay.received.length).toBe(before);

    const session = await t.login(ws.agent);
    const asked = await post('/api/v1/auth/password/forgot', { email: ws.agent.email.toUpperCase() });
    expect(asked.statusCode).toBe(202);
    await settle(t);
    const mail = mailTo(ws.agent.email).at(-1)!;
    expect(mail.parsed.subject).toBe('Reset your Shopdesk password');
    const token = linkIn(mail.parsed.text ?? '')!;
    expect((await post('/api/v1/auth/links/inspect', { token })).json().purpose).toBe('reset');
    // A reset link does not accept an invitation (purpose-bound).
    expect(
      (await post('/api/v1/auth/invite/accept', { token, password: 'not-this-way-123' })).statusCode,
    ).toBe(404);

    expect(
      (await post('/api/v1/auth/password/reset', { token, password: 'brand-new-password' })).statusCode,
    ).toBe(204);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: { sd_session: session.cookie },
    });
    expect(me.statusCode).toBe(401);
    const oldPw = await post('/api/v1/auth/login', { email: ws.agent.email, password: ws.agent.password });
    expect(oldPw.statusCode).toBe(401);
    await t.login({ email: ws.agent.email, password: 'brand-new-password' });
    expect(
      (await post('/api/v1/auth/password/reset', { token, password: 'again-new-password' })).statusCode,
    ).toBe(404);
  });

  it('sends at most three mails an hour to one address, and a changed password closes an open link', async () => {
    const before = mailTo(ws.lead.email).length;
    for (let i = 0; i < 5; i++) await post('/api/v1/auth/password/forgot', { email: ws.lead.email });
    await settle(t);
    const mails = mailTo(ws.lead.email).slice(before);
    expect(mails).toHaveLength(3);
    // Only the newest link is open (the jobs may have run in any order); a changed password closes it too.
    const open: string[] = [];
    for (const m of mails) {
      const token = linkIn(m.parsed.text ?? '')!;
      if ((await post('/api/v1/auth/links/inspect', { token })).statusCode === 200) open.push(token);
    }
    expect(open).toHaveLength(1);
    const newest = open[0]!;
    const s = await t.login(ws.lead);
    const change = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { 'x-csrf-token': s.csrf },
      cookies: { sd_session: s.cookie },
      payload: { current: ws.lead.password, next: 'lead-changed-password' },
    });
    expect(change.statusCode).toBe(204);
    expect(
      (await post('/api/v1/auth/password/reset', { token: newest, password: 'sneaky-password-12' }))
        .statusCode,
    ).toBe(404);
  });

  it('refuses malformed input with 400 and stores nothing', async () => {
    const count = async () =>
      (await t.db.one<{ n: number }>(sql`SELECT count(*)::int AS n FROM agent_account_links`))!.n;
    const n = await count();
    expect((await post('/api/v1/auth/password/forgot', { email: 'not-an-address' })).statusCode).toBe(400);
    expect(
      (await post('/api/v1/auth/password/reset', { token: 'x', password: 'long-enough-pass' })).statusCode,
    ).toBe(400);
    expect((await post('/api/v1/auth/links/inspect', { token: 'a'.repeat(500) })).statusCode).toBe(400);
    await settle(t);
    expect(await count()).toBe(n);
  });
});
