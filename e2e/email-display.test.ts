import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, dnsStub, settle } from '../apps/server/test/email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from '../apps/server/test/harness.ts';
import { builtDashboard, launchChromium, listen, screenshotDir, signIn } from './support.ts';

/** What an agent sees of an inbound email beyond its body: forwarded messages and damaged parts. */
describe('inbound email details in the ticket, in a real browser', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let base: string;
  let browser: Browser;
  let inbox: { webhookSecret: string };

  beforeAll(async () => {
    t = await startTestApp({ DASHBOARD_DIR: builtDashboard(), EMAIL_SMTP_ENABLED: 'false' });
    base = await listen(t);
    ws = await t.workspace('Display Journey');
    inbox = await createInbox(t, ws, { name: 'Support', address: 'support@display-journey.test' });
    // No DNS records anywhere: nothing can authenticate these senders.
    t.email.service.useDnsResolver(dnsStub({}));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const crlf = (...l: string[]) => l.join('\r\n');
  async function deliver(raw: string): Promise<number> {
    const res = await fetch(`${base}/api/v1/channels/email/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
      body: raw,
    });
    expect(res.status).toBe(202);
    const { inboundEventId } = (await res.json()) as { inboundEventId: number };
    await settle(t);
    const log = await fetch(`${base}/api/v1/email/inbound?limit=50`, { headers: ws.lead.headers });
    const items = ((await log.json()) as { items: { inboundEventId: number; ticketId: number }[] }).items;
    return items.find((x) => x.inboundEventId === inboundEventId)!.ticketId;
  }

  it('shows a message forwarded as an attachment two levels deep, and warns about a damaged part', async () => {
    const inner = crlf(
      'From: "Carrier Desk" <desk@carrier.test>',
      'To: ops@shop-partner.test',
      'Subject: Parcel 123 held at depot',
      'Date: Tue, 2 Dec 2025 09:30:00 +0000',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>The parcel is held at the <b>Leeds depot</b>.</p><script>alert(1)</script>',
      '',
    );
    const middle = crlf(
      'From: "Partner Ops" <ops@shop-partner.test>',
      'To: erin@customer.test',
      'Subject: Fwd: Parcel 123 held at depot',
      'Date: Tue, 2 Dec 2025 10:00:00 +0000',
      'Content-Type: multipart/mixed; boundary="M"',
      '',
      '--M',
      'Content-Type: text/plain',
      '',
      'See what the carrier says.',
      '--M',
      'Content-Type: message/rfc822',
      '',
      inner,
      '--M--',
      '',
    );
    const id = await deliver(
      crlf(
        'From: Erin <erin@customer.test>',
        'To: support@display-journey.test',
        'Subject: Fwd: my parcel',
        'Message-ID: <display-e2e-1@customer.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="OUT"',
        '',
        '--OUT',
        'Content-Type: multipart/alternative; boundary="ALT"',
        '',
        '--ALX',
        'Content-Type: text/plain',
        '',
        'Please look at the forwarded mails below.',
        '--ALX--',
        '--OUT',
        'Content-Type: message/rfc822',
        'Content-Disposition: attachment; filename="forward.eml"',
        '',
        middle,
        '--OUT--',
        '',
      ),
    );
    const ctx = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
    const page = await ctx.newPage();
    await signIn(page, base, ws.agent);
    await page.goto(`${base}/tickets/${id}`);
    const msg = page.getByRole('listitem', { name: /Customer message from Erin/ });
    await msg.waitFor();
    await msg.getByText('Please look at the forwarded mails below.').waitFor();

    const warning = msg.getByRole('note', { name: 'Broken message part' });
    await warning.waitFor();
    expect(await warning.textContent()).toContain('"ALT"');

    const outer = msg.getByRole('region', { name: 'Forwarded message: Fwd: Parcel 123 held at depot' });
    await outer.waitFor();
    await outer.getByText('Partner Ops <ops@shop-partner.test>').waitFor();
    await outer.getByText('See what the carrier says.').waitFor();
    const deepest = outer.getByRole('region', { name: 'Forwarded message: Parcel 123 held at depot' });
    await deepest.getByText('Carrier Desk <desk@carrier.test>').waitFor();
    // The deepest body is HTML: it renders in the sandboxed frame, without its script.
    const frame = deepest.frameLocator('iframe');
    await frame.getByText('Leeds depot').waitFor();
    expect(await frame.locator('script').count()).toBe(0);
    await page.screenshot({ path: `${screenshotDir()}/email-forwarded.png`, fullPage: true });
    await ctx.close();
  });

  it('warns the agent when unverified mail claims to be a known customer, and names the Cc not added', async () => {
    const msg = (n: number, cc?: string) =>
      crlf(
        'From: Fay <fay@fay-customer.test>',
        'To: support@display-journey.test',
        ...(cc ? [`Cc: ${cc}`] : []),
        `Subject: Order question ${n}`,
        `Message-ID: <fay-${n}@fay-customer.test>`,
        'Content-Type: text/plain',
        '',
        n === 1 ? 'Where is my order?' : 'Please change the delivery address to 1 Evil Street.',
        '',
      );
    const first = await deliver(msg(1));
    const second = await deliver(msg(2, 'helper@evil.test'));
    const ctx = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    const page = await ctx.newPage();
    await signIn(page, base, ws.agent);
    // The first mail made Fay a contact; nothing was known before it, so no warning there.
    await page.goto(`${base}/tickets/${first}`);
    await page.getByText('Where is my order?').waitFor();
    expect(await page.getByRole('note', { name: 'Unverified sender' }).count()).toBe(0);

    await page.goto(`${base}/tickets/${second}`);
    const warning = page.getByRole('note', { name: 'Unverified sender' });
    await warning.waitFor();
    const text = (await warning.textContent()) ?? '';
    expect(text).toContain('claims to be from a known customer');
    expect(text).toContain('helper@evil.test');
    await page.screenshot({ path: `${screenshotDir()}/email-unverified-sender.png` });
    await ctx.close();
  });
});
