import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/platform/db/db.ts';
import { DEMO_ADMIN_EMAIL, seedDemo } from '../src/seed/demo-seed.ts';
import { startTestApp, type TestApp } from './harness.ts';

// A newcomer sees Mentions and a listening source in the demo, and the demo never listens out of the machine.
let t: TestApp;
let headers: { authorization: string };

beforeAll(async () => {
  t = await startTestApp();
  const { workspaceId } = await seedDemo(t.db, undefined, 'demo-password-123');
  const admin = await t.db.one<{ id: number }>(
    sql`SELECT id FROM agents WHERE workspace_id = ${workspaceId} AND email = ${DEMO_ADMIN_EMAIL}`,
  );
  headers = {
    authorization: `Bearer ${(await t.services.agents.createToken(workspaceId, admin!.id, 't')).token}`,
  };
}, 180_000);
afterAll(() => t?.stop());

describe('the demo listening', () => {
  it('has scored mentions and a source that is switched off', async () => {
    const m = await t.app.inject({ method: 'GET', url: '/api/v1/listening/mentions', headers });
    const items = m.json().items as { sentiment: string; sentimentReasons: unknown[] }[];
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.map((i) => i.sentiment)).toEqual(expect.arrayContaining(['negative', 'positive']));
    const s = await t.app.inject({ method: 'GET', url: '/api/v1/listening/sources', headers });
    expect(s.json().items).toMatchObject([{ kind: 'bluesky', enabled: false }]);
    const jobs = await t.db.query(sql`SELECT 1 FROM jobs WHERE name = 'listening-poll'`);
    expect(jobs).toHaveLength(0);
  });
});
