import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTo, settle, startRelay } from '../apps/server/test/email-helpers.ts';
import {
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestActor,
  type TestApp,
  type TestWorkspace,
} from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, signIn as signInAt } from './support.ts';

describe('email channel in the dashboard, in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  const contexts: BrowserContext[] = [];

  const api = async (actor: TestActor, url: string) => {
    const res = await fetch(base + url, { headers: actor.headers });
    if (!res.ok) throw new Error(`GET ${url} → ${res.status} ${await res.text()}`);
    return res.json();
  };
  const signIn = async (actor: TestActor): Promise<Page> => {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await signInAt(page, base, actor);
    return page;
  };

  beforeAll(async () => {
    const dashboardDir = builtDashboard();
    t = await startTestApp({
      OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
      DASHBOARD_DIR: dashboardDir,
      EMAIL_SMTP_PORT: '0',
      EMAIL_SMTP_HOST: '127.0.0.1',
    });
    base = await listen(t);
    ws = await t.workspace('Mail Journey');
    relay = await startRelay();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.stop();
    await relay?.close();
  });

  it('admin creates an inbox: a bad address is refused on its field, then it saves; passwords stay write-only', async () => {
    const page = await signIn(ws.admin);
    await page.goto(`${base}/settings/email`);
    await page.getByRole('heading', { name: 'Email inboxes' }).waitFor();
    await page.getByText('No email inbox yet.').waitFor();
    await page.getByRole('button', { name: 'New inbox' }).click();

    const form = page.getByRole('form', { name: 'New inbox' });
    await form.getByLabel('Name', { exact: true }).fill('Support');
    const address = form.getByLabel('Support address');
    await address.fill('support at journey-shop');
    await form.getByLabel('Signature under every reply').fill('The Journey Shop team');
    await form.getByLabel('Message (empty uses the built-in text)').fill('Hi {{contact.name}}, thanks! ');
    await form.getByRole('button', { name: '{{ticket.id}}' }).click();
    // The template preview fills sample values as the admin types.
    await form.getByRole('region', { name: 'Preview' }).getByText('Hi Ada Lovelace, thanks! 1234').waitFor();
    await form.getByRole('button', { name: 'Create inbox' }).click();

    // The server's validation message appears under the address field, and nothing was created.
    await form.locator('#inbox-new-address-error').getByText('must be an email address').waitFor();
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect((await api(ws.admin, '/api/v1/email/inboxes')).items).toHaveLength(0);

    await address.fill('support@journey-shop.test');
    await form.getByRole('button', { name: 'Create inbox' }).click();
    const secret = page.getByTestId('webhook-secret');
    await secret.waitFor();
    expect(await secret.textContent()).toMatch(/sdi_\d+_/);
    const card = page.getByRole('region', { name: 'Inbox support@journey-shop.test' });
    await card.getByText('the local dev mailbox (no relay configured)').waitFor();
    await card.getByText(/\/api\/v1\/channels\/email\/inbound$/).waitFor();

    const [inbox] = (await api(ws.admin, '/api/v1/email/inboxes')).items;
    expect(inbox).toMatchObject({
      address: 'support@journey-shop.test',
      signature: 'The Journey Shop team',
      autoAck: { enabled: true, body: 'Hi {{contact.name}}, thanks! {{ticket.id}}' },
      outbound: 'dev-mailbox',
    });

    // An SMTP relay password is sent once and never shown again, not even to the admin's browser.
    await card.getByRole('button', { name: 'Edit' }).click();
    let edit = page.getByRole('form', { name: 'Edit inbox support@journey-shop.test' });
    await edit.getByLabel('Send replies through this SMTP relay').check();
    await edit.getByLabel('SMTP host').fill('smtp.journey-shop.test');
    await edit.getByLabel('SMTP port').fill('587');
    await edit.getByLabel('SMTP user').fill('relay-user');
    await edit.getByLabel('SMTP password').fill('relay-pass-9876');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByText('support@journey-shop.test saved').waitFor();
    await card.getByText("this inbox's SMTP relay — smtp.journey-shop.test:587").waitFor();
    const withRelay = await fetch(`${base}/api/v1/email/inboxes`, { headers: ws.admin.headers });
    const text = await withRelay.text();
    expect(text).not.toContain('relay-pass-9876');
    expect(JSON.parse(text).items[0].smtp).toMatchObject({ user: 'relay-user', hasPassword: true });

    await card.getByRole('button', { name: 'Edit' }).click();
    edit = page.getByRole('form', { name: 'Edit inbox support@journey-shop.test' });
    const pass = edit.getByLabel('SMTP password');
    expect(await pass.inputValue()).toBe('');
    expect(await pass.getAttribute('placeholder')).toContain('stored');
    // Certificates are verified unless the admin opts out, which the form and the card call unsafe.
    const accept = edit.getByLabel('Accept self-signed / invalid certificates');
    expect(await accept.isChecked()).toBe(false);
    await edit.getByText(/Unsafe: with this on/).waitFor();
    await accept.check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await card.getByText(/not verified — self-signed and invalid certificates are accepted/).waitFor();
    const optedIn = await fetch(`${base}/api/v1/email/inboxes`, { headers: ws.admin.headers });
    expect((await optedIn.json()).items[0].acceptInvalidCertificates).toBe(true);

    // Back to verified certificates and the dev mailbox for the reply journey below.
    await card.getByRole('button', { name: 'Edit' }).click();
    edit = page.getByRole('form', { name: 'Edit inbox support@journey-shop.test' });
    expect(await edit.getByLabel('Accept self-signed / invalid certificates').isChecked()).toBe(true);
    await edit.getByLabel('Accept self-signed / invalid certificates').uncheck();
    await edit.getByLabel('Send replies through this SMTP relay').uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await card.getByText('the local dev mailbox (no relay configured)').waitFor();
    expect(await card.getByText(/not verified/).count()).toBe(0);
  });

  it('agent replies to an email ticket, sees it sent live, reads it in the dev mailbox, downloads the original', async () => {
    await sendTo(t.email.smtpPort!, {
      from: '"Ada Lovelace" <ada@customer.test>',
      to: 'support@journey-shop.test',
      subject: 'Parcel never arrived',
      text: 'Hello, my parcel never arrived. Order #7781.',
      messageId: '<parcel-7781@customer.test>',
      attachments: [{ filename: 'receipt.txt', content: 'Receipt for order 7781' }],
    });
    await settle(t);
    const tickets = (await api(ws.agent, '/api/v1/tickets?limit=10')).items as {
      id: number;
      subject: string;
    }[];
    const ticketId = tickets.find((x) => x.subject === 'Parcel never arrived')!.id;

    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticketId}`);
    await page.getByRole('heading', { name: /Parcel never arrived/ }).waitFor();

    // The original as received: a real .eml download.
    const inbound = page.getByRole('listitem', { name: /Customer message from Ada Lovelace/ });
    const link = inbound.getByRole('link', { name: 'Download original (.eml)' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^message-\d+\.eml$/);
    const eml = readFileSync((await download.path())!, 'latin1');
    expect(eml).toContain('Message-ID: <parcel-7781@customer.test>');
    expect(eml).toContain('Subject: Parcel never arrived');
    expect(eml).toContain('filename=receipt.txt');
    const res = await page.request.get(`${base}${await link.getAttribute('href')}`);
    expect(res.headers()['content-type']).toBe('message/rfc822');
    expect(res.headers()['content-disposition']).toMatch(/^attachment; filename="message-\d+\.eml"$/);
    expect((await res.body()).equals(Buffer.from(eml, 'latin1'))).toBe(true);

    // Reply; the jobs runner is paused in tests, so the reply visibly waits in the queue first.
    await page
      .getByRole('textbox', { name: /Reply to the customer/ })
      .fill('So sorry, Ada — a new parcel is on its way.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const reply = page.getByRole('listitem', { name: /^Reply from/ });
    const status = reply.getByRole('status', { name: 'Email delivery' });
    await status.getByText('Queued for sending').waitFor();

    await settle(t); // the deliver-message job runs; the browser learns of it over the realtime socket
    await status.getByText('Sent', { exact: true }).waitFor();

    await reply.getByRole('link', { name: 'in the dev mailbox' }).click();
    await page.getByRole('heading', { name: 'Dev mailbox' }).waitFor();
    const open = page.getByRole('article', { name: /Email Re: Parcel never arrived/ });
    const headers = open.getByRole('definition');
    await open.getByText('in-reply-to').waitFor();
    const shown = (await headers.allTextContents()).join('\n');
    expect(shown).toContain('<parcel-7781@customer.test>');
    expect(shown).toContain('ada@customer.test');
    await open.frameLocator('iframe').getByText('So sorry, Ada — a new parcel is on its way.').waitFor();
    await open.frameLocator('iframe').getByText('The Journey Shop team').waitFor();
    // The auto-acknowledgement of the new ticket is there too, with the admin's template.
    await page.getByRole('list', { name: 'Sent emails' }).getByText('auto-acknowledgement').first().waitFor();
  });

  it('shows a reply being retried with the relay’s answer, then failed with the reason, as it happens', async () => {
    // A second inbox that sends through its own relay (a test SMTP server we can make refuse).
    const res = await fetch(`${base}/api/v1/email/inboxes`, {
      method: 'POST',
      headers: { ...ws.admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Orders',
        address: 'orders@journey-shop.test',
        autoAck: { enabled: false },
        smtp: { host: '127.0.0.1', port: relay.port, secure: false, user: null },
      }),
    });
    expect(res.status).toBe(201);
    await sendTo(t.email.smtpPort!, {
      from: '"Bo Berg" <bo@customer.test>',
      to: 'orders@journey-shop.test',
      subject: 'Wrong colour delivered',
      text: 'I ordered blue and got green.',
    });
    await settle(t);
    const ticketId = (
      (await api(ws.agent, '/api/v1/tickets?limit=20')).items as { id: number; subject: string }[]
    ).find((x) => x.subject === 'Wrong colour delivered')!.id;

    const page = await signIn(ws.agent);
    await page.goto(`${base}/tickets/${ticketId}`);
    await page.getByRole('heading', { name: /Wrong colour delivered/ }).waitFor();
    await page.getByRole('textbox', { name: /Reply to the customer/ }).fill('A blue one is on its way.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const status = page
      .getByRole('listitem', { name: /^Reply from/ })
      .getByRole('status', { name: 'Email delivery' });
    await status.getByText('Queued for sending').waitFor();

    relay.answerNext({ code: 451, message: '4.3.2 Try again later' });
    await settle(t);
    await status.getByText(/^Retrying: .*4\.3\.2 Try again later/).waitFor();

    // The relay now refuses for good; the retry (after its backoff) marks the reply failed with the reason.
    relay.answerNext({ code: 550, message: '5.1.1 Mailbox bo@customer.test unavailable' });
    await expect
      .poll(
        async () => {
          await settle(t);
          return status.textContent();
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toMatch(/^Failed: .*5\.1\.1 Mailbox bo@customer\.test unavailable/);
    relay.answerNext(null);
    expect(relay.received.filter((m) => m.parsed.subject?.includes('Wrong colour'))).toHaveLength(0);
  });
});
