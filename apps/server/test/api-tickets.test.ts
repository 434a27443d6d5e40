import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Tickets Shop');
});
afterAll(() => t?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

describe('tickets API', () => {
  it('creates a ticket with its first message and the contact, and returns it on GET', async () => {
    const res = await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody({ tags: ['shipping'] }));
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      subject: 'Where is my order #1042?',
      status: 'new',
      channel: 'api',
      tags: ['shipping'],
    });
    expect(created.contact.email).toBe('shopper@example.com');
    expect(created.messages).toHaveLength(1);
    expect(created.messages[0]).toMatchObject({
      kind: 'inbound',
      bodyText: expect.stringContaining('parcel'),
    });

    const got = await call('GET', `/api/v1/tickets/${created.id}`, ws.readonly.headers);
    expect(got.statusCode).toBe(200);
    expect(got.json().id).toBe(created.id);
    expect(got.json().events.map((e: { type: string }) => e.type)).toContain('created');
  });

  it('reuses the same contact for the same email', async () => {
    const a = (
      await call(
        'POST',
        '/api/v1/tickets',
        ws.agent.headers,
        ticketBody({ contact: { email: 'Repeat@Example.com' } }),
      )
    ).json();
    const b = (
      await call(
        'POST',
        '/api/v1/tickets',
        ws.agent.headers,
        ticketBody({ contact: { email: 'repeat@example.com' } }),
      )
    ).json();
    expect(a.contact.id).toBe(b.contact.id);
    const list = await call('GET', `/api/v1/contacts/${a.contact.id}/tickets`, ws.agent.headers);
    expect(
      list
        .json()
        .items.map((x: { id: number }) => x.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
  });

  it('lists with filters and walks every page with the cursor exactly once', async () => {
    const other = await t.workspace('Paging Shop');
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await call(
        'POST',
        '/api/v1/tickets',
        other.agent.headers,
        ticketBody({ subject: `Page test ${i}`, priority: i % 2 ? 'high' : 'low' }),
      );
      ids.push(r.json().id);
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/tickets?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await call('GET', q, other.agent.headers)).json();
      seen.push(...page.items.map((x: { id: number }) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(ids.sort());

    const high = (await call('GET', '/api/v1/tickets?priority=high', other.agent.headers)).json();
    expect(high.items).toHaveLength(3);
    const count = (await call('GET', '/api/v1/tickets/count?priority=low', other.agent.headers)).json();
    expect(count.count).toBe(4);
    const bad = await call('GET', '/api/v1/tickets?cursor=nonsense', other.agent.headers);
    expect(bad.statusCode).toBe(400);
  });

  it('updates fields, records timeline events, and answers 409 to a stale version', async () => {
    const tk = (await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    const up = await call('PATCH', `/api/v1/tickets/${tk.id}`, ws.agent.headers, {
      version: tk.version,
      status: 'open',
      priority: 'urgent',
      assigneeId: ws.agent.agentId,
      addTags: ['vip'],
      customFields: { order_number: '1042' },
    });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({
      status: 'open',
      priority: 'urgent',
      assigneeId: ws.agent.agentId,
      tags: ['vip'],
    });
    expect(up.json().version).toBeGreaterThan(tk.version);

    const stale = await call('PATCH', `/api/v1/tickets/${tk.id}`, ws.agent.headers, {
      version: tk.version,
      status: 'solved',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('stale_version');
    const after = (await call('GET', `/api/v1/tickets/${tk.id}`, ws.agent.headers)).json();
    expect(after.status).toBe('open');
    expect(after.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['created', 'status_changed', 'priority_changed', 'assigned', 'tags_changed']),
    );
  });

  it('rejects bad bodies with 400 and the field path, changing nothing', async () => {
    const before = (await call('GET', '/api/v1/tickets/count', ws.agent.headers)).json().count;
    const res = await call('POST', '/api/v1/tickets', ws.agent.headers, {
      subject: '',
      contact: { email: 'not-an-email' },
      message: {},
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.subject', 'body.contact.email', 'body.message.body']),
    );
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { ...ws.agent.headers, 'content-type': 'application/json' },
      payload: '{oops',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBeDefined();
    const badStatus = await call('PATCH', '/api/v1/tickets/1', ws.agent.headers, { status: 'done' });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error.details[0].path).toBe('body.status');
    expect((await call('GET', '/api/v1/tickets/count', ws.agent.headers)).json().count).toBe(before);
  });

  it('answers 413 for a body over the limit without a stack trace', async () => {
    const small = await startTestApp({ BODY_LIMIT_BYTES: '2048' });
    try {
      const w = await small.workspace();
      const res = await small.app.inject({
        method: 'POST',
        url: '/api/v1/tickets',
        headers: w.agent.headers,
        payload: ticketBody({ message: { body: 'x'.repeat(5000) } }),
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('payload_too_large');
      expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      await small.stop();
    }
  });

  it('search finds a word that appears only in the third message, with a highlighted snippet', async () => {
    const tk = (
      await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody({ subject: 'Jacket question' }))
    ).json();
    await call('POST', `/api/v1/tickets/${tk.id}/replies`, ws.agent.headers, {
      body: 'Thanks, we are checking.',
    });
    await call('POST', `/api/v1/tickets/${tk.id}/notes`, ws.agent.headers, {
      body: 'Warehouse says the parcel went to Zanzibarville & back <script>alert(1)</script>',
    });
    const res = await call('GET', '/api/v1/search?q=zanzibarville', ws.readonly.headers);
    expect(res.statusCode).toBe(200);
    const hits = res.json().tickets;
    expect(hits).toHaveLength(1);
    expect(hits[0].ticketId).toBe(tk.id);
    expect(hits[0].highlight).toContain('<mark>Zanzibarville</mark>');
    // Message text is escaped; only <mark> is markup.
    expect(hits[0].highlight).toContain('&amp;');
    expect(hits[0].highlight.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
    expect((await call('GET', '/api/v1/search?q=', ws.readonly.headers)).statusCode).toBe(400);
  });

  it('stores a reply as queued and the deliver job settles it; notes notify mentioned agents', async () => {
    const tk = (await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json();
    const reply = await call('POST', `/api/v1/tickets/${tk.id}/replies`, ws.agent.headers, {
      body: 'On its way!',
      status: 'pending',
    });
    expect(reply.statusCode).toBe(201);
    expect(reply.json()).toMatchObject({ kind: 'outbound', deliveryStatus: 'queued' });
    await t.jobs.drain();
    const after = (await call('GET', `/api/v1/tickets/${tk.id}`, ws.agent.headers)).json();
    const out = after.messages.find((m: { id: number }) => m.id === reply.json().id);
    // An API ticket has no transport: stored and visible, honestly not "sent".
    expect(out.deliveryStatus).toBe('none');
    expect(after.status).toBe('pending');
    expect(after.firstResponseAt).not.toBeNull();
    expect(after.assigneeId).toBe(ws.agent.agentId);

    const note = await call('POST', `/api/v1/tickets/${tk.id}/notes`, ws.agent.headers, {
      body: '@lead can you check?',
      mentions: [ws.lead.agentId],
    });
    expect(note.json()).toMatchObject({ kind: 'note' });
    const notes = (await call('GET', '/api/v1/notifications', ws.lead.headers)).json().items;
    expect(notes[0]).toMatchObject({ type: 'mention', ticketId: tk.id });
  });

  it('merges two tickets: messages move, the source closes and points at the target', async () => {
    const a = (
      await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody({ subject: 'first' }))
    ).json();
    const b = (
      await call(
        'POST',
        '/api/v1/tickets',
        ws.agent.headers,
        ticketBody({ subject: 'second', tags: ['dup'] }),
      )
    ).json();
    const res = await call('POST', '/api/v1/tickets/merge', ws.agent.headers, {
      sourceId: b.id,
      targetId: a.id,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().messages).toHaveLength(2);
    expect(res.json().tags).toContain('dup');
    const src = (await call('GET', `/api/v1/tickets/${b.id}`, ws.agent.headers)).json();
    expect(src).toMatchObject({ status: 'closed', mergedIntoId: a.id, messages: [] });
    const audit = (await call('GET', '/api/v1/audit-log', ws.admin.headers)).json().items;
    expect(audit.some((e: { action: string }) => e.action === 'ticket.merged')).toBe(true);
    expect(
      (await call('POST', '/api/v1/tickets/merge', ws.agent.headers, { sourceId: a.id, targetId: a.id }))
        .statusCode,
    ).toBe(400);
  });

  it('bulk-updates many tickets at once, all or nothing', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push((await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody())).json().id);
    const res = await call('POST', '/api/v1/tickets/bulk', ws.agent.headers, {
      ids,
      changes: { status: 'solved', addTags: ['bulk'] },
    });
    expect(res.json()).toEqual({ updated: 3 });
    for (const id of ids)
      expect((await call('GET', `/api/v1/tickets/${id}`, ws.agent.headers)).json()).toMatchObject({
        status: 'solved',
        tags: ['bulk'],
      });
    const partial = await call('POST', '/api/v1/tickets/bulk', ws.agent.headers, {
      ids: [ids[0], 99_999_999],
      changes: { status: 'open' },
    });
    expect(partial.statusCode).toBe(404);
    expect((await call('GET', `/api/v1/tickets/${ids[0]}`, ws.agent.headers)).json().status).toBe('solved');
  });

  it('stores attachments content-addressed and serves them back', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const res = await call(
      'POST',
      '/api/v1/tickets',
      ws.agent.headers,
      ticketBody({
        message: {
          body: 'photo attached',
          attachments: [
            { filename: 'damage photo.png', contentType: 'image/png', contentBase64: png.toString('base64') },
          ],
        },
      }),
    );
    const att = res.json().messages[0].attachments[0];
    expect(att).toMatchObject({
      filename: 'damage photo.png',
      contentType: 'image/png',
      sizeBytes: png.length,
    });
    const dl = await call('GET', att.url, ws.agent.headers);
    expect(dl.statusCode).toBe(200);
    expect(dl.rawPayload.equals(png)).toBe(true);
    expect(dl.headers['content-disposition']).toContain("filename*=UTF-8''damage%20photo.png");
  });

  it('saves views and applies them to the list', async () => {
    const v = await call('POST', '/api/v1/views', ws.agent.headers, {
      name: 'My urgent',
      filters: { priority: 'urgent', status: 'active' },
    });
    expect(v.statusCode).toBe(201);
    const list = (await call('GET', `/api/v1/tickets?view=${v.json().id}`, ws.agent.headers)).json();
    expect(list.items.every((x: { priority: string }) => x.priority === 'urgent')).toBe(true);
    const views = (await call('GET', '/api/v1/views?counts=true', ws.agent.headers)).json().items;
    expect(views.find((x: { id: number }) => x.id === v.json().id).count).toBe(list.items.length);
    // Another agent cannot see or use a personal view.
    expect((await call('GET', `/api/v1/tickets?view=${v.json().id}`, ws.lead.headers)).statusCode).toBe(404);
    // Shared with the workspace: every agent sees and uses it; its owner and admins change it.
    const team = await call('POST', '/api/v1/views', ws.agent.headers, {
      name: 'Team urgent',
      shared: true,
      filters: { priority: 'urgent' },
    });
    expect(team.statusCode).toBe(201);
    expect(team.json()).toMatchObject({ shared: true, ownerId: ws.agent.agentId, editable: true });
    const seen = (await call('GET', '/api/v1/views', ws.lead.headers)).json().items;
    expect(seen.find((x: { id: number }) => x.id === team.json().id)).toMatchObject({
      shared: true,
      editable: false,
    });
    expect((await call('GET', `/api/v1/tickets?view=${team.json().id}`, ws.lead.headers)).statusCode).toBe(
      200,
    );
    expect(
      (await call('PATCH', `/api/v1/views/${team.json().id}`, ws.lead.headers, { name: 'Mine now' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call('PATCH', `/api/v1/views/${team.json().id}`, ws.admin.headers, { name: 'Urgent (team)' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await call('PATCH', `/api/v1/views/${team.json().id}`, ws.agent.headers, { shared: false })).json(),
    ).toMatchObject({ shared: false, name: 'Urgent (team)' });
    expect((await call('GET', `/api/v1/tickets?view=${team.json().id}`, ws.lead.headers)).statusCode).toBe(
      404,
    );
  });
});

describe('assignment notifications', () => {
  it('notify the agent a ticket is handed to, but not someone who takes it themselves', async () => {
    const tk = (
      await call('POST', '/api/v1/tickets', ws.agent.headers, ticketBody({ subject: 'Hand over' }))
    ).json();
    await call('PATCH', `/api/v1/tickets/${tk.id}`, ws.lead.headers, { assigneeId: ws.agent.agentId });
    const mine = (await call('GET', '/api/v1/notifications', ws.agent.headers)).json().items;
    expect(mine[0]).toMatchObject({
      type: 'assignment',
      ticketId: tk.id,
      data: { byAgentId: ws.lead.agentId, subject: 'Hand over' },
    });
    await call('PATCH', `/api/v1/tickets/${tk.id}`, ws.lead.headers, { assigneeId: ws.lead.agentId });
    const leads = (await call('GET', '/api/v1/notifications', ws.lead.headers)).json().items;
    expect(
      leads.filter(
        (n: { type: string; ticketId: number }) => n.type === 'assignment' && n.ticketId === tk.id,
      ),
    ).toEqual([]);
  });
});
