import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli-commands.ts';
import { sql } from '../src/platform/db/db.ts';
import { createLogger } from '../src/platform/log.ts';
import { seedDemoImport } from '../src/seed/demo-import.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';
import {
  type FakeZendesk,
  hasZendeskFixtures,
  recordedZendesk,
  startFakeZendesk,
  ZENDESK_EMAIL,
  ZENDESK_TOKEN,
  type ZendeskData,
} from './zendesk-fake.ts';

// Imports from other helpdesks (modules/integrations): the CSV format and Zendesk against a local server
// speaking its API — pagination by cursor, 429 Retry-After, a refusal mid-page then resume (nothing twice,
// nothing missing), a second run importing nothing, silent mode, bad input, roles and isolation.

let app: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  app = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS });
  ws = await app.workspace('Import Shop');
  other = await app.workspace('Other Shop');
});
afterAll(() => app?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  app.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

/** Runs queued jobs until none is left, moving retries' backoff to now. */
async function drain(rounds = 50) {
  for (let i = 0; i < rounds; i++) {
    await app.db.query(sql`UPDATE jobs SET run_at = now() WHERE status = 'queued'`);
    if (!(await app.jobs.drain())) return;
  }
}

const count = async (q: ReturnType<typeof sql>) => (await app.db.one<{ n: number }>(q))!.n;
const ticketsOf = (w: TestWorkspace) =>
  count(sql`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = ${w.workspaceId}`);
const messagesOf = (w: TestWorkspace) =>
  count(sql`SELECT count(*)::int AS n FROM messages WHERE workspace_id = ${w.workspaceId}`);

const CSV = [
  'ticket_id,subject,status,priority,tags,requester_email,requester_name,message_type,author_name,created_at,body',
  'A-1,Where is my order?,solved,high,"shipping,vip",ana@example.com,Ana Lima,customer,,2024-03-01T10:00:00Z,"Hi, my order #1001 has not arrived"',
  'A-1,,,,,,,agent,Sam,2024-03-01T11:00:00Z,"It ships today.\nSorry for the wait!"',
  'A-1,,,,,,,note,Sam,2024-03-01T11:05:00Z,Checked with the warehouse',
  'A-2,Refund please,open,,,ANA@example.com,Ana Lima,customer,,2024-04-02T09:00:00Z,The shoes are too small',
  'B-7,Hello,hold,low,,bo@example.com,Bo,customer,,2024-05-05T08:00:00Z,Do you ship to Norway?',
].join('\n');

describe('CSV import', () => {
  it('imports tickets with their messages, mapped, silently, and a second run imports nothing', async () => {
    // A subscriber to ticket and message events: history must not reach it.
    const hook = await call('POST', '/api/v1/integrations/webhooks', ws.admin.headers, {
      url: 'http://127.0.0.1:9/hook',
      events: ['ticket.created', 'message.received', 'message.created'],
    });
    expect(hook.statusCode, hook.body).toBe(201);
    const jobsBefore = await count(sql`SELECT count(*)::int AS n FROM jobs WHERE name <> 'import-page'`);
    const res = await call('POST', '/api/v1/integrations/imports', ws.admin.headers, {
      source: 'csv',
      csv: CSV,
      filename: 'old-desk.csv',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ source: 'csv', status: 'queued', label: 'old-desk.csv' });
    await drain();
    const run = (await call('GET', `/api/v1/integrations/imports/${res.json().id}`, ws.admin.headers)).json();
    expect(run).toMatchObject({
      status: 'done',
      ticketsImported: 3,
      ticketsSkipped: 0,
      messagesImported: 5,
      ticketsTotal: 3,
      errorCount: 0,
    });
    const rows = await app.db.query<{
      subject: string;
      status: string;
      priority: string;
      tags: string[];
      email: string;
      created_at: Date;
      solved_at: Date | null;
      first_response_at: Date | null;
      message_count: number;
    }>(sql`SELECT t.subject, t.status, t.priority, t.tags, c.email, t.created_at, t.solved_at,
                  t.first_response_at, t.message_count
           FROM tickets t JOIN contacts c ON c.id = t.contact_id
           WHERE t.workspace_id = ${ws.workspaceId} ORDER BY t.created_at`);
    expect(rows.map((r) => [r.subject, r.status, r.priority, r.email])).toEqual([
      ['Where is my order?', 'solved', 'high', 'ana@example.com'],
      ['Refund please', 'open', 'normal', 'ana@example.com'],
      ['Hello', 'on-hold', 'low', 'bo@example.com'],
    ]);
    expect(rows[0]!.tags).toEqual(['shipping', 'vip']);
    expect(rows[0]!.created_at.toISOString()).toBe('2024-03-01T10:00:00.000Z');
    expect(rows[0]!.first_response_at?.toISOString()).toBe('2024-03-01T11:00:00.000Z');
    expect(rows[0]!.solved_at).not.toBeNull();
    expect(rows[0]!.message_count).toBe(3);
    // One contact per address, whatever its case.
    expect(
      await count(sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${ws.workspaceId}`),
    ).toBe(2);
    const msgs = await app.db.query<{
      kind: string;
      body_text: string;
      external_id: string;
      meta: unknown;
    }>(sql`
      SELECT m.kind, m.body_text, m.external_id, m.channel_meta AS meta FROM messages m
      JOIN tickets t ON t.id = m.ticket_id
      WHERE m.workspace_id = ${ws.workspaceId} AND t.subject = 'Where is my order?' ORDER BY m.id`);
    expect(msgs.map((m) => m.kind)).toEqual(['inbound', 'outbound', 'note']);
    expect(msgs[1]!.body_text).toBe('It ships today.\nSorry for the wait!');
    expect(msgs[1]!.external_id).toBe('csv:A-1:2');
    expect(msgs[1]!.meta).toMatchObject({ imported: { source: 'csv', author: { name: 'Sam' } } });
    // The ticket's timeline says where it came from.
    const ev = await app.db.query<{ data: { name: string; id: string } }>(sql`
      SELECT data FROM ticket_events WHERE workspace_id = ${ws.workspaceId} AND type = 'imported' ORDER BY id`);
    expect(ev.map((e) => e.data.id)).toEqual(['A-1', 'A-2', 'B-7']);
    // Silent: no automation, SLA, notice, webhook or delivery job came out of the history.
    expect(await count(sql`SELECT count(*)::int AS n FROM jobs WHERE name <> 'import-page'`)).toBe(
      jobsBefore,
    );
    expect(
      await count(
        sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE workspace_id = ${ws.workspaceId}`,
      ),
    ).toBe(0);

    // The same file again: every ticket is already in the source-id map.
    const again = await call('POST', '/api/v1/integrations/imports', ws.admin.headers, {
      source: 'csv',
      csv: CSV,
    });
    await drain();
    expect(
      (await call('GET', `/api/v1/integrations/imports/${again.json().id}`, ws.admin.headers)).json(),
    ).toMatchObject({
      status: 'done',
      ticketsImported: 0,
      ticketsSkipped: 3,
    });
    expect(await ticketsOf(ws)).toBe(3);
    expect(await messagesOf(ws)).toBe(5);
    const list = (await call('GET', '/api/v1/integrations/imports', ws.admin.headers)).json().items;
    expect(list.map((r: { id: number }) => r.id)).toEqual([again.json().id, res.json().id]);
  });

  it('refuses a bad file with the row at fault and stores nothing', async () => {
    const runs = () =>
      count(sql`SELECT count(*)::int AS n FROM import_runs WHERE workspace_id = ${other.workspaceId}`);
    const bad = [
      'ticket_id,subject,colour,message_type,body\nX,Hi,red,customer,hello',
      'ticket_id,subject,message_type,body\nX,Hi,robot,hello',
      'ticket_id,status,message_type,body\nX,exploded,customer,hello',
      'ticket_id,message_type,created_at,body\nX,customer,not a date,hello',
      'ticket_id,message_type,body\n"X,customer,hello',
      'ticket_id,message_type,body\n',
    ];
    for (const csv of bad) {
      const r = await call('POST', '/api/v1/integrations/imports', other.admin.headers, {
        source: 'csv',
        csv,
      });
      expect(r.statusCode, csv).toBe(400);
    }
    expect(
      (
        await call('POST', '/api/v1/integrations/imports', other.admin.headers, {
          source: 'gorgias',
          csv: 'x',
        })
      ).statusCode,
    ).toBe(400);
    expect(await runs()).toBe(0);
    expect(await ticketsOf(other)).toBe(0);
  });

  it('is for admins of the workspace only', async () => {
    for (const who of [ws.lead, ws.agent, ws.readonly]) {
      expect((await call('GET', '/api/v1/integrations/imports', who.headers)).statusCode).toBe(403);
      expect(
        (await call('POST', '/api/v1/integrations/imports', who.headers, { source: 'csv', csv: CSV }))
          .statusCode,
      ).toBe(403);
    }
    const mine = (await call('GET', '/api/v1/integrations/imports', ws.admin.headers)).json().items[0];
    expect(
      (await call('GET', `/api/v1/integrations/imports/${mine.id}`, other.admin.headers)).statusCode,
    ).toBe(404);
    expect(
      (await call('POST', `/api/v1/integrations/imports/${mine.id}/resume`, other.admin.headers)).statusCode,
    ).toBe(404);
    expect((await call('GET', '/api/v1/integrations/imports', other.admin.headers)).json().items).toEqual([]);
  });
});

describe('CLI and demo', () => {
  it('`shopdesk import csv --file` imports the sample file with a progress report, and again imports nothing', async () => {
    const w = await app.workspace('Cli Import');
    const file = join(process.cwd(), 'docs/examples/import-sample.csv');
    const run = async () => {
      const out: string[] = [];
      const err: string[] = [];
      await runCommand(
        'import',
        { source: 'csv', file, workspace: w.slug },
        {
          db: app.db,
          config: app.config,
          log: createLogger('silent'),
          io: { out: (t) => void out.push(t), err: (t) => void err.push(t) },
          inServer: true,
        },
      );
      return { out: out.join(''), err: err.join('') };
    };
    const first = await run();
    expect(first.out).toMatch(/3 tickets and 7 messages imported, 0 skipped, 0 errors/);
    expect(first.err).toMatch(/Importing \(csv\).*3\/3/);
    expect((await run()).out).toMatch(/0 tickets and 0 messages imported, 3 skipped/);
    expect(await ticketsOf(w)).toBe(3);
    expect(readFileSync(file, 'utf8')).toContain('ticket_id,subject');
    await expect(
      runCommand(
        'import',
        { source: 'gorgias', workspace: w.slug },
        {
          db: app.db,
          config: app.config,
          log: createLogger('silent'),
          io: { out() {}, err() {} },
          inServer: true,
        },
      ),
    ).rejects.toThrow(/needs a source/);
  });

  it('the demo seed leaves a finished CSV import in the history', async () => {
    const w = await app.workspace('Demo Like');
    await seedDemoImport(app.db, app.config, w.workspaceId);
    const items = (await call('GET', '/api/v1/integrations/imports', w.admin.headers)).json().items;
    expect(items).toMatchObject([
      {
        source: 'csv',
        status: 'done',
        label: 'old-helpdesk-export.csv',
        ticketsImported: 3,
        startedBy: null,
      },
    ]);
    expect(await ticketsOf(w)).toBe(3);
  });
});

/** Hand-written Zendesk data in the API's shapes: 5 tickets, one deleted, one rated, two organizations. */
function handWritten(): ZendeskData {
  const t = (id: number, extra: Record<string, unknown> = {}) => ({
    id,
    subject: `Question ${id}`,
    description: `First message of ${id}`,
    status: 'open',
    priority: null,
    requester_id: 900 + (id % 2),
    organization_id: id % 2 ? 70 : null,
    tags: ['from_zendesk'],
    via: { channel: 'email' },
    created_at: `2024-01-0${id}T09:00:00Z`,
    updated_at: `2024-01-0${id}T12:00:00Z`,
    satisfaction_rating: null,
    ...extra,
  });
  const c = (id: number, author: number, pub: boolean, at: string) => ({
    id,
    type: 'Comment',
    author_id: author,
    body: `Comment ${id}`,
    html_body: `<div class="zd-comment"><p>Comment ${id}</p><script>alert(1)</script></div>`,
    plain_body: `Comment ${id}`,
    public: pub,
    attachments: [],
    created_at: at,
  });
  const comments = new Map<string, Record<string, unknown>[]>();
  for (let i = 1; i <= 5; i++)
    comments.set(String(i), [
      c(i * 10 + 1, 900 + (i % 2), true, `2024-01-0${i}T09:00:00Z`),
      c(i * 10 + 2, 800, true, `2024-01-0${i}T10:00:00Z`),
      c(i * 10 + 3, 800, false, `2024-01-0${i}T10:05:00Z`),
    ]);
  return {
    tickets: [
      t(1),
      t(2, { status: 'hold', priority: 'urgent' }),
      t(3, { status: 'deleted' }),
      t(4, { status: 'solved', satisfaction_rating: { score: 'good', comment: 'Quick and kind' } }),
      t(5, { status: 'closed' }),
    ],
    comments,
    users: [
      { id: 900, name: 'Dana Even', email: 'dana@example.com', role: 'end-user' },
      { id: 901, name: 'Omar Odd', email: 'omar@example.com', role: 'end-user' },
      { id: 800, name: 'Agent Zed', email: 'zed@shop.example', role: 'agent' },
    ],
    organizations: [{ id: 70, name: 'Acme' }],
  };
}

async function startZendeskImport(w: TestWorkspace, z: FakeZendesk, pageSize: number) {
  const r = await call('POST', '/api/v1/integrations/imports', w.admin.headers, {
    source: 'zendesk',
    url: z.url,
    email: ZENDESK_EMAIL,
    token: ZENDESK_TOKEN,
    pageSize,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as number;
}
const runOf = async (w: TestWorkspace, id: number) =>
  (await call('GET', `/api/v1/integrations/imports/${id}`, w.admin.headers)).json();

describe('Zendesk import (local server, hand-written data)', () => {
  let z: FakeZendesk;
  let zw: TestWorkspace;
  beforeAll(async () => {
    z = await startFakeZendesk(handWritten());
    zw = await app.workspace('Zendesk Shop');
  });
  afterAll(() => z?.close());

  it('pages by cursor, waits out a 429, resumes after a refusal mid-page, and imports nothing twice', async () => {
    // Page 2's export call is throttled once; ticket 4's comments are refused until the "admin" fixes it.
    z.throttle.set('/api/v2/incremental/tickets/cursor.json', 0);
    z.refuse.add('/api/v2/tickets/4/comments.json');
    const id = await startZendeskImport(zw, z, 2);
    await drain(); // page 0 (tickets 1, 2) is written; page 1 (3 deleted, 4 refused) fails the run
    let run = await runOf(zw, id);
    expect(run).toMatchObject({ status: 'failed', ticketsImported: 2, pages: 1 });
    expect(run.lastError).toMatch(/401/);
    expect(await ticketsOf(zw)).toBe(2);

    z.refuse.clear();
    z.throttle.set('/api/v2/incremental/tickets/cursor.json', 1);
    const before = z.hits.filter((h) => h.startsWith('/api/v2/incremental')).length;
    expect(
      (await call('POST', `/api/v1/integrations/imports/${id}/resume`, zw.admin.headers)).statusCode,
    ).toBe(200);
    await drain();
    run = await runOf(zw, id);
    expect(run).toMatchObject({
      status: 'done',
      ticketsImported: 4,
      ticketsSkipped: 1,
      messagesImported: 12,
    });
    // The throttled call was made again after Retry-After, within the same page.
    expect(z.hits.filter((h) => h.startsWith('/api/v2/incremental')).length - before).toBe(3);
    expect(await ticketsOf(zw)).toBe(4);

    const rows = await app.db.query<{
      subject: string;
      status: string;
      priority: string;
      tags: string[];
    }>(sql`
      SELECT subject, status, priority, tags FROM tickets WHERE workspace_id = ${zw.workspaceId} ORDER BY created_at`);
    expect(rows.map((r) => [r.subject, r.status, r.priority])).toEqual([
      ['Question 1', 'open', 'normal'],
      ['Question 2', 'on-hold', 'urgent'],
      ['Question 4', 'solved', 'normal'],
      ['Question 5', 'closed', 'normal'],
    ]);
    expect(rows[0]!.tags).toEqual(['from_zendesk', 'org:acme']);
    const msgs = await app.db.query<{ kind: string; body_html: string | null }>(sql`
      SELECT m.kind, m.body_html FROM messages m JOIN tickets t ON t.id = m.ticket_id
      WHERE t.workspace_id = ${zw.workspaceId} AND t.subject = 'Question 1' ORDER BY m.id`);
    expect(msgs.map((m) => m.kind)).toEqual(['inbound', 'outbound', 'note']);
    expect(msgs[0]!.body_html).not.toContain('<script');
    const rated = await app.db.one<{ data: Record<string, unknown> }>(sql`
      SELECT e.data FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
      WHERE t.workspace_id = ${zw.workspaceId} AND t.subject = 'Question 4' AND e.type = 'imported'`);
    expect(rated!.data).toMatchObject({
      name: 'zendesk',
      id: '4',
      satisfaction: { score: 'good', comment: 'Quick and kind' },
    });
    // Comments of tickets already imported are not fetched again on a replayed page.
    expect(z.hits.filter((h) => h.startsWith('/api/v2/tickets/1/comments')).length).toBe(1);

    // A second run over the same account: everything is in the source-id map.
    const second = await startZendeskImport(zw, z, 100);
    await drain();
    expect(await runOf(zw, second)).toMatchObject({ status: 'done', ticketsImported: 0, ticketsSkipped: 5 });
    expect(await ticketsOf(zw)).toBe(4);
    expect(await messagesOf(zw)).toBe(12);
    // The credentials are stored encrypted and never shown.
    const stored = await app.db.one<{ credentials_enc: string }>(
      sql`SELECT credentials_enc FROM import_runs WHERE id = ${id}`,
    );
    expect(stored!.credentials_enc).not.toContain(ZENDESK_TOKEN);
    expect(JSON.stringify(run)).not.toContain(ZENDESK_TOKEN);
  });

  it('fails at once on wrong credentials and refuses private URLs without the allow-list', async () => {
    const r = await call('POST', '/api/v1/integrations/imports', zw.admin.headers, {
      source: 'zendesk',
      url: z.url,
      email: ZENDESK_EMAIL,
      token: 'wrong-token-xyz',
    });
    await drain();
    expect(await runOf(zw, r.json().id)).toMatchObject({ status: 'failed', ticketsImported: 0 });
    const strict = await startTestApp();
    try {
      const sw = await strict.workspace('Strict');
      const res = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/integrations/imports',
        headers: sw.admin.headers,
        payload: { source: 'zendesk', url: z.url, email: ZENDESK_EMAIL, token: ZENDESK_TOKEN },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/refused/i);
    } finally {
      await strict.stop();
    }
  });
});

describe.runIf(hasZendeskFixtures)('Zendesk import of the recorded payloads (../shared/fixtures)', () => {
  it('imports the recorded export page by page: every ticket but the deleted one, once', async () => {
    const data = recordedZendesk();
    const z = await startFakeZendesk(data);
    try {
      const w = await app.workspace('Recorded Zendesk');
      const id = await startZendeskImport(w, z, 25);
      await drain();
      const live = data.tickets.filter((t) => t.status !== 'deleted').length;
      expect(await runOf(w, id)).toMatchObject({
        status: 'done',
        ticketsImported: live,
        ticketsSkipped: data.tickets.length - live,
        pages: Math.ceil(data.tickets.length / 25),
        errorCount: 0,
      });
      expect(await ticketsOf(w)).toBe(live);
      expect(await messagesOf(w)).toBe(live * (data.defaultComments?.length ?? 0));
      const high = await count(
        sql`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = ${w.workspaceId} AND priority = 'high'`,
      );
      expect(high).toBe(data.tickets.filter((t) => t.priority === 'high' && t.status !== 'deleted').length);
    } finally {
      await z.close();
    }
  });
});
