import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, sql } from '../src/platform/db/db.ts';
import { migrationsDir, NO_TRANSACTION } from '../src/platform/db/migrate.ts';
import { freshDatabaseUrl, startTestApp, type TestApp, type TestWorkspace, ticketBody } from './harness.ts';

/**
 * docs/operations.md "Upgrade" step 3 with two nodes on one PostgreSQL, under continuous traffic through
 * a balancer: drain a node, stop it (what SIGTERM runs), start the new release, wait for /api/ready 200,
 * put it back, next node; then roll back one node to the previous release.
 *
 * CI holds one checkout, so both releases run this commit's code; what differs is the schema. Release N+1
 * is this code plus an expand-only migration set written by the "Expand / contract" rules (a nullable
 * column and a column with a constant default on the busiest tables, a CHECK added NOT VALID and then
 * validated, an index built CONCURRENTLY in a no-transaction file), applied by the first new node at its
 * start while an old node keeps serving. So the test proves that this code serves on a schema a later
 * expand release made (old nodes during a roll, and a rollback), that applying such a release blocks
 * and fails no request, and that the roll itself drops none. It cannot prove that a future release's
 * code follows the rules: review of each migration does that.
 */
const NEXT_RELEASE: Record<string, string> = {
  '9990_next_expand.sql': `
    ALTER TABLE tickets ADD COLUMN next_release_note text;
    ALTER TABLE messages ADD COLUMN next_release_flag boolean NOT NULL DEFAULT false;
    ALTER TABLE tickets ADD CONSTRAINT tickets_next_release_note_len CHECK (char_length(next_release_note) <= 200) NOT VALID;
    CREATE TABLE next_release_things (id bigserial PRIMARY KEY, ticket_id bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  `,
  '9991_next_index.sql': `${NO_TRANSACTION}
DROP INDEX CONCURRENTLY IF EXISTS tickets_next_release_note_idx;
CREATE INDEX CONCURRENTLY tickets_next_release_note_idx ON tickets (workspace_id, next_release_note);
`,
  '9992_next_validate.sql': 'ALTER TABLE tickets VALIDATE CONSTRAINT tickets_next_release_note_len;\n',
};

type Node = { name: string; release: 'N' | 'N+1'; app: TestApp; base: string };

