import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// Emails the worker claims together are parsed in rounds of EMAIL_PARSE_BUDGET_BYTES raw bytes (a
// burst of big emails must not be held in memory at once); every one of them must still be processed.
let t: TestApp;
let ws: TestWorkspace;
let inbox: { id: number; address: string; webhookSecret: string };

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false', EMAIL_PARSE_BUDGET_BYTES: '4096' });
  ws = await t.workspace('Batch Shop');
  inbox = await createInbox(t, ws, { name: 'Support', address: 'support@batch-shop.test' });
});
afterAll(() => t?.stop());

const mail = (n: number) =>
  [
    `From: shopper-${n}@customer.test`,
    'To: support@batch-shop.test',
    `Subject: Big question ${n}`,
    `Message-ID: <batch-${n}@customer.test>`,
    '',
    // ~3 KB each against a 4 KB budget: rounds of two, two and one.
    ...Array.from(
      { length: 40 },
      () => `Line of a long message number ${n}, padded to about seventy-five chars.`,
    ),
    '',
  ].join('\r\n');

describe('inbound processing rounds', () => {
  it('turns every email of a batch bigger than the parse budget into its own ticket', async () => {
    const ids: number[] = [];
    for (let n = 1; n <= 5; n++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/channels/email/inbound',
        headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${inbox.webhookSecret}` },
        payload: mail(n),
      });
      expect(res.statusCode).toBe(202);
      ids.push(res.json().inboundEventId);
    }
    // One drain claims all five jobs at once: they form one batch of ~15 KB.
    await settle(t);
    const log = (await get(t, '/api/v1/email/inbound?limit=50', ws.lead.headers)).json().items as {
      inboundEventId: number;
      outcome: string;
      ticketId: number | null;
    }[];
    const mine = ids.map((id) => log.find((x) => x.inboundEventId === id));
    expect(mine.map((x) => x?.outcome)).toEqual(['ticket', 'ticket', 'ticket', 'ticket', 'ticket']);
    const subjects = await Promise.all(
      mine.map(
        async (x) => (await get(t, `/api/v1/tickets/${x!.ticketId}`, ws.agent.headers)).json().subject,
      ),
    );
    expect(subjects).toEqual([1, 2, 3, 4, 5].map((n) => `Big question ${n}`));
  });
});
