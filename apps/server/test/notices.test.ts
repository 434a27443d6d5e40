import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendingCalendar } from '../src/modules/notices/notices.service.ts';
import { isOpen } from '../src/modules/sla/index.ts';
import { sql } from '../src/platform/db/db.ts';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

let t: TestApp;
let ws: TestWorkspace;
let n = 0;

async function newTicket(email = `shopper${++n}@example.com`, name = 'Sam Shopper', w = ws) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: w.agent.headers,
    payload: ticketBody({ channel: 'email', contact: { email, name } }),
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { id: number; contact: { id: number } };
}
const send = (ticketId: number, over: Record<string, unknown> = {}, w = ws) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/notices',
    headers: w.agent.headers,
    payload: {
      kind: 'ticket.update',
      ticketId,
      dedupeKey: `k-${ticketId}`,
      values: { 'update.text': 'Your parcel left our warehouse today.' },
      ...over,
    },
  });
const messagesOf = async (ticketId: number) =>
  (await get(t, `/api/v1/tickets/${ticketId}`, ws.agent.headers)).json().messages as {
    id: number;
    kind: string;
    bodyText: string;
    deliveryStatus: string;
    channelMeta: Record<string, unknown>;
  }[];
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

beforeAll(async () => {
  t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
  ws = await t.workspace('Notice Shop');
  await createInbox(t, ws, { name: 'Support', address: 'support@notice-shop.test' });
  // Quiet hours nowhere near now, so only the quiet-hours test meets them.
  const far = new Date(Date.now() + 12 * 3_600_000);
  await t.app.inject({
    method: 'PATCH',
    url: '/api/v1/notices/settings',
    headers: ws.admin.headers,
    payload: { quietStart: hhmm(far), quietEnd: hhmm(new Date(far.getTime() + 3_600_000)), timezone: 'UTC' },
  });
});
afterAll(() => t?.stop());

