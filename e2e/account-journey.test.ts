import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../apps/server/src/platform/security/totp.ts';
import { createInbox, startRelay } from '../apps/server/test/email-helpers.ts';
import {
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, screenshotDir } from './support.ts';

// Issue #21's onboarding: an admin invites a colleague, who opens the e-mailed link, chooses a password,
// sets up two-factor sign-in and signs in with it; later a forgotten password is reset from the e-mail.

const wait = { timeout: 15_000 };
const linkIn = (text: string) => /https?:\/\/\S+#[A-Za-z0-9_-]+/.exec(text)?.[0] ?? null;

describe('agent onboarding and password reset in the browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let relay: Awaited<ReturnType<typeof startRelay>>;

  beforeAll(async () => {
    relay = await startRelay();
    t = await startTestApp({
      DASHBOARD_DIR: builtDashboard(),
      OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
      EMAIL_SMTP_ENABLED: 'false',
    });
    base = await listen(t);
    // The links in the mails point at PUBLIC_URL; the test serves on a random port, so they are
    // opened against `base` with the same path and fragment.
    ws = await t.workspace('Onboard Outfitters');
    await createInbox(t, ws, {
      name: 'Support',
      address: 'support@onboard.test',
      autoAck: { enabled: false },
      smtp: { host: '127.0.0.1', port: relay.port, secure: false, user: null },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await relay?.close();
  });

  const newPage = async () =>
    (await browser.newContext({ viewport: { width: 1300, height: 900 } })).newPage();
  const mailFor = async (email: string, subject: RegExp) => {
    await expect
      .poll(async () => {
        await t.jobs.drain();
        return relay.received.some((m) => m.rcptTo.includes(email) && subject.test(m.parsed.subject ?? ''));
      }, wait)
      .toBe(true);
    const m = relay.received.filter((r) => r.rcptTo.includes(email)).at(-1)!;
    const url = new URL(linkIn(m.parsed.text ?? '')!);
    return `${base}${url.pathname}${url.hash}`;
  };

  it('invite → accept → two-factor set-up → sign-in with the second factor; then a reset', async () => {
    const admin = await newPage();
    await admin.goto(`${base}/`);
    await admin.getByLabel('Email').fill(ws.admin.email);
    await admin.getByLabel('Password').fill(ws.admin.password);
    await admin.getByRole('button', { name: 'Sign in', exact: true }).click();
    await admin.getByRole('navigation', { name: 'Views' }).waitFor(wait);
    await admin.goto(`${base}/settings/agents`);
    const form = admin.locator('form', { has: admin.getByRole('heading', { name: 'Invite an agent' }) });
    await form.getByLabel('Name').fill('Tara New');
    await form.getByLabel('Email').fill('tara@onboard.test');
    await form.getByRole('button', { name: 'Invite' }).click();
    const panel = admin.getByRole('region', { name: 'Invitation link' });
    await panel.waitFor(wait);
    expect(await panel.textContent()).toContain('Tara New has been e-mailed an invitation');
    await admin
      .getByRole('row', { name: /Tara New/ })
      .getByText('Invited')
      .waitFor(wait);
    await admin.screenshot({ path: join(screenshotDir(), 'agents-invite.png') });

    // The colleague opens the mail's link in their own browser.
    const tara = await newPage();
    await tara.goto(await mailFor('tara@onboard.test', /invited/));
    await tara.getByRole('heading', { name: 'Welcome to Shopdesk' }).waitFor(wait);
    // The token left the address bar once read.
    expect(tara.url()).not.toContain('#');
    await tara.getByLabel('New password (at least 10 characters)').fill('taras-own-password');
    await tara.getByLabel('The same password again').fill('taras-own-password');
    await tara.getByRole('button', { name: 'Set password and sign in' }).click();
    await tara.getByText('Protect your account now').waitFor(wait);
    await tara.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = (await tara.getByTestId('totp-secret').textContent())!.trim();
    await tara.getByLabel('Code', { exact: true }).fill(totpCode(secret, Date.now()));
    await tara.getByRole('button', { name: 'Confirm' }).click();
    await tara.getByText('Keep these one-time recovery codes').waitFor(wait);
    const recovery = (await tara.locator('pre.codes').textContent())!.split('\n');
    expect(recovery.length).toBe(10);

    // A fresh browser: password, then the authenticator's next code.
    const later = await newPage();
    await later.goto(`${base}/`);
    await later.getByLabel('Email').fill('tara@onboard.test');
    await later.getByLabel('Password').fill('taras-own-password');
    await later.getByRole('button', { name: 'Sign in', exact: true }).click();
    await later.getByRole('heading', { name: 'Two-factor check' }).waitFor(wait);
    await later.getByLabel(/Code from your authenticator app/).fill(totpCode(secret, Date.now() + 30_000));
    await later.getByRole('button', { name: 'Verify' }).click();
    await later.getByRole('navigation', { name: 'Views' }).waitFor(wait);
    // The admin's list no longer shows her as invited.
    await admin.reload();
    await admin.getByRole('row', { name: /Tara New/ }).waitFor(wait);
    expect(
      await admin
        .getByRole('row', { name: /Tara New/ })
        .getByText('Invited')
        .count(),
    ).toBe(0);

    // Forgotten password: asked from the sign-in page, chosen from the mailed link.
    const forgot = await newPage();
    await forgot.goto(`${base}/`);
    await forgot.getByRole('button', { name: 'Forgot your password?' }).click();
    await forgot.getByLabel('Email').fill('tara@onboard.test');
    await forgot.getByRole('button', { name: 'Send the link' }).click();
    await forgot.getByText('a link to choose a new password is on its way').waitFor(wait);
    await forgot.goto(await mailFor('tara@onboard.test', /Reset your Shopdesk password/));
    await forgot.getByRole('heading', { name: 'Choose a new password' }).waitFor(wait);
    await forgot.getByLabel('New password (at least 10 characters)').fill('taras-second-password');
    await forgot.getByLabel('The same password again').fill('taras-second-password');
    await forgot.getByRole('button', { name: 'Change password' }).click();
    await forgot.getByText('Your password has been changed').waitFor(wait);

    // The signed-in browser was signed out by the reset; the new password and 2FA still work.
    const me = await later.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
    expect(me).toBe(401);
    await forgot.getByRole('link', { name: 'Sign in' }).click();
    await forgot.getByLabel('Email').fill('tara@onboard.test');
    await forgot.getByLabel('Password').fill('taras-second-password');
    await forgot.getByRole('button', { name: 'Sign in', exact: true }).click();
    // Its next code would be too early (the one after was just used): a recovery code stands in.
    await forgot.getByLabel(/Code from your authenticator app/).fill(recovery[0]!);
    await forgot.getByRole('button', { name: 'Verify' }).click();
    await forgot.getByRole('navigation', { name: 'Views' }).waitFor(wait);
  });
});
