import { describe, expect, it } from 'vitest';
import { createInbox, get, sendTo, settle, startRelay } from './email-helpers.ts';
import { startTestApp } from './harness.ts';

type LogItem = { outcome: string; reason: string | null };

describe('loop protection', () => {
  it('an auto-responder and our auto-acknowledgement exchange at most one message each', async () => {
    const relay = await startRelay();
    const app = await startTestApp({
      EMAIL_SMTP_PORT: '0',
      EMAIL_SMTP_HOST: '127.0.0.1',
      EMAIL_RELAY_URL: relay.url,
    });
    try {
      const w = await app.workspace('Loop Shop');
      await createInbox(app, w, { name: 'Support', address: 'support@loop-shop.test' });
      const smtpPort = app.email.smtpPort!;
      const pending: Promise<unknown>[] = [];
      const robots = { polite: 0, rude: 0 };
      // Two simulated responders: one marks its answers (RFC 3834), one does not and starts a new thread.
      relay.onMessage((m) => {
        const to = m.rcptTo[0]!;
        if (to === 'polite@robot.test') {
          robots.polite++;
          pending.push(
            sendTo(smtpPort, {
              from: 'polite@robot.test',
              to: 'support@loop-shop.test',
              subject: `Auto: ${m.parsed.subject}`,
              text: 'I am on holiday.',
              inReplyTo: m.parsed.messageId,
              headers: { 'Auto-Submitted': 'auto-replied' },
            }),
          );
        } else if (to === 'rude@robot.test') {
          robots.rude++;
          pending.push(
            sendTo(smtpPort, {
              from: 'rude@robot.test',
              to: 'support@loop-shop.test',
              subject: 'Thanks for your mail!',
              text: 'We got it.',
            }),
          );
        }
      });
      await sendTo(smtpPort, {
        from: 'polite@robot.test',
        to: 'support@loop-shop.test',
        subject: 'Question',
        text: 'Hello?',
      });
      await sendTo(smtpPort, {
        from: 'rude@robot.test',
        to: 'support@loop-shop.test',
        subject: 'Question',
        text: 'Hello?',
      });
      for (let round = 0; round < 6; round++) {
        await settle(app);
        await Promise.all(pending.splice(0));
      }
      const acks = relay.received.filter((m) => m.parsed.headers.get('auto-submitted') === 'auto-replied');
      expect(acks.map((m) => m.rcptTo[0]).sort()).toEqual(['polite@robot.test', 'rude@robot.test']);
      expect(robots).toEqual({ polite: 1, rude: 1 });
      const log = (await get(app, '/api/v1/email/inbound?limit=50', w.lead.headers)).json()
        .items as LogItem[];
      expect(log.filter((x) => x.outcome === 'auto-reply')).toHaveLength(1);
      const outcomes = log.map((x) => x.outcome).sort();
      expect(outcomes).toEqual(['auto-reply', 'ticket', 'ticket', 'ticket']);
    } finally {
      await app.stop();
      await relay.close();
    }
  });

  it('stops a flood from one sender with a recorded reason', async () => {
    const app = await startTestApp({ EMAIL_SMTP_ENABLED: 'false', EMAIL_SENDER_LIMIT_PER_HOUR: '3' });
    try {
      const w = await app.workspace('Flood Shop');
      const ib = await createInbox(app, w, { name: 'S', address: 'support@flood-shop.test' });
      for (let i = 0; i < 5; i++) {
        const res = await app.app.inject({
          method: 'POST',
          url: '/api/v1/channels/email/inbound',
          headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${ib.webhookSecret}` },
          payload: `From: flood@customer.test\r\nTo: support@flood-shop.test\r\nSubject: spam ${i}\r\nMessage-ID: <flood-${i}@customer.test>\r\n\r\nbuy now\r\n`,
        });
        expect(res.statusCode).toBe(202);
        await settle(app);
      }
      const log = (await get(app, '/api/v1/email/inbound?limit=50', w.lead.headers)).json()
        .items as LogItem[];
      expect(log.filter((x) => x.outcome === 'ticket')).toHaveLength(3);
      const rejected = log.filter((x) => x.outcome === 'rejected');
      expect(rejected).toHaveLength(2);
      expect(rejected[0]!.reason).toMatch(/rate limited/);
    } finally {
      await app.stop();
    }
  });

  it('holds the flood limit when the emails arrive together and are processed in one batch', async () => {
    const app = await startTestApp({ EMAIL_SMTP_ENABLED: 'false', EMAIL_SENDER_LIMIT_PER_HOUR: '3' });
    try {
      const w = await app.workspace('Burst Shop');
      const ib = await createInbox(app, w, { name: 'S', address: 'support@burst-shop.test' });
      // All stored first, then one drain claims them together: one batch, one flood count read.
      for (let i = 0; i < 8; i++) {
        const res = await app.app.inject({
          method: 'POST',
          url: '/api/v1/channels/email/inbound',
          headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${ib.webhookSecret}` },
          payload: `From: burst@customer.test\r\nTo: support@burst-shop.test\r\nSubject: burst ${i}\r\nMessage-ID: <burst-${i}@customer.test>\r\n\r\nbuy now\r\n`,
        });
        expect(res.statusCode).toBe(202);
      }
      const other = await app.app.inject({
        method: 'POST',
        url: '/api/v1/channels/email/inbound',
        headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${ib.webhookSecret}` },
        payload: `From: calm@customer.test\r\nTo: support@burst-shop.test\r\nSubject: one question\r\nMessage-ID: <calm-1@customer.test>\r\n\r\nhello\r\n`,
      });
      expect(other.statusCode).toBe(202);
      await settle(app);
      const log = (await get(app, '/api/v1/email/inbound?limit=50', w.lead.headers)).json()
        .items as (LogItem & {
        from: string;
      })[];
      const burst = log.filter((x) => x.from === 'burst@customer.test');
      expect(burst).toHaveLength(8);
      expect(burst.filter((x) => x.outcome === 'ticket')).toHaveLength(3);
      const limited = burst.filter((x) => x.outcome === 'rejected');
      expect(limited).toHaveLength(5);
      for (const x of limited)
        expect(x.reason).toMatch(/^rate limited: \d+ messages from burst@customer\.test/);
      expect(log.find((x) => x.from === 'calm@customer.test')?.outcome).toBe('ticket');
      const tickets = (await get(app, '/api/v1/tickets?limit=50', w.agent.headers)).json().items;
      expect(tickets).toHaveLength(4);
    } finally {
      await app.stop();
    }
  });
});