describe('customer notices', () => {
  it('sends once per dedupe key, through the ticket’s e-mail delivery, recorded on its timeline', async () => {
    const ticket = await newTicket('cleo@example.com', 'Cleo Jones');
    const first = await send(ticket.id);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'sent',
      channel: 'email',
      duplicate: false,
      subject: 'An update on your request',
    });
    expect(first.json().body).toContain('Hi Cleo,\n\nYour parcel left our warehouse today.');
    const again = await send(ticket.id);
    expect(again.json()).toMatchObject({ status: 'sent', duplicate: true, id: first.json().id });
    // Several retries at once still make one message.
    await Promise.all([1, 2, 3].map(() => send(ticket.id)));
    await settle(t);
    const out = (await messagesOf(ticket.id)).filter((m) => m.kind === 'outbound');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ deliveryStatus: 'sent' });
    expect(out[0]!.channelMeta.via).toMatchObject({ kind: 'notice', name: 'ticket.update' });
    const box = (await get(t, '/api/v1/email/dev-mailbox', ws.agent.headers)).json().items as {
      to: string[];
      subject: string;
      messageId: number;
    }[];
    const mail = box.filter((b) => b.to.includes('cleo@example.com'));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('An update on your request');
    const listed = (await get(t, `/api/v1/notices?ticketId=${ticket.id}`, ws.agent.headers)).json().items;
    expect(listed).toHaveLength(1);
  });

  it('refuses unknown or missing variables and records nothing', async () => {
    const ticket = await newTicket();
    const unknown = await send(ticket.id, { values: { 'update.text': 'x', 'order.number': '1001' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('order.number');
    const missing = await send(ticket.id, { values: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toMatchObject({ missing: ['update.text'] });
    // A workspace's own wording may only use declared variables.
    const bad = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/notices/kinds/ticket.update/templates/en',
      headers: ws.admin.headers,
      payload: { subject: 'Hi', body: 'Your {{coupon.code}}' },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      (await get(t, `/api/v1/notices?ticketId=${ticket.id}`, ws.agent.headers)).json().items,
    ).toHaveLength(0);
    expect((await messagesOf(ticket.id)).filter((m) => m.kind === 'outbound')).toHaveLength(0);
  });

  it('uses the workspace’s wording per language, falling back to the built-in one', async () => {
    const ticket = await newTicket('dora@example.com', 'Dora Berg');
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/notices/kinds/ticket.update/templates/de',
      headers: ws.admin.headers,
      payload: { subject: 'Neues von {{shop.name}}', body: 'Liebe {{customer.first_name}}, {{update.text}}' },
    });
    expect(put.statusCode).toBeLessThan(300);
    const preview = await t.app.inject({
      method: 'POST',
      url: '/api/v1/notices/preview',
      headers: ws.agent.headers,
      payload: {
        kind: 'ticket.update',
        ticketIds: [ticket.id],
        locale: 'de-AT',
        values: { 'update.text': 'Paket ist da.' },
      },
    });
    expect(preview.json().items[0]).toMatchObject({
      locale: 'de',
      subject: 'Neues von Notice Shop',
      dryRun: true,
      status: 'sent',
    });
    expect(preview.json().items[0].body).toMatch(/^Liebe Dora, Paket ist da\.\n\n—\nWählen Sie/);
    const fr = await t.app.inject({
      method: 'POST',
      url: '/api/v1/notices/preview',
      headers: ws.agent.headers,
      payload: {
        kind: 'ticket.update',
        ticketIds: [ticket.id],
        locale: 'fr',
        values: { 'update.text': 'x' },
      },
    });
    expect(fr.json().items[0]).toMatchObject({ locale: 'en' });
  });

  it('dry run shows who would be told, and sends nothing', async () => {
    const a = await newTicket('ann@example.com', 'Ann');
    const b = await newTicket('bob@example.com', 'Bob');
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/notices/contacts/${b.contact.id}/preferences`,
      headers: ws.agent.headers,
      payload: { optedOut: ['ticket.update'] },
    });
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/notices/preview',
      headers: ws.agent.headers,
      payload: {
        kind: 'ticket.update',
        ticketIds: [a.id, b.id],
        values: { 'update.text': 'Sorry for the wait.' },
      },
    });
    expect(r.statusCode).toBe(200);
    const [pa, pb] = r.json().items;
    expect(pa).toMatchObject({
      contactEmail: 'ann@example.com',
      status: 'sent',
      channel: 'email',
      dryRun: true,
    });
    expect(pb).toMatchObject({ contactEmail: 'bob@example.com', status: 'skipped', reason: 'opted_out' });
    // Consent withdrawn on the channel (the intake's record, e.g. a STOP): no channel left to use.
    await t.db.query(
      sql`INSERT INTO channel_consents (workspace_id, channel, address, state) VALUES (${ws.workspaceId}, 'email', 'ann@example.com', 'opted-out')`,
    );
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/notices/preview',
      headers: ws.agent.headers,
      payload: { kind: 'ticket.update', ticketIds: [a.id], values: { 'update.text': 'x' } },
    });
    expect(again.json().items[0]).toMatchObject({ status: 'skipped', reason: 'no_channel' });
    expect((await get(t, `/api/v1/notices?ticketId=${a.id}`, ws.agent.headers)).json().items).toHaveLength(0);
    await settle(t);
    expect((await messagesOf(a.id)).filter((m) => m.kind === 'outbound')).toHaveLength(0);
  });

  it('the options page linked from a notice turns a kind off; the next notice is skipped', async () => {
    const ticket = await newTicket('opt@example.com', 'Otto');
    const sent = (await send(ticket.id, { dedupeKey: 'opt-1' })).json();
    const url = /(https?:\/\/\S+\/l\/notice-options\.contact\.\S+)/.exec(sent.body)![1]!;
    const path = new URL(url).pathname;
    const page = await t.app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Updates about your requests');
    expect(page.body).toMatch(/name="k_ticket\.update" checked/);
    const saved = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).not.toMatch(/name="k_ticket\.update" checked/);
    const next = (await send(ticket.id, { dedupeKey: 'opt-2' })).json();
    expect(next).toMatchObject({ status: 'skipped', reason: 'opted_out' });
  });

  it('caps notices per customer, and holds them through quiet hours', async () => {
    const other = await t.workspace('Quiet Shop');
    await createInbox(t, other, { name: 'Support', address: 'support@quiet-shop.test' });
    const now = Date.now();
    await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/notices/settings',
      headers: other.admin.headers,
      payload: {
        timezone: 'UTC',
        quietStart: hhmm(new Date(now - 2 * 3_600_000)),
        quietEnd: hhmm(new Date(now + 2 * 3_600_000)),
        capCount: 1,
      },
    });
    const ticket = await newTicket('night@example.com', 'Nia', other);
    const held = (await send(ticket.id, { dedupeKey: 'q-1' }, other)).json();
    expect(held.status).toBe('scheduled');
    expect(new Date(held.sendAfter).getTime()).toBeGreaterThan(now + 3_600_000);
    const capped = (await send(ticket.id, { dedupeKey: 'q-2' }, other)).json();
    expect(capped).toMatchObject({ status: 'skipped', reason: 'capped' });
    // The release job at the end of quiet hours sends it.
    await t.services.notices.release(other.workspaceId, held.id);
    const rows = (await get(t, `/api/v1/notices?ticketId=${ticket.id}`, other.agent.headers)).json().items;
    expect(rows.find((r: { id: number }) => r.id === held.id)).toMatchObject({ status: 'sent' });
    await settle(t);
    const msgs = (await get(t, `/api/v1/tickets/${ticket.id}`, other.agent.headers)).json().messages;
    expect(msgs.filter((m: { kind: string }) => m.kind === 'outbound')).toHaveLength(1);
    // Another workspace cannot send about this ticket.
    expect((await send(ticket.id, { dedupeKey: 'x' })).statusCode).toBe(404);
  });

  it('quiet hours across midnight and within a day', () => {
    const overnight = sendingCalendar({
      timezone: 'Europe/Berlin',
      quiet_start: '21:00',
      quiet_end: '08:00',
    })!;
    expect(isOpen(overnight, new Date('2026-07-01T10:00:00Z'))).toBe(true); // 12:00 in Berlin
    expect(isOpen(overnight, new Date('2026-07-01T20:30:00Z'))).toBe(false); // 22:30
    expect(isOpen(overnight, new Date('2026-07-01T05:30:00Z'))).toBe(false); // 07:30
    const midday = sendingCalendar({ timezone: 'UTC', quiet_start: '12:00', quiet_end: '13:00' })!;
    expect(isOpen(midday, new Date('2026-07-01T12:30:00Z'))).toBe(false);
    expect(isOpen(midday, new Date('2026-07-01T13:30:00Z'))).toBe(true);
    expect(sendingCalendar({ timezone: 'UTC', quiet_start: '00:00', quiet_end: '00:00' })).toBeNull();
  });
});
