import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { findWorkspaceById } from '../../../apps/server/src/modules/workspaces/index.ts';
import { type DbKind, type Scenario, startServer, tempDir, tempPostgres, withTicker } from '../env.ts';
import { type BenchResult, figure } from '../results.ts';
import { summarize } from '../stats.ts';

/**
 * Many open widget sockets with a steady flow of visitor messages: the latency from the widget sending a
 * message to an agent's realtime socket hearing `message.received` (stored, threaded into a ticket and
 * fanned out), the ack latency (stored), and each server node's RSS. On PostgreSQL it runs again with the
 * visitors split over two nodes on one database and the agent on the first node.
 *
 * Each server node runs in its own process (this file, started with NODE_FLAG), as in production: the
 * load generator's 2,000 client sockets would otherwise share the server's event loop and its RSS.
 */
const P99_TARGET_MS = 50;
const NODE_FLAG = '--chat-bench-node';
const here = fileURLToPath(import.meta.url);

type NodeOptions = { databaseUrl?: string; dataDir: string };
type Reply = { id: number; [k: string]: unknown };

/** A server node in a child process, driven over IPC. */
interface RemoteNode {
  url: string;
  call<T>(msg: { type: string; [k: string]: unknown }): Promise<T>;
  close(): Promise<void>;
}