describe('rolling upgrade of two nodes on one PostgreSQL', { timeout: 300_000 }, () => {
  let url: string;
  let drop: () => Promise<void>;
  let nextDir: string;
  const nodes: Node[] = [];
  let ws: TestWorkspace;

  async function startNode(name: string, release: Node['release']): Promise<Node> {
    const app = await startTestApp(
      // The traffic below is one token's; a limit would answer it 429 (not what this test is about).
      { RATE_LIMIT_PER_MINUTE: '1000000' },
      { databaseUrl: url, workers: true, migrationsDir: release === 'N+1' ? nextDir : migrationsDir },
    );
    const base = await app.app.listen({ port: 0, host: '127.0.0.1' });
    const node = { name, release, app, base };
    nodes.push(node);
    return node;
  }

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    url = fresh.url!;
    drop = fresh.drop;
    nextDir = mkdtempSync(join(tmpdir(), 'shopdesk-next-release-'));
    cpSync(migrationsDir, nextDir, { recursive: true });
    for (const [file, text] of Object.entries(NEXT_RELEASE)) writeFileSync(join(nextDir, file), text);
  });
  afterAll(async () => {
    for (const n of nodes) await n.app.stop().catch(() => {});
    await drop?.();
    rmSync(nextDir, { recursive: true, force: true });
  });

  it('old and new nodes serve together while they are replaced one at a time; no request fails', async () => {
    const a = await startNode('a', 'N');
    const b = await startNode('b', 'N');
    ws = await a.app.workspace();
    // Some history, so the concurrent index build and the validation have rows to go through.
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${a.base}/api/v1/tickets`, {
        method: 'POST',
        headers: { ...ws.agent.headers, 'content-type': 'application/json' },
        body: JSON.stringify(ticketBody({ subject: `Before the upgrade ${i}` })),
      });
      expect(res.status).toBe(201);
    }

    // The balancer: round robin over the nodes in rotation. A phase label records who served what when.
    const rotation: Node[] = [a, b];
    let phase = 'release N';
    let rr = 0;
    const served = new Map<string, number>();
    const failures: string[] = [];
    const acknowledged: number[] = [];
    let stop = false;
    let requests = 0;

    const inFlight = new Map<Node, number>();
    async function one(worker: number, i: number) {
      const node = rotation[rr++ % rotation.length]!;
      inFlight.set(node, (inFlight.get(node) ?? 0) + 1);
      try {
        await send(node, worker, i);
      } finally {
        inFlight.set(node, inFlight.get(node)! - 1);
      }
    }
    async function send(node: Node, worker: number, i: number) {
      const key = `${phase} | ${node.name} (${node.release})`;
      const headers = { ...ws.agent.headers, 'content-type': 'application/json' };
      const step = i % 4;
      let what = '';
      try {
        let res: Response;
        if (step === 0) {
          what = 'create ticket';
          res = await fetch(`${node.base}/api/v1/tickets`, {
            method: 'POST',
            headers,
            body: JSON.stringify(ticketBody({ subject: `During the roll ${worker}-${i}` })),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: number }).id);
        } else if (step === 1) {
          what = 'list tickets';
          res = await fetch(`${node.base}/api/v1/tickets?limit=25`, { headers });
        } else {
          const id = acknowledged[Math.floor(Math.random() * acknowledged.length)];
          if (id === undefined) return;
          if (step === 2) {
            what = 'read ticket';
            res = await fetch(`${node.base}/api/v1/tickets/${id}`, { headers });
          } else {
            what = 'reply';
            res = await fetch(`${node.base}/api/v1/tickets/${id}/replies`, {
              method: 'POST',
              headers,
              body: JSON.stringify({ body: `Reply ${worker}-${i}` }),
            });
          }
        }
        requests++;
        if (res.status >= 300) failures.push(`${key}: ${what} → ${res.status} ${await res.text()}`);
        else served.set(key, (served.get(key) ?? 0) + 1);
      } catch (err) {
        failures.push(`${key}: ${what} → ${(err as Error).message}`);
      }
    }
    const traffic = Array.from({ length: 4 }, async (_, worker) => {
      for (let i = 0; !stop; i++) await one(worker, i);
    });
    const soak = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const ready = async (n: Node) => {
      await expect.poll(async () => (await fetch(`${n.base}/api/ready`)).status).toBe(200);
    };
    /** The runbook's step: drain from the balancer, stop (SIGTERM runs close()), start the other release, ready, back. */
    async function replace(old: Node, release: Node['release'], label: string) {
      rotation.splice(rotation.indexOf(old), 1);
      phase = label;
      // Draining, as a balancer does it (connection draining / deregistration delay): no new requests,
      // and the ones already sent to the node are answered. Only then SIGTERM.
      await expect.poll(() => inFlight.get(old) ?? 0, { interval: 5 }).toBe(0);
      await old.app.stop();
      nodes.splice(nodes.indexOf(old), 1);
      const next = await startNode(`${old.name}'`, release);
      await ready(next);
      rotation.push(next);
      await soak(1500);
      return next;
    }

    await soak(1500);
    // Node a is replaced by release N+1, which applies the expand migrations at its start while b serves.
    const a2 = await replace(a, 'N+1', 'a on N+1, b on N');
    const applied = (await a2.app.db.query<{ name: string }>(sql`SELECT name FROM schema_migrations`)).map(
      (r) => r.name,
    );
    expect(applied).toEqual(expect.arrayContaining(Object.keys(NEXT_RELEASE)));
    // The old node sees no pending migration (its files are a subset) and stays ready.
    expect((await fetch(`${b.base}/api/ready`)).status).toBe(200);
    const b2 = await replace(b, 'N+1', 'both on N+1');
    // Roll back one node: an expand-only release leaves its additions unused, so release N starts on it.
    await replace(a2, 'N', "a back on N, b' on N+1");
    stop = true;
    await Promise.all(traffic);

    expect(failures.slice(0, 20), `${failures.length} failed`).toEqual([]);
    expect(requests).toBeGreaterThan(100);
    // Old and new code served side by side, each phase by both nodes in it.
    for (const key of [
      'release N | a (N)',
      'release N | b (N)',
      'a on N+1, b on N | b (N)',
      "a on N+1, b on N | a' (N+1)",
      "both on N+1 | a' (N+1)",
      "both on N+1 | b' (N+1)",
      "a back on N, b' on N+1 | b' (N+1)",
      "a back on N, b' on N+1 | a'' (N)",
    ])
      expect(served.get(key) ?? 0, `${key} served nothing: ${JSON.stringify([...served])}`).toBeGreaterThan(
        0,
      );

    // Every acknowledged ticket is stored once, and the expanded schema is in place and valid.
    const db = await openDb({ databaseUrl: url, poolSize: 1 });
    try {
      const stored = await db.one<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM tickets WHERE id = ANY(${acknowledged}::bigint[])`,
      );
      expect(stored?.n).toBe(new Set(acknowledged).size);
      const check = await db.one<{ valid: boolean }>(
        sql`SELECT convalidated AS valid FROM pg_constraint WHERE conname = 'tickets_next_release_note_len'`,
      );
      expect(check?.valid).toBe(true);
      const index = await db.one<{ valid: boolean }>(
        sql`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'tickets_next_release_note_idx'::regclass`,
      );
      expect(index?.valid).toBe(true);
    } finally {
      await db.close();
    }
    void b2;
  });
});
