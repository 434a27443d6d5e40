import { randomBytes } from 'node:crypto';
import { sql } from '../../../apps/server/src/platform/db/db.ts';
import { sha256 } from '../../../apps/server/src/platform/security/crypto.ts';
import {
  type BenchServer,
  type DbKind,
  type Scenario,
  startServer,
  tempDir,
  tempPostgres,
  withTicker,
} from '../env.ts';
import { type PlainRequest, runLoad } from '../load.ts';
import { figure } from '../results.ts';

/** A built-in store connection with a known token, as Settings → Store connections creates one. */
export async function builtinStore(server: BenchServer, workspaceId: number) {
  const token = `sdstore_${randomBytes(24).toString('base64url')}`;
  const row = await server.shop.db.one<{ id: number }>(sql`
    INSERT INTO store_connections (workspace_id, platform, name, token_hash, token_prefix, currency)
    VALUES (${workspaceId}, 'builtin', 'bench store', ${sha256(token)}, ${token.slice(0, 14)}, 'EUR') RETURNING id`);
  return { id: row!.id, token };
}

function order(n: number) {
  const at = new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString();
  const customer = n % 20_000;
  return {
    externalId: `o-${n}`,
    number: `#${100000 + n}`,
    customer: {
      externalId: `c-${customer}`,
      email: `shopper${customer}@bench.example`,
      firstName: 'Bench',
      lastName: `Shopper ${customer}`,
    },
    currency: 'EUR',
    subtotal: 12900 + (n % 7) * 1000,
    shipping: 495,
    tax: 2060,
    total: 13395 + (n % 7) * 1000,
    financialStatus: 'paid',
    fulfillmentStatus: n % 3 ? 'fulfilled' : 'unfulfilled',
    placedAt: at,
    updatedAt: at,
    lineItems: [
      {
        externalId: `${n}-1`,
        title: 'Trailrunner GTX Shoes',
        quantity: 1,
        price: 12900 + (n % 7) * 1000,
        sku: 'TR-42',
      },
      { externalId: `${n}-2`, title: 'Merino Socks', quantity: 1, price: 0 },
    ],
    transactions: [
      {
        externalId: `t-${n}`,
        kind: 'sale',
        gateway: 'stripe',
        amount: 13395 + (n % 7) * 1000,
        processedAt: at,
      },
    ],
    fulfillments:
      n % 3
        ? [
            {
              externalId: `f-${n}`,
              carrier: 'DHL',
              trackingNumber: `JJD${n}`,
              trackingUrl: `https://www.dhl.de/t/${n}`,
              shippedAt: at,
              updatedAt: at,
            },
          ]
        : [],
  };
}

