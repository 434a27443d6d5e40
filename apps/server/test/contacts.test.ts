import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Contacts Shop');
});
afterAll(() => t?.stop());

const call = (method: string, url: string, payload?: unknown, h = ws.agent.headers) =>
  t.app.inject({ method: method as 'GET', url, headers: h, payload: payload as object });

describe('contacts', () => {
  it('creates, finds, updates and refuses a duplicate email', async () => {
    const c = await call('POST', '/api/v1/contacts', {
      name: 'Ines Moreau',
      email: 'Ines@Example.com',
      phone: '+33 6 12 34 56 78',
      tags: ['vip'],
    });
    expect(c.statusCode).toBe(201);
    expect(c.json()).toMatchObject({
      email: 'ines@example.com',
      identities: expect.arrayContaining([{ kind: 'email', value: 'ines@example.com', verified: false }]),
    });
    expect((await call('POST', '/api/v1/contacts', { email: 'ines@example.com' })).statusCode).toBe(409);
    const found = (await call('GET', '/api/v1/contacts?q=moreau')).json().items;
    expect(found.map((x: { id: number }) => x.id)).toContain(c.json().id);
    const up = await call('PATCH', `/api/v1/contacts/${c.json().id}`, {
      notes: 'Prefers WhatsApp',
      identities: [{ kind: 'whatsapp', value: '33612345678' }],
    });
    expect(up.json()).toMatchObject({ notes: 'Prefers WhatsApp' });
    expect(up.json().identities.map((i: { kind: string }) => i.kind)).toEqual(
      expect.arrayContaining(['email', 'phone', 'whatsapp']),
    );
    expect((await call('PATCH', `/api/v1/contacts/${c.json().id}`, { unknownField: 1 })).statusCode).toBe(
      400,
    );
  });

  it('two opposite merges at once: one wins, the other is refused, no cycle', async () => {
    for (let round = 0; round < 5; round++) {
      const a = (await call('POST', '/api/v1/contacts', { email: `race-a-${round}@example.com` })).json();
      const b = (await call('POST', '/api/v1/contacts', { email: `race-b-${round}@example.com` })).json();
      const [ab, ba] = await Promise.all([
        call('POST', '/api/v1/contacts/merge', { sourceId: a.id, targetId: b.id }),
        call('POST', '/api/v1/contacts/merge', { sourceId: b.id, targetId: a.id }),
      ]);
      expect([ab.statusCode, ba.statusCode].sort()).toEqual([200, 400]);
      const survivor = (ab.statusCode === 200 ? ab : ba).json().id;
      // Both old ids resolve to the one survivor (a cycle would leave neither unmerged).
      expect((await call('GET', `/api/v1/contacts/${a.id}`)).json().id).toBe(survivor);
      expect((await call('GET', `/api/v1/contacts/${b.id}`)).json().id).toBe(survivor);
    }
  });

  it('merges two contacts: identities, notes and tickets end up on the survivor', async () => {
    const chat = (
      await call('POST', '/api/v1/contacts', {
        name: 'Visitor',
        identities: [{ kind: 'chat', value: 'visitor-123' }],
        notes: 'met on chat',
      })
    ).json();
    const mail = (
      await call('POST', '/api/v1/contacts', { name: 'Kenji Tanaka', email: 'kenji@example.com' })
    ).json();
    const t1 = (await call('POST', '/api/v1/tickets', ticketBody({ contact: { id: chat.id } }))).json();
    const t2 = (
      await call('POST', '/api/v1/tickets', ticketBody({ contact: { email: 'kenji@example.com' } }))
    ).json();
    const merged = await call('POST', '/api/v1/contacts/merge', { sourceId: chat.id, targetId: mail.id });
    expect(merged.statusCode).toBe(200);
    expect(merged.json().identities.map((i: { value: string }) => i.value)).toEqual(
      expect.arrayContaining(['kenji@example.com', 'visitor-123']),
    );
    expect(merged.json().notes).toContain('met on chat');
    const tickets = (await call('GET', `/api/v1/contacts/${mail.id}/tickets`))
      .json()
      .items.map((x: { id: number }) => x.id);
    expect(tickets.sort()).toEqual([t1.id, t2.id].sort());
    // The old id resolves to the survivor; the chat identity now finds the merged contact.
    expect((await call('GET', `/api/v1/contacts/${chat.id}`)).json().id).toBe(mail.id);
    const fromChat = (
      await call('POST', '/api/v1/tickets', ticketBody({ contact: { email: 'kenji@example.com' } }))
    ).json();
    expect(fromChat.contact.id).toBe(mail.id);
    const audit = (await call('GET', '/api/v1/audit-log', undefined, ws.admin.headers)).json().items;
    expect(audit.some((e: { action: string }) => e.action === 'contact.merged')).toBe(true);
  });

  it('only admins delete, and a contact with tickets cannot be deleted', async () => {
    const c = (
      await call('POST', '/api/v1/tickets', ticketBody({ contact: { email: 'keep@example.com' } }))
    ).json().contact;
    expect((await call('DELETE', `/api/v1/contacts/${c.id}`)).statusCode).toBe(403);
    expect((await call('DELETE', `/api/v1/contacts/${c.id}`, undefined, ws.admin.headers)).statusCode).toBe(
      409,
    );
    const lone = (await call('POST', '/api/v1/contacts', { email: 'lone@example.com' })).json();
    expect(
      (await call('DELETE', `/api/v1/contacts/${lone.id}`, undefined, ws.admin.headers)).statusCode,
    ).toBe(204);
    expect((await call('GET', `/api/v1/contacts/${lone.id}`)).statusCode).toBe(404);
  });
});
