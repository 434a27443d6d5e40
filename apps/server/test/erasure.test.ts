import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

// Right to be forgotten (POST /api/v1/contacts/:id/erase): after it, no row of the workspace holds the
// customer's address or name or what they wrote; the other workspace's customer with the same address
// keeps everything; only admins may erase.

let app: TestApp;
let ws: TestWorkspace;
let other: TestWorkspace;
beforeAll(async () => {
  app = await startTestApp();
  ws = await app.workspace('Erase Shop');
  other = await app.workspace('Keep Shop');
});
afterAll(() => app?.stop());

const call = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
  app.app.inject({ method: method as 'GET', url, headers, payload: payload as object });

/** Rows per table that mention `needle`, for one workspace (tables with workspace_id) or any (others). */
async function mentions(needle: string, workspaceId: number) {
  const tables = await app.db.query<{ table_name: string; has_ws: boolean }>(sql`
    SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns c
                                 WHERE c.table_schema = 'public' AND c.table_name = t.table_name
                                   AND c.column_name = 'workspace_id') AS has_ws
    FROM information_schema.tables t WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'`);
  const found: Record<string, number> = {};
  for (const t of tables) {
    const id = sql.identifier(t.table_name);
    const row = await app.db.one<{ n: number }>(
      t.has_ws
        ? sql`SELECT count(*)::int AS n FROM ${id} x WHERE x.workspace_id = ${workspaceId} AND x::text ILIKE ${`%${needle}%`}`
        : sql`SELECT count(*)::int AS n FROM ${id} x WHERE x::text ILIKE ${`%${needle}%`}`,
    );
    if (row!.n) found[t.table_name] = row!.n;
  }
  return found;
}

describe('erasure of a customer', () => {
  it('leaves nothing of the customer in the workspace and touches no other workspace', async () => {
    const email = 'vanish.me@example.com';
    const body = ticketBody({
      subject: 'Parcel for Vanessa Gone',
      contact: { email, name: 'Vanessa Gone' },
      message: { body: 'Please send it to 12 Hidden Lane, my phone is 555-0199' },
    });
    const t = await call('POST', '/api/v1/tickets', ws.agent.headers, body);
    expect(t.statusCode, t.body).toBe(201);
    const ticketId = t.json().id;
    const reply = await call('POST', `/api/v1/tickets/${ticketId}/replies`, ws.agent.headers, {
      body: 'Hi Vanessa Gone, it ships to 12 Hidden Lane today.',
      kind: 'note',
    });
    expect(reply.statusCode, reply.body).toBeLessThan(300);
    const kept = await call('POST', '/api/v1/tickets', other.agent.headers, body);
    expect(kept.statusCode).toBe(201);
    const contactId = t.json().contact?.id ?? t.json().contactId;
    expect(contactId).toBeTruthy();
    expect(Object.keys(await mentions(email, ws.workspaceId)).length).toBeGreaterThan(0);

    for (const who of [ws.lead, ws.agent, ws.readonly])
      expect((await call('POST', `/api/v1/contacts/${contactId}/erase`, who.headers)).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/contacts/${contactId}/erase`, other.admin.headers)).statusCode).toBe(
      404,
    );

    const res = await call('POST', `/api/v1/contacts/${contactId}/erase`, ws.admin.headers);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ contactId, contacts: 1, tickets: 1 });
    expect(res.json().messages).toBeGreaterThanOrEqual(2);

    for (const needle of [email, 'Vanessa Gone', 'Hidden Lane', '555-0199'])
      expect(await mentions(needle, ws.workspaceId), needle).toEqual({});
    // The ticket stays (counts, dates) with nothing readable; the audit says who erased which id.
    const after = (await call('GET', `/api/v1/tickets/${ticketId}`, ws.admin.headers)).json();
    expect(after.subject).toBe('[erased]');
    const audit = await app.db.one<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = ${ws.workspaceId} AND action = 'contact.erased'`);
    expect(audit!.n).toBe(1);
    // The other shop's customer with the same address is untouched.
    const theirs = await mentions(email, other.workspaceId);
    expect(theirs.contacts).toBe(1);
    expect((await call('GET', `/api/v1/tickets/${kept.json().id}`, other.agent.headers)).json().subject).toBe(
      'Parcel for Vanessa Gone',
    );
  });
});