async function startNode(o: NodeOptions, fdLimit: number): Promise<RemoteNode> {
  // `ulimit -n` is per process: raise the node's soft limit (up to the hard one) before it starts.
  const child: ChildProcess = spawn(
    'sh',
    [
      '-c',
      `n=$(ulimit -n); if [ "$n" != unlimited ] && [ "$n" -lt ${fdLimit} ]; then ` +
        `ulimit -n ${fdLimit} 2>/dev/null || ulimit -n "$(ulimit -H -n)" 2>/dev/null; fi; exec "$0" "$@"`,
      process.execPath,
      '--import',
      'tsx',
      here,
      NODE_FLAG,
      JSON.stringify(o),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  let seq = 0;
  const pending = new Map<number, (r: Reply) => void>();
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`chat bench node exited with ${code} before it was ready`)),
    );
    child.on('message', (m: Reply & { type?: string; url?: string }) => {
      if (m.type === 'ready') resolve(m.url!);
      else pending.get(m.id)?.(m);
    });
  });
  return {
    url,
    call<T>(msg: { type: string }) {
      const id = ++seq;
      return new Promise<T>((resolve) => {
        pending.set(id, (r) => {
          pending.delete(id);
          resolve(r as T);
        });
        child.send({ ...msg, id });
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'close', id: 0 });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The child side: the real server (as `startServer` builds it), answering the parent's requests. */
async function runNode(o: NodeOptions) {
  const server = await startServer(o);
  process.on('message', async (m: { type: string; id: number; name?: string }) => {
    const reply = (r: Record<string, unknown>) => process.send!({ id: m.id, ...r });
    if (m.type === 'workspace') {
      const ws = await server.newWorkspace(m.name ?? 'bench-chat');
      const slug = (await findWorkspaceById(server.shop.db, ws.workspaceId))!.slug;
      reply({ ...ws, slug });
    } else if (m.type === 'rss') {
      reply({ rss: process.memoryUsage().rss });
    } else if (m.type === 'close') {
      await server.close();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', url: server.url });
}

type Ack = { clientId: string; message: { id: number } };
type Visitor = { sock: WebSocket; n: number };

async function openVisitor(
  node: RemoteNode,
  slug: string,
  i: number,
  onFrame: (f: { type: string } & Partial<Ack> & { code?: string; message?: unknown }) => void,
) {
  // Each simulated shopper comes from its own address, as on the internet (limits are per IP).
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const res = await fetch(`${node.url}/api/v1/widget/${slug}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: '{}',
  });
  const { token } = (await res.json()) as { token: string };
  const sock = new WebSocket(`${node.url.replace('http', 'ws')}/api/v1/widget/${slug}/socket`, {
    headers: { 'x-forwarded-for': ip },
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { type: string } & Ack;
      if (f.type === 'ready') resolve();
      else onFrame(f);
    });
    sock.once('open', () => sock.send(JSON.stringify({ type: 'hello', token })));
  });
  return { sock, n: 0 } as Visitor;
}

type Measured = {
  deliver: number[];
  ack: number[];
  sockets: number;
  rate: number;
  lost: number;
  errors: Map<string, number>;
  rss: number[];
};

async function measure(
  ctx: Parameters<Scenario['run']>[0],
  db: DbKind,
  nodes: RemoteNode[],
  label: string,
): Promise<Measured> {
  const main = nodes[0]!;
  const ws = await main.call<{ workspaceId: number; token: string; slug: string }>({
    type: 'workspace',
    name: 'bench-chat',
  });
  const sentAt = new Map<string, number>();
  const idOf = new Map<string, number>();
  const heardAt = new Map<number, number>();
  const ackMs: number[] = [];
  const errors = new Map<string, number>();
  let measuring = false;
  const onFrame = (f: { type: string } & Partial<Ack> & { code?: string; message?: unknown }) => {
    if (f.type === 'ack' && f.clientId && f.message) {
      const t0 = sentAt.get(f.clientId);
      idOf.set(f.clientId, (f.message as { id: number }).id);
      if (t0 !== undefined && measuring) ackMs.push(performance.now() - t0);
    } else if (f.type === 'error') {
      const key = `${f.code}: ${String(f.message)}`;
      errors.set(key, (errors.get(key) ?? 0) + 1);
    }
  };
  const agent = new WebSocket(`${main.url.replace('http', 'ws')}/api/v1/realtime`, {
    headers: { authorization: `Bearer ${ws.token}` },
  });
  await new Promise<void>((resolve, reject) => agent.once('open', () => resolve()).once('error', reject));
  agent.on('message', (raw) => {
    const f = JSON.parse(raw.toString()) as { type: string; event?: string; messageId?: number };
    if (f.type === 'event' && f.event === 'message.received' && f.messageId)
      heardAt.set(f.messageId, performance.now());
  });

  const count = ctx.smoke ? 40 : 2000;
  const visitors: Visitor[] = [];
  await withTicker(ctx, `${label}: opening ${count} widget sockets`, async () => {
    for (let i = 0; i < count; i += 50) {
      const batch = Array.from({ length: Math.min(50, count - i) }, (_, k) =>
        openVisitor(nodes[(i + k) % nodes.length]!, ws.slug, i + k, onFrame),
      );
      visitors.push(...(await Promise.all(batch)));
    }
  });
  // Most open widgets are idle shoppers; one in ten is in a conversation (opened before measuring, so
  // the measured lines are chat lines in ongoing chats, not 2,000 new tickets). A steady 25 lines/s on
  // PostgreSQL, each active shopper writing every ~8 s (the per-visitor limit is 30/min). A line costs
  // ~45 queries with its reactions (SLA, urgency, automations, the bot's answer); 100/s of new chats
  // saturated the shared 2-core bench machine and measured the queue, not the chat. The embedded PGlite
  // runs one query at a time, and above its capacity its WASM query loop starves the node's sockets: it
  // gets the rate of a small shop's single node.
  const perSecond = ctx.smoke ? 10 : db === 'pglite' ? 5 : 25;
  const active = visitors.filter((_, i) => i % 10 === 0);
  let next = 0;
  const send = (v = active[next++ % active.length]!) => {
    const clientId = `b${randomBytes(9).toString('base64url')}`;
    v.n++;
    sentAt.set(clientId, performance.now());
    v.sock.send(JSON.stringify({ type: 'message', clientId, text: `Where is my order? (${v.n})` }));
    return clientId;
  };
  const run = async (seconds: number) => {
    // Sends are scheduled against the clock (not "every 100 ms after the last batch"), so a slow
    // tick is caught up and the offered rate stays what it says.
    const ids: string[] = [];
    const start = performance.now();
    const total = Math.round(seconds * perSecond);
    while (ids.length < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * perSecond) + 1);
      while (ids.length < due) ids.push(send());
      await new Promise((r) => setTimeout(r, 1000 / perSecond));
    }
    return ids;
  };
  ctx.log(
    `  ${label}: ${visitors.length} sockets, ${active.length} in a chat, ${perSecond} messages/s, ${ctx.seconds} s`,
  );
  await withTicker(ctx, `${label}: opening ${active.length} chats`, async () => {
    const first = active.map((v) => send(v));
    const until = Date.now() + 120_000;
    while (first.some((c) => !idOf.has(c)) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 200));
  });
  await run(ctx.warmup);
  measuring = true;
  const ids = await withTicker(ctx, `${label}: messages`, () => run(ctx.seconds));
  // The nodes' RSS with every socket still open, right after the measured load.
  const rss = await Promise.all(
    nodes.map((n) =>
      Promise.race([
        n.call<{ rss: number }>({ type: 'rss' }).then((r) => r.rss),
        new Promise<number>((r) => setTimeout(() => r(Number.NaN), 30_000)), // a node too busy to answer
      ]),
    ),
  );
  measuring = false;
  await new Promise((r) => setTimeout(r, 2000)); // stragglers
  const deliver: number[] = [];
  let lost = 0;
  for (const c of ids) {
    const id = idOf.get(c);
    const heard = id === undefined ? undefined : heardAt.get(id);
    if (heard === undefined) lost++;
    else deliver.push(heard - sentAt.get(c)!);
  }
  agent.close();
  for (const v of visitors) v.sock.close();
  for (const [e, n] of errors) ctx.log(`  ${label}: ${n} × error frame "${e}"`);
  return { deliver, ack: ackMs, sockets: visitors.length, rate: ids.length / ctx.seconds, lost, errors, rss };
}

function figures(db: DbKind, prefix: string, r: Measured): BenchResult[] {
  const d = summarize(r.deliver.length ? r.deliver : [Number.NaN]);
  const a = summarize(r.ack.length ? r.ack : [Number.NaN]);
  const base = { scenario: 'chat-sockets', database: db } as const;
  const mb = (b: number) => Math.round(b / 1048576);
  return [
    figure({ ...base, metric: `${prefix}sockets`, value: r.sockets, unit: 'open widget sockets' }),
    figure({ ...base, metric: `${prefix}rate`, value: r.rate, unit: 'messages/s (offered)' }),
    figure({ ...base, metric: `${prefix}deliver-p50`, value: d.p50, unit: 'ms' }),
    figure({
      ...base,
      metric: `${prefix}deliver-p99`,
      value: d.p99,
      unit: 'ms',
      target: P99_TARGET_MS,
      goal: 'max',
    }),
    figure({ ...base, metric: `${prefix}ack-p50`, value: a.p50, unit: 'ms' }),
    figure({ ...base, metric: `${prefix}ack-p99`, value: a.p99, unit: 'ms' }),
    figure({
      ...base,
      metric: `${prefix}undelivered`,
      value: r.lost,
      unit: 'messages',
      target: 0,
      goal: 'max',
      note: r.errors.size ? [...r.errors].map(([e, n]) => `${n} × ${e}`).join('; ') : undefined,
    }),
    ...r.rss.map((b, i) =>
      figure({
        ...base,
        metric: r.rss.length > 1 ? `${prefix}rss-node${i + 1}` : `${prefix}rss`,
        value: mb(b),
        unit: 'MB',
        note: 'server process alone, every socket open, after the measured load',
      }),
    ),
  ];
}

export const chatSockets: Scenario = {
  name: 'chat-sockets',
  description:
    '2,000 widget WebSockets, steady visitor messages: widget → agent latency, ack, RSS; 2 nodes on PG',
  databases: ['pglite', 'postgres'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const fdLimit = ctx.smoke ? 1024 : 8192;
    const dir = tempDir('chat');
    const dir2 = tempDir('chat2');
    const pgDb = db === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const nodes: RemoteNode[] = [];
    try {
      nodes.push(await startNode({ databaseUrl: pgDb?.url, dataDir: dir.dir }, fdLimit));
      const out = figures(db, '', await measure(ctx, db, nodes, 'one node'));
      if (db === 'postgres') {
        nodes.push(await startNode({ databaseUrl: pgDb!.url, dataDir: dir2.dir }, fdLimit));
        out.push(...figures(db, 'two-nodes-', await measure(ctx, db, nodes, 'two nodes')));
      }
      return out;
    } finally {
      for (const n of nodes) await n.close();
      await pgDb?.drop();
      dir.remove();
      dir2.remove();
    }
  },
};

if (process.argv.includes(NODE_FLAG)) {
  runNode(JSON.parse(process.argv[process.argv.indexOf(NODE_FLAG) + 1]!) as NodeOptions).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
