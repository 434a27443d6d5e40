import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { findWorkspaceById } from '../../../apps/server/src/modules/workspaces/index.ts';
import {
  type BenchServer,
  type DbKind,
  type Scenario,
  startServer,
  tempDir,
  tempPostgres,
  withTicker,
} from '../env.ts';
import { type BenchResult, figure } from '../results.ts';
import { summarize } from '../stats.ts';

/**
 * Many open widget sockets with a steady flow of visitor messages: the latency from the widget sending a
 * message to an agent's realtime socket hearing `message.received` (stored, threaded into a ticket and
 * fanned out), the ack latency (stored), and the server's RSS. On PostgreSQL it runs again with the
 * visitors split over two nodes on one database and the agent on the first node.
 */
const P99_TARGET_MS = 50;

type Visitor = { sock: WebSocket; n: number };

async function openVisitor(server: BenchServer, slug: string, i: number, onAck: (f: Ack) => void) {
  // Each simulated shopper comes from its own address, as on the internet (limits are per IP).
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const res = await fetch(`${server.url}/api/v1/widget/${slug}/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: '{}',
  });
  const { token } = (await res.json()) as { token: string };
  const sock = new WebSocket(`${server.url.replace('http', 'ws')}/api/v1/widget/${slug}/socket`, {
    headers: { 'x-forwarded-for': ip },
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as { type: string } & Ack;
      if (f.type === 'ready') resolve();
      else if (f.type === 'ack') onAck(f);
    });
    sock.once('open', () => sock.send(JSON.stringify({ type: 'hello', token })));
  });
  return { sock, n: 0 } as Visitor;
}

type Ack = { clientId: string; message: { id: number } };

async function measure(
  ctx: Parameters<Scenario['run']>[0],
  nodes: BenchServer[],
  label: string,
): Promise<{ deliver: number[]; ack: number[]; sockets: number; rate: number; lost: number }> {
  const main = nodes[0]!;
  const ws = await main.newWorkspace('bench-chat');
  const slug = (await findWorkspaceById(main.shop.db, ws.workspaceId))!.slug;
  const sentAt = new Map<string, number>();
  const idOf = new Map<string, number>();
  const heardAt = new Map<number, number>();
  const ackMs: number[] = [];
  let measuring = false;
  const onAck = (f: Ack) => {
    const t0 = sentAt.get(f.clientId);
    idOf.set(f.clientId, f.message.id);
    if (t0 !== undefined && measuring) ackMs.push(performance.now() - t0);
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
        openVisitor(nodes[(i + k) % nodes.length]!, slug, i + k, onAck),
      );
      visitors.push(...(await Promise.all(batch)));
    }
  });
  // A steady rate well inside the per-visitor limit (30/min): 100 messages/s over 2,000 visitors.
  const perSecond = ctx.smoke ? 10 : 100;
  const send = () => {
    const v = visitors[Math.floor(Math.random() * visitors.length)]!;
    const clientId = `b${randomBytes(9).toString('base64url')}`;
    v.n++;
    sentAt.set(clientId, performance.now());
    v.sock.send(JSON.stringify({ type: 'message', clientId, text: `Where is my order? (${v.n})` }));
    return clientId;
  };
  const run = async (seconds: number) => {
    const ids: string[] = [];
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      const tick = Date.now();
      for (let i = 0; i < perSecond / 10; i++) ids.push(send());
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
    }
    return ids;
  };
  ctx.log(`  ${label}: ${visitors.length} sockets, ${perSecond} messages/s, ${ctx.seconds} s`);
  await run(ctx.warmup);
  measuring = true;
  const ids = await withTicker(ctx, `${label}: messages`, () => run(ctx.seconds));
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
  return { deliver, ack: ackMs, sockets: visitors.length, rate: ids.length / ctx.seconds, lost };
}

function figures(db: DbKind, prefix: string, r: Awaited<ReturnType<typeof measure>>): BenchResult[] {
  const d = summarize(r.deliver.length ? r.deliver : [Number.NaN]);
  const a = summarize(r.ack.length ? r.ack : [Number.NaN]);
  const base = { scenario: 'chat-sockets', database: db } as const;
  return [
    figure({ ...base, metric: `${prefix}sockets`, value: r.sockets, unit: 'open widget sockets' }),
    figure({ ...base, metric: `${prefix}rate`, value: r.rate, unit: 'messages/s' }),
    figure({ ...base, metric: `${prefix}deliver-p50`, value: d.p50, unit: 'ms' }),
    figure({
      ...base,
      metric: `${prefix}deliver-p99`,
      value: d.p99,
      unit: 'ms',
      target: P99_TARGET_MS,
      goal: 'max',
    }),
    figure({ ...base, metric: `${prefix}ack-p99`, value: a.p99, unit: 'ms' }),
    figure({
      ...base,
      metric: `${prefix}undelivered`,
      value: r.lost,
      unit: 'messages',
      target: 0,
      goal: 'max',
    }),
    figure({
      ...base,
      metric: `${prefix}rss`,
      value: Math.round(process.memoryUsage().rss / 1048576),
      unit: 'MB (server and load generator share the process)',
    }),
  ];
}

export const chatSockets: Scenario = {
  name: 'chat-sockets',
  description:
    '2,000 widget WebSockets, steady visitor messages: widget → agent latency, ack, RSS; 2 nodes on PG',
  databases: ['pglite', 'postgres'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const dir = tempDir('chat');
    const pgDb = db === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const servers: BenchServer[] = [];
    try {
      servers.push(await startServer({ databaseUrl: pgDb?.url, dataDir: dir.dir }));
      const out = figures(db, '', await measure(ctx, servers, 'one node'));
      if (db === 'postgres') {
        servers.push(await startServer({ databaseUrl: pgDb!.url, dataDir: tempDir('chat2').dir }));
        out.push(...figures(db, 'two-nodes-', await measure(ctx, servers, 'two nodes')));
      }
      return out;
    } finally {
      for (const s of servers) await s.close();
      await pgDb?.drop();
      dir.remove();
    }
  },
};
