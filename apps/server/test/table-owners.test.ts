import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const checker = join(root, 'scripts/check-table-owners.mjs');

/** Runs the lint's table-ownership check on a source tree; returns its exit code and report. */
async function check(srcDir: string) {
  try {
    const { stderr } = await run(process.execPath, [checker, srcDir], { cwd: srcDir });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('table ownership lint', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function tree(files: Record<string, string>) {
    dir = await mkdtemp(join(tmpdir(), 'table-owners-'));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return dir;
  }

  it('passes on the real server source', async () => {
    const res = await check(join(root, 'apps/server/src'));
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
  });

  it('fails with file:line when a module reads a table another module owns', async () => {
    const src = await tree({
      'modules/routing/offers.repository.ts': [
        "import { sql } from '../../platform/db/db.ts';",
        'export const q = sql`SELECT id FROM routing_queue`;',
        'export const bad = sql`SELECT id',
        '  FROM sessions WHERE expires_at > now()`;',
      ].join('\n'),
    });
    const res = await check(src);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('modules/routing/offers.repository.ts:4');
    expect(res.stderr).toContain('reads table "sessions", owned by modules/agents');
    expect(res.stderr).not.toContain('routing_queue');
  });

  it("fails on a write into another module's table, and ignores prose, tests and the seed", async () => {
    const src = await tree({
      'modules/commerce/refunds.ts':
        "export const w = sql`INSERT INTO ticket_events (type) VALUES ('x')`;\n// read from tickets\n",
      'modules/commerce/refunds.test.ts': 'sql`SELECT * FROM tickets`;',
      'seed/demo.ts': 'sql`INSERT INTO tickets DEFAULT VALUES`;',
    });
    const res = await check(src);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('modules/commerce/refunds.ts:1');
    expect(res.stderr).toContain('writes table "ticket_events", owned by modules/tickets');
    expect(res.stderr.match(/owned by/g)).toHaveLength(1);
  });

  it('lets a listed read through but not a write to the same table', async () => {
    // modules/search/search.repository.ts may read tickets (a kept exception), never write them.
    const src = await tree({
      'modules/search/search.repository.ts':
        'sql`SELECT id FROM tickets`;\nsql`UPDATE tickets SET search = NULL`;',
    });
    const res = await check(src);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('modules/search/search.repository.ts:2');
    expect(res.stderr).not.toContain('search.repository.ts:1');
  });
});
