// Backup and restore (docs/operations.md "Back up and restore"), on both databases: a backup taken while
// tickets keep arriving (embedded: by the serving process, as through its admin socket), restored into a
// fresh data dir / empty database, holds every ticket acknowledged before it began, each whole, plus the
// files and the master key; restore refuses a database that is not empty.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../src/cli-commands.ts';
import { loadConfig } from '../src/config.ts';
import { readManifest, restore } from '../src/platform/db/backup.ts';
import { sql } from '../src/platform/db/db.ts';
import { createLogger } from '../src/platform/log.ts';
import { freshDatabaseUrl, startTestApp, type TestApp, ticketBody } from './harness.ts';

const tmp = mkdtempSync(join(tmpdir(), 'shopdesk-backup-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  rmSync(tmp, { recursive: true, force: true });
});

const log = createLogger('silent');

async function createTicket(t: TestApp, headers: Record<string, string>, subject: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers,
    payload: ticketBody({ subject }),
  });
  return res.statusCode === 201;
}

describe('backup and restore', () => {
  it('backs up under load without stopping, and restores every acknowledged ticket', async () => {
    const source = await freshDatabaseUrl();
    const target = await freshDatabaseUrl();
    cleanups.push(source.drop, target.drop);
    const dirA = join(tmp, 'a');
    const dirB = join(tmp, 'b');
    const t = await startTestApp(
      {},
      source.url ? { databaseUrl: source.url, dataDir: dirA } : { dataDir: dirA },
    );
    cleanups.push(() => t.stop());
    const ws = await t.workspace('Backup Shop');
    const acked: string[] = [];
    for (let i = 0; i < 20; i++)
      if (await createTicket(t, ws.admin.headers, `before ${i}`)) acked.push(`before ${i}`);
    const withFile = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: ws.admin.headers,
      payload: ticketBody({
        subject: 'with a file',
        message: {
          body: 'see the note',
          attachments: [
            {
              filename: 'note.txt',
              contentType: 'text/plain',
              contentBase64: Buffer.from('a file kept by the backup').toString('base64'),
            },
          ],
        },
      }),
    });
    const fileUrl = (withFile.json() as { messages: { attachments: { url: string }[] }[] }).messages[0]!
      .attachments[0]!.url;

    // Tickets keep arriving while the backup runs.
    let loading = true;
    const during: string[] = [];
    const load = (async () => {
      for (let i = 0; loading; i++)
        if (await createTicket(t, ws.admin.headers, `during ${i}`)) during.push(`during ${i}`);
    })();
    const out = join(tmp, 'backup');
    const printed: string[] = [];
    await runCommand(
      'backup',
      { out },
      { db: t.db, config: t.config, log, io: { out: (s) => printed.push(s), err: () => {} }, inServer: true },
    );
    loading = false;
    await load;
    expect(during.length).toBeGreaterThan(0);
    expect(printed.join('')).toMatch(/^Backed up the (embedded|PostgreSQL) database/);
    const manifest = readManifest(out);
    expect(manifest.kind).toBe(t.db.kind);
    expect(existsSync(join(out, manifest.kind === 'pglite' ? 'pglite.tar.gz' : 'database.pgdump'))).toBe(
      true,
    );
    const key = join(dirA, 'secret.key');
    if (existsSync(key))
      expect(readFileSync(join(out, 'secret.key'), 'utf8')).toBe(readFileSync(key, 'utf8'));
    await t.stop();

    const config = loadConfig({
      SHOPDESK_DATA_DIR: dirB,
      LOG_LEVEL: 'silent',
      SECRET_KEY: 'test-secret-key-that-is-long-enough-1234',
      ...(target.url ? { DATABASE_URL: target.url } : {}),
    });
    await restore(config, out);
    await expect(restore(config, out)).rejects.toThrow(/already holds a database|not empty/);

    const r = await startTestApp(
      {},
      target.url ? { databaseUrl: target.url, dataDir: dirB } : { dataDir: dirB },
    );
    cleanups.push(() => r.stop());
    const rows = await r.db.query<{ subject: string; messages: number }>(sql`
      SELECT t.subject, (SELECT count(*)::int FROM messages m WHERE m.ticket_id = t.id) AS messages
      FROM tickets t WHERE t.workspace_id = ${ws.workspaceId}`);
    const subjects = new Set(rows.map((x) => x.subject));
    for (const s of acked) expect(subjects.has(s), `${s} restored`).toBe(true);
    // Tickets acknowledged during the backup are in it or not, but never half: each has its message.
    for (const x of rows) expect(x.messages).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThanOrEqual(acked.length + during.length);
    // The restored desk serves: sign-in tokens, the file uploaded before the backup.
    const list = await r.app.inject({
      method: 'GET',
      url: '/api/v1/tickets?limit=5',
      headers: ws.admin.headers,
    });
    expect(list.statusCode).toBe(200);
    const file = await r.app.inject({ method: 'GET', url: fileUrl, headers: ws.admin.headers });
    expect(file.body).toBe('a file kept by the backup');
  }, 300_000);
});
