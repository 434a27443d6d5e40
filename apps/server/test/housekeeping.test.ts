// Housekeeping (docs/operations.md): the hourly job prunes finished jobs, delivered webhooks, processed
// inbound payloads and sent mail's raw MIME after each kind's retention, and keeps what failed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../src/housekeeping.ts';
import { sql } from '../src/platform/db/db.ts';
import { enqueue } from '../src/platform/jobs/queue.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp({
    RETAIN_FINISHED_JOBS_DAYS: '7',
    RETAIN_WEBHOOK_DELIVERIES_DAYS: '30',
    RETAIN_INBOUND_DAYS: '14',
    RETAIN_SENT_MAIL_DAYS: '3',
  });
  ws = await t.workspace('Tidy Shop');
});
afterAll(() => t?.stop());

/** A job row in a given state, finished `daysAgo` days ago. */
async function job(name: string, status: 'done' | 'failed' | 'queued', daysAgo: number, uniqueKey?: string) {
  const id = (await enqueue(t.db, name, {}, { uniqueKey }))!;
  await t.db.query(sql`
    UPDATE jobs SET status = ${status},
      finished_at = CASE WHEN ${status} = 'queued' THEN NULL ELSE now() - make_interval(days => ${daysAgo}::int) END,
      run_at = now() + interval '1 day'
    WHERE id = ${id}`);
  return id;
}
const jobExists = async (id: number) => !!(await t.db.one(sql`SELECT 1 FROM jobs WHERE id = ${id}`));

async function inbound(providerId: string, processedDaysAgo: number | null, error: string | null = null) {
  const row = await t.db.one<{ id: number }>(sql`
    INSERT INTO inbound_events (workspace_id, channel, provider_id, payload, received_at, processed_at, error)
    VALUES (${ws.workspaceId}, 'email', ${providerId}, ${Buffer.from(`raw mail ${providerId}`)},
      now() - interval '60 days',
      ${processedDaysAgo === null ? null : sql`now() - make_interval(days => ${processedDaysAgo}::int)`}, ${error})
    RETURNING id`);
  return row!.id;
}
const inboundExists = async (id: number) =>
  !!(await t.db.one(sql`SELECT 1 FROM inbound_events WHERE id = ${id}`));

async function sent(daysAgo: number) {
  const row = await t.db.one<{ id: number }>(sql`
    INSERT INTO email_outbound (workspace_id, inbox_id, kind, message_id_header, from_address, to_addresses,
      subject, raw, transport, created_at)
    VALUES (${ws.workspaceId}, NULL, 'reply', ${`<m${daysAgo}@tidy.example>`}, 'box@tidy.example',
      ${['ann@example.com']}, 'Re: parcel', ${Buffer.from('From: box\r\n\r\nhello')}, 'relay',
      now() - make_interval(days => ${daysAgo}::int))
    RETURNING id`);
  return row!.id;
}

describe('housekeeping', () => {
  it('prunes each kind after its retention and keeps what failed or is still recent', async () => {
    const oldDone = await job('deliver-message', 'done', 8, 'deliver:old');
    const recentDone = await job('deliver-message', 'done', 2);
    const oldFailed = await job('deliver-message', 'failed', 90);
    const queued = await job('deliver-message', 'queued', 0);
    const webhook10 = await job('automation-webhook', 'done', 10);
    const webhook40 = await job('automation-webhook', 'done', 40);
    const processedOld = await inbound('old', 20);
    const processedRecent = await inbound('recent', 5);
    const failedInbound = await inbound('failed', null, 'store said 500');
    const sentOld = await sent(5);
    const sentRecent = await sent(1);

    const pruned = await runHousekeeping(t.db, t.config);
    expect(pruned.finishedJobs).toBeGreaterThanOrEqual(1);
    expect(pruned.webhookDeliveries).toBe(1);
    expect(pruned.inbound).toBe(1);
    expect(pruned.sentMail).toBe(1);

    expect(await jobExists(oldDone)).toBe(false);
    // The unique key went with the row: the same key can be enqueued again.
    expect(await enqueue(t.db, 'deliver-message', {}, { uniqueKey: 'deliver:old' })).not.toBeNull();
    expect(await jobExists(recentDone)).toBe(true);
    expect(await jobExists(oldFailed)).toBe(true);
    expect(await jobExists(queued)).toBe(true);
    expect(await jobExists(webhook10)).toBe(true);
    expect(await jobExists(webhook40)).toBe(false);

    expect(await inboundExists(processedOld)).toBe(false);
    expect(await inboundExists(processedRecent)).toBe(true);
    expect(await inboundExists(failedInbound)).toBe(true);

    // Sent mail keeps its row (replies thread by its Message-ID); only the raw bytes go, and the
    // "original email" download then answers 404.
    const raw = async (id: number) =>
      (await t.db.one<{ n: number }>(sql`SELECT octet_length(raw) AS n FROM email_outbound WHERE id = ${id}`))
        ?.n;
    expect(await raw(sentOld)).toBe(0);
    expect(await raw(sentRecent)).toBeGreaterThan(0);
    const old = await t.app.inject({
      method: 'GET',
      url: `/api/v1/email/outbound/${sentOld}/raw`,
      headers: ws.admin.headers,
    });
    expect(old.statusCode).toBe(404);
    const recent = await t.app.inject({
      method: 'GET',
      url: `/api/v1/email/outbound/${sentRecent}/raw`,
      headers: ws.admin.headers,
    });
    expect(recent.statusCode).toBe(200);

    // A second run finds nothing more.
    expect(await runHousekeeping(t.db, t.config)).toEqual({
      finishedJobs: 0,
      webhookDeliveries: 0,
      inbound: 0,
      sentMail: 0,
    });
  });

  it('keeps everything of a kind whose retention is 0, and runs hourly on a worker', async () => {
    const kept = await job('deliver-message', 'done', 400);
    const pruned = await runHousekeeping(t.db, { ...t.config, RETAIN_FINISHED_JOBS_DAYS: 0 });
    expect(pruned.finishedJobs).toBe(0);
    expect(await jobExists(kept)).toBe(true);
    const next = await t.db.one<{ run_at: Date }>(
      sql`SELECT run_at FROM jobs WHERE name = 'housekeeping' AND status = 'queued' ORDER BY run_at LIMIT 1`,
    );
    expect(next!.run_at.getTime() % 3_600_000).toBe(0);
    expect(next!.run_at.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
  });
});
