import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Issue #24: what the dashboard shows speaks in words — the automation log names teams and agents — and
// the audit log can be narrowed by who, what and when.

let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await t.workspace('Words Shop');
});
afterAll(() => t?.stop());

const api = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

describe('the automation log names what it acted with', () => {
  it('says "Moved to team Billing" and "Assigned to <agent>", not ids', async () => {
    const team = (await api('POST', '/api/v1/teams', ws.admin.headers, { name: 'Billing' })).json();
    const res = await api('POST', '/api/v1/automations', ws.lead.headers, {
      name: 'Invoices to billing',
      kind: 'trigger',
      events: ['ticket.created'],
      conditions: { all: [{ field: 'subject', op: 'contains', value: 'invoice' }] },
      actions: [
        { type: 'assign_team', teamId: team.id },
        { type: 'assign_agent', agentId: ws.agent.agentId },
        { type: 'set_status', status: 'on-hold' },
      ],
    });
    expect(res.statusCode).toBe(201);
    const ticket = (
      await api('POST', '/api/v1/tickets', ws.agent.headers, ticketBody({ subject: 'Need an invoice' }))
    ).json();
    const log = (await api('GET', `/api/v1/tickets/${ticket.id}/automation-runs`, ws.agent.headers)).json()
      .items;
    expect(log[0].actions).toEqual([
      'Moved to team Billing',
      'Assigned to agent of Words Shop',
      'Set status to on hold',
    ]);
  });
});

describe('audit log filters', () => {
  it('narrows by agent, by no agent, by action or family, and by time', async () => {
    // Three entries: two sign-ins by different agents and one token created by the admin.
    await t.login(ws.lead);
    await t.login(ws.admin);
    await api('POST', '/api/v1/tokens', ws.admin.headers, { name: 'CI' });
    await t.db.query(
      sql`INSERT INTO audit_log (workspace_id, actor_agent_id, action, data, created_at)
          VALUES (${ws.workspaceId}, NULL, 'contact.deleted', '{}'::jsonb, '2020-01-15T10:00:00Z')`,
    );
    const list = async (q: string) => {
      const res = await api('GET', `/api/v1/audit-log?${q}`, ws.admin.headers);
      expect(res.statusCode).toBe(200);
      return (res.json().items as { action: string; actorAgentId: number | null }[]).map(
        (e) => `${e.action}:${e.actorAgentId ?? 'system'}`,
      );
    };
    const lead = await list(`actor=${ws.lead.agentId}`);
    expect(lead).toContain(`auth.login:${ws.lead.agentId}`);
    expect(lead.every((x) => x.endsWith(`:${ws.lead.agentId}`))).toBe(true);
    const system = await list('actor=system');
    expect(system).toContain('contact.deleted:system');
    expect(system.every((x) => x.endsWith(':system'))).toBe(true);
    expect((await list('action=auth.login')).sort()).toEqual(
      [`auth.login:${ws.admin.agentId}`, `auth.login:${ws.lead.agentId}`].sort(),
    );
    const tokens = await list('action=token.');
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((x) => x.startsWith('token.'))).toBe(true);
    expect(await list('from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z')).toEqual([
      'contact.deleted:system',
    ]);
    expect(await list('to=2020-01-01T00:00:00Z')).toEqual([]);
    expect((await api('GET', '/api/v1/audit-log?from=yesterday', ws.admin.headers)).statusCode).toBe(400);
  });
});

describe('usable channels', () => {
  it('lists the channels a workspace can use: every channel with a connector in the deployment', async () => {
    const res = await api('GET', '/api/v1/channels', ws.agent.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      { channel: 'email', label: 'Email' },
      { channel: 'chat', label: 'Chat' },
      // Twilio's adapter (docs/sms-voice.md) and Meta's (docs/messaging-apps.md) are in the deployment,
      // so no channel is left out any more; a channel without an adapter would be.
      { channel: 'sms', label: 'SMS' },
      { channel: 'voice', label: 'Phone' },
      { channel: 'messenger', label: 'Messenger' },
      { channel: 'instagram', label: 'Instagram' },
      { channel: 'whatsapp', label: 'WhatsApp' },
      { channel: 'web', label: 'Web form' },
      { channel: 'api', label: 'API' },
      // Mentions' tickets (modules/listening): filters, routing and SLA can single them out.
      { channel: 'social', label: 'Social mentions' },
    ]);
  });
});

describe('dashboard search', () => {
  it('forgives a typo in a subject or a name, and an email address finds the customer and their tickets', async () => {
    const maria = { email: 'maria.rossi@example.com', name: 'Maria Rossi' };
    const refund = (
      await api('POST', '/api/v1/tickets', ws.agent.headers, {
        subject: 'Refund for the parcel that never came',
        contact: maria,
        message: { body: 'Please send my money back.' },
      })
    ).json();
    const size = (
      await api('POST', '/api/v1/tickets', ws.agent.headers, {
        subject: 'Wrong size',
        contact: maria,
        message: { body: 'The boots are too small.' },
      })
    ).json();
    await api('POST', '/api/v1/tickets', ws.agent.headers, {
      subject: 'Question about gift cards',
      contact: { email: 'someone@example.com', name: 'Someone Else' },
      message: { body: 'Do gift cards expire?' },
    });
    const search = async (q: string) => {
      const res = await api('GET', `/api/v1/search?q=${encodeURIComponent(q)}`, ws.agent.headers);
      expect(res.statusCode).toBe(200);
      return res.json() as {
        tickets: { ticketId: number; subject: string }[];
        contacts: { id: number; email: string | null }[];
      };
    };
    // Typos in the subject: no exact word matches, the close subject is found.
    expect((await search('parcle')).tickets.map((t) => t.ticketId)).toContain(refund.id);
    expect((await search('refnd parcel')).tickets[0]?.ticketId).toBe(refund.id);
    // A typo in the customer's name.
    expect((await search('Maria Rosi')).contacts.map((c) => c.email)).toContain(maria.email);
    // The email address: the contact and both of her tickets, nobody else's.
    const byEmail = await search(maria.email);
    expect(byEmail.contacts.map((c) => c.email)).toEqual([maria.email]);
    expect(byEmail.tickets.map((t) => t.ticketId).sort()).toEqual([refund.id, size.id].sort());
    // Unrelated words still find nothing.
    expect((await search('zzzqqq')).tickets).toEqual([]);
  });
});