export const commerceBackfill: Scenario = {
  name: 'commerce-backfill',
  description:
    'POST /api/v1/store/batch: 100,000 orders (2 lines, payment, shipment) in batches of 500, 4 clients',
  databases: ['pglite', 'postgres'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const total = ctx.smoke ? 2_000 : 100_000;
    const dir = tempDir('commerce-backfill');
    const pgDb = db === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const server = await startServer({ databaseUrl: pgDb?.url, dataDir: dir.dir });
    try {
      const ws = await server.newWorkspace('bench-backfill');
      const store = await builtinStore(server, ws.workspaceId);
      const batches: string[] = [];
      for (let i = 0; i < total; i += 500)
        batches.push(
          JSON.stringify({
            orders: Array.from({ length: Math.min(500, total - i) }, (_, k) => order(i + k)),
          }),
        );
      ctx.log(`  ${total} orders, ${batches.length} batches, 4 clients`);
      let next = 0;
      const started = performance.now();
      const client = async () => {
        for (;;) {
          const i = next++;
          if (i >= batches.length) return;
          const res = await fetch(`${server.url}/api/v1/store/batch`, {
            method: 'POST',
            headers: { authorization: `Bearer ${store.token}`, 'content-type': 'application/json' },
            body: batches[i],
          });
          if (res.status !== 200) throw new Error(`batch ${i}: ${res.status} ${await res.text()}`);
        }
      };
      await withTicker(ctx, 'pushing orders', () => Promise.all([client(), client(), client(), client()]));
      const seconds = (performance.now() - started) / 1000;
      const stored = await server.shop.db.one<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM orders WHERE workspace_id = ${ws.workspaceId}`,
      );
      if (stored?.n !== total) throw new Error(`pushed ${total} orders, the database holds ${stored?.n}`);
      const note = `${total} orders, 20,000 customers linked to contacts, ${db === 'pglite' ? 'PGlite on disk' : 'PostgreSQL'}`;
      return [
        figure({
          scenario: 'commerce-backfill',
          database: db,
          metric: 'rate',
          value: Math.round(total / seconds),
          unit: 'orders/s',
          note,
        }),
        figure({
          scenario: 'commerce-backfill',
          database: db,
          metric: 'duration',
          value: Math.round(seconds * 10) / 10,
          unit: 's',
          note,
        }),
      ];
    } finally {
      await server.close();
      await pgDb?.drop();
      dir.remove();
    }
  },
};

/** Rows written with SQL (a data loader), not the API: the scenarios using it measure reads at scale. */
export async function seedOrders(
  server: BenchServer,
  workspaceId: number,
  connectionId: number,
  total: number,
) {
  const contacts = Math.max(10, Math.floor(total / 5));
  const db = server.shop.db;
  await db.query(sql`INSERT INTO contacts (workspace_id, name, email)
    SELECT ${workspaceId}, 'Shopper ' || g, 'shopper' || g || '@scale.example' FROM generate_series(1, ${contacts}::int) g`);
  const first = (await db.one<{ id: number }>(
    sql`SELECT min(id)::int AS id FROM contacts WHERE workspace_id = ${workspaceId}`,
  ))!.id;
  for (let from = 0; from < total; from += 100_000) {
    const to = Math.min(total, from + 100_000) - 1;
    await db.query(sql`INSERT INTO orders (workspace_id, connection_id, external_id, number, number_key, contact_id, email, currency,
        subtotal_minor, shipping_minor, total_minor, financial_status, fulfillment_status, placed_at, remote_updated_at)
      SELECT ${workspaceId}, ${connectionId}, 'o-' || g, '#' || (100000 + g), (100000 + g)::text, ${first} + (g % ${contacts}::int),
        'shopper' || (g % ${contacts}::int) || '@scale.example', 'EUR', 12900, 495, 13395, 'paid', 'fulfilled',
        timestamptz '2023-01-01' + g * interval '30 seconds', timestamptz '2023-01-01' + g * interval '30 seconds'
      FROM generate_series(${from}::int, ${to}::int) g`);
    await db.query(sql`INSERT INTO order_line_items (workspace_id, order_id, external_id, title, quantity, price_minor)
      SELECT ${workspaceId}, o.id, o.external_id || '-1', 'Trailrunner GTX Shoes', 1, 12900 FROM orders o
      WHERE o.connection_id = ${connectionId} AND o.external_id = ANY(SELECT 'o-' || g FROM generate_series(${from}::int, ${to}::int) g)`);
    await db.query(sql`INSERT INTO fulfillments (workspace_id, order_id, external_id, carrier, tracking_number, tracking_url, remote_updated_at)
      SELECT ${workspaceId}, o.id, 'f-' || o.external_id, 'DHL', 'JJD' || o.id, 'https://www.dhl.de/t/' || o.id, o.placed_at FROM orders o
      WHERE o.connection_id = ${connectionId} AND o.external_id = ANY(SELECT 'o-' || g FROM generate_series(${from}::int, ${to}::int) g)`);
  }
  await db.query(sql`ANALYZE orders`);
  await db.query(sql`ANALYZE order_line_items`);
  return { first, contacts };
}

export const commerceOrderQuery: Scenario = {
  name: 'commerce-order-query',
  description:
    "The customer panel's order query (GET /api/v1/commerce/orders?contactId=) at 1,000,000 orders",
  databases: ['pglite', 'postgres'],
  async run(ctx, kind) {
    const db = kind as DbKind;
    const total = ctx.smoke ? 2_000 : ctx.scale[db];
    const dir = tempDir('commerce-query');
    const pgDb = db === 'postgres' ? await tempPostgres(ctx.pgUrl!) : undefined;
    const server = await startServer({ databaseUrl: pgDb?.url, dataDir: dir.dir });
    try {
      const ws = await server.newWorkspace('bench-orders');
      const store = await builtinStore(server, ws.workspaceId);
      const seeded = await withTicker(ctx, `seeding ${total} orders`, () =>
        seedOrders(server, ws.workspaceId, store.id, total),
      );
      const headers = { authorization: `Bearer ${ws.token}` };
      const steps: PlainRequest[][] = Array.from({ length: 50 }, (_, i) => [
        {
          method: 'GET',
          path: `/api/v1/commerce/orders?contactId=${seeded.first + ((i * 7919) % seeded.contacts)}`,
          headers,
        },
      ]);
      ctx.log(`  latency: 1 client, ${ctx.seconds} s, 50 contacts`);
      const lat = await withTicker(ctx, 'order query', () =>
        runLoad({
          kind: 'steps',
          url: server.url,
          concurrency: 1,
          seconds: ctx.seconds,
          warmupSeconds: ctx.warmup,
          steps,
        }),
      );
      const note = `${total} orders over ${seeded.contacts} contacts (5 each, with line, shipment); ${db === 'pglite' ? 'PGlite on disk' : 'PostgreSQL'}`;
      const base = { scenario: 'commerce-order-query', database: db, note } as const;
      return [
        figure({ ...base, metric: 'p50', value: lat.latency.p50, unit: 'ms' }),
        figure({ ...base, metric: 'p95', value: lat.latency.p95, unit: 'ms', target: 50, goal: 'max' }),
        figure({ ...base, metric: 'p99', value: lat.latency.p99, unit: 'ms' }),
      ];
    } finally {
      await server.close();
      await pgDb?.drop();
      dir.remove();
    }
  },
};
