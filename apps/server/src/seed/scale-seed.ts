import { createBuiltinStore } from '../modules/commerce/index.ts';
import type { Db } from '../platform/db/db.ts';
import { sql } from '../platform/db/db.ts';
import { randomToken } from '../platform/security/crypto.ts';
import { hashPassword } from '../platform/security/passwords.ts';
import { firstNames, lastNames, products } from './demo-content.ts';
import {
  asides,
  carriers,
  cities,
  closings,
  codes,
  colors,
  flat,
  greetings,
  messagePattern,
  sizes,
  statuses,
  topics,
} from './scale-phrases.ts';

/**
 * `shopdesk seed --scale N`: a large, realistic workspace for benchmarks and load tests.
 *
 * The rows are generated inside the database (`INSERT … SELECT … FROM generate_series`) from the
 * phrase lists in scale-phrases.ts, so nothing crosses the wire but the phrase arrays and no JS loop touches a
 * row: that is what makes 1M tickets / 3M messages a matter of minutes. Each batch commits on its
 * own, so an interrupted load resumes where it stopped when run again.
 */

export const SCALE_SLUG = 'scale-shop';
export const SCALE_ADMIN_EMAIL = 'admin@scale-shop.test';

export interface ScaleOptions {
  tickets: number;
  slug?: string;
  name?: string;
  /** Tickets per committed batch. */
  batch?: number;
  /** Batches loaded at once on PostgreSQL (default 2). */
  concurrency?: number;
  /** Called after each step; `done` of `total` units of the current phase. */
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
  /** Drop and rebuild the secondary indexes of tickets/messages when loading into (nearly) empty tables. */
  rebuildIndexes?: boolean;
}

export interface ScaleResult {
  workspaceId: number;
  slug: string;
  email: string;
  password: string | null;
  tickets: number;
  messages: number;
  contacts: number;
  orders: number;
  seconds: number;
}

/** Ticket/message/contact counts of a scale workspace (undefined when it does not exist). */
export async function scaleWorkspaceCounts(db: Db, slug = SCALE_SLUG) {
  const ws = await db.one<{ id: number }>(sql`SELECT id FROM workspaces WHERE slug = ${slug}`);
  if (!ws) return undefined;
  const r = await db.one<{ tickets: number; messages: number; contacts: number; orders: number }>(sql`
    SELECT (SELECT count(*)::int FROM tickets WHERE workspace_id = ${ws.id}) AS tickets,
           (SELECT count(*)::int FROM messages WHERE workspace_id = ${ws.id}) AS messages,
           (SELECT count(*)::int FROM contacts WHERE workspace_id = ${ws.id}) AS contacts,
           (SELECT count(*)::int FROM orders WHERE workspace_id = ${ws.id}) AS orders`);
  return { workspaceId: ws.id, ...r! };
}

const contactsFor = (tickets: number) => Math.max(10, Math.round(tickets * 0.4));
/** About 1.5 orders per contact: contacts take 2, 1, 2, 1 … orders in id order. */
const ordersFor = (contacts: number) => Math.round(contacts * 1.5);

/** Whether a scale workspace of `tickets` tickets still lacks rows that seedScale would add. */
export const scaleSeedIncomplete = (
  have: { tickets: number; contacts: number; orders: number } | undefined,
  tickets: number,
) => !have || have.tickets < tickets || have.orders < ordersFor(contactsFor(tickets));

/** Seeds (or tops up to) `tickets` tickets with about 3 messages each in the workspace `slug`. */
export async function seedScale(db: Db, o: ScaleOptions): Promise<ScaleResult> {
  if (!Number.isInteger(o.tickets) || o.tickets < 1) throw new Error('--scale needs a positive whole number');
  const started = Date.now();
  const slug = o.slug ?? SCALE_SLUG;
  const progress = o.onProgress ?? (() => {});
  const { workspaceId, password, email } = await ensureWorkspace(db, slug, o.name ?? 'Scale Shop');

  const wantContacts = contactsFor(o.tickets);
  await seedContacts(db, workspaceId, wantContacts, progress);

  const have = (await db.one<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM tickets WHERE workspace_id = ${workspaceId}`,
  ))!.n;
  const dropped =
    o.rebuildIndexes !== false && o.tickets - have >= 50_000 ? await dropIndexesIfEmpty(db, workspaceId) : [];
  try {
    await seedTickets(db, workspaceId, have, o.tickets, o.batch ?? 10_000, o.concurrency ?? 2, progress);
  } finally {
    await rebuildIndexes(db, workspaceId, progress);
  }
  const newOrders = await seedOrders(db, workspaceId, ordersFor(wantContacts), progress);
  if (dropped.length || o.tickets - have > 0 || newOrders > 0) {
    progress({ phase: 'analyze', done: 0, total: 1 });
    await db.execScript(
      'ANALYZE tickets; ANALYZE messages; ANALYZE contacts; ANALYZE contact_identities; ANALYZE orders; ANALYZE order_line_items; ANALYZE fulfillments',
    );
    progress({ phase: 'analyze', done: 1, total: 1 });
  }
  const counts = (await scaleWorkspaceCounts(db, slug))!;
  return {
    workspaceId,
    slug,
    email,
    password,
    tickets: counts.tickets,
    messages: counts.messages,
    contacts: counts.contacts,
    orders: counts.orders,
    seconds: (Date.now() - started) / 1000,
  };
}

async function ensureWorkspace(db: Db, slug: string, name: string) {
  const existing = await db.one<{ id: number }>(sql`SELECT id FROM workspaces WHERE slug = ${slug}`);
  const email = `admin@${slug}.test`;
  if (existing) return { workspaceId: existing.id, password: null, email };
  const password = randomToken(12);
  const [adminHash, otherHash] = await Promise.all([hashPassword(password), hashPassword(randomToken(12))]);
  const workspaceId = await db.tx(async (tx) => {
    const w = (await tx.one<{ id: number }>(sql`
      INSERT INTO workspaces (name, slug, settings)
      VALUES (${name}, ${slug}, ${JSON.stringify({ supportEmail: `support@${slug}.test`, scaleSeed: true })}::jsonb)
      RETURNING id`))!.id;
    const agents: [string, string, string][] = [[email, 'Alex Admin', 'admin']];
    for (let i = 0; i < 24; i++) {
      const first = firstNames[(i * 7) % firstNames.length]!;
      const last = lastNames[(i * 3) % lastNames.length]!;
      agents.push([
        `${first}.${last}.${i}@${slug}.test`.toLowerCase(),
        `${first} ${last}`,
        i < 2 ? 'lead' : i < 22 ? 'agent' : 'read-only',
      ]);
    }
    await tx.query(sql`
      INSERT INTO agents (workspace_id, email, name, role, password_hash, languages)
      SELECT ${w}::bigint, e, n, r, CASE WHEN e = ${email} THEN ${adminHash} ELSE ${otherHash} END, ARRAY['en']
      FROM unnest(${agents.map((a) => a[0])}::text[], ${agents.map((a) => a[1])}::text[], ${agents.map((a) => a[2])}::text[]) AS x(e, n, r)`);
    await tx.query(
      sql`INSERT INTO teams (workspace_id, name) SELECT ${w}::bigint, unnest(${['Support', 'Returns', 'Shipping', 'Billing']}::text[])`,
    );
    await tx.query(sql`
      INSERT INTO team_members (workspace_id, team_id, agent_id)
      SELECT ${w}::bigint, t.id, a.id FROM agents a JOIN teams t ON t.workspace_id = a.workspace_id
      WHERE a.workspace_id = ${w}::bigint AND a.role IN ('agent', 'lead') AND (a.id + t.id) % 3 <> 0`);
    await tx.query(
      sql`INSERT INTO tags (workspace_id, name) SELECT ${w}::bigint, unnest(${topics.map((t) => t.tag)}::text[]) ON CONFLICT DO NOTHING`,
    );
    for (const [pos, vname, filters] of [
      [1, 'Urgent & high', { status: 'active', priority: 'urgent' }],
      [2, 'Returns', { status: 'active', tag: 'refund' }],
      [3, 'Where is my order', { status: 'active', tag: 'wismo' }],
    ] as const)
      await tx.query(sql`INSERT INTO views (workspace_id, name, filters, position)
        VALUES (${w}::bigint, ${vname}, ${JSON.stringify(filters)}::jsonb, ${pos})`);
    return w;
  });
  return { workspaceId, password, email };
}

async function seedContacts(
  db: Db,
  w: number,
  want: number,
  progress: NonNullable<ScaleOptions['onProgress']>,
) {
  const step = 50_000;
  for (;;) {
    const have = (await db.one<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM contacts WHERE workspace_id = ${w}`,
    ))!.n;
    progress({ phase: 'contacts', done: have, total: want });
    if (have >= want) return;
    const from = have + 1;
    const to = Math.min(want, have + step);
    // The ordinal g makes every email unique within the workspace, so identities never collide.
    await db.tx((tx) =>
      tx.query(sql`
        WITH src AS MATERIALIZED (
          SELECT g, (${firstNames}::text[])[1 + (g * 7) % ${firstNames.length}] AS first,
                 (${lastNames}::text[])[1 + (g * 13 + g / 97) % ${lastNames.length}] AS last,
                 1 + (g * 31) % 7 AS orders
          FROM generate_series(${from}::bigint, ${to}::bigint) g
        ), ins AS (
          INSERT INTO contacts (workspace_id, name, email, phone, tags, custom_fields, created_at, updated_at)
          SELECT ${w}::bigint, first || ' ' || last, lower(first || '.' || last || '.' || g || '@example.com'),
                 CASE WHEN g % 4 = 0 THEN '+4917' || lpad((g * 7919 % 100000000)::text, 8, '0') END,
                 CASE WHEN orders >= 6 THEN ARRAY['vip'] ELSE '{}'::text[] END,
                 jsonb_build_object('orders', orders, 'lifetimeValue', orders * (4900 + (g % 20) * 1000)),
                 now() - make_interval(days => 760 - (g::bigint * 730 / ${want})::int), now()
          FROM src
          RETURNING id, email, phone
        )
        INSERT INTO contact_identities (workspace_id, contact_id, kind, value, verified)
        SELECT ${w}::bigint, id, 'email', email, true FROM ins
        UNION ALL
        SELECT ${w}::bigint, id, 'phone', phone, false FROM ins WHERE phone IS NOT NULL`),
    );
  }
}

/**
 * The customers' orders (≈1.5 per contact) in a built-in store, so the customer panel of an opened
 * ticket reads real order rows at scale: one or two line items each, a shipment with tracking for the
 * fulfilled ones, placed over the same two years as the tickets. Resumable like the rest: it counts the
 * store's orders and adds the missing ordinals. Returns how many were added.
 */
async function seedOrders(
  db: Db,
  w: number,
  want: number,
  progress: NonNullable<ScaleOptions['onProgress']>,
) {
  let conn = await db.one<{ id: number }>(sql`
    SELECT id FROM store_connections WHERE workspace_id = ${w} AND platform = 'builtin' AND name = 'Scale store'
    ORDER BY id LIMIT 1`);
  if (!conn) conn = { id: (await createBuiltinStore(db, w, 'Scale store', 'EUR')).connectionId };
  const productNames = products.map((p) => p.name);
  const step = 50_000;
  let added = 0;
  for (;;) {
    const have = (await db.one<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM orders WHERE connection_id = ${conn.id}`,
    ))!.n;
    progress({ phase: 'orders', done: have, total: want });
    if (have >= want) return added;
    const from = have + 1;
    const to = Math.min(want, have + step);
    await db.tx((tx) =>
      tx.query(sql`
        WITH c AS MATERIALIZED (
          SELECT id, email, name, row_number() OVER (ORDER BY id) AS n FROM contacts
          WHERE workspace_id = ${w}::bigint AND merged_into_id IS NULL
        ), src AS MATERIALIZED (
          SELECT g, c.id AS contact_id, c.email, c.name,
            (g * 2654435761) % 4294967296 AS h,
            now() - make_interval(secs => ((${want}::float8 - g) / ${want} * 730 * 86400)) AS placed_at
          FROM generate_series(${from}::bigint, ${to}::bigint) g
          JOIN c ON c.n = 1 + ((g - 1) * 2 / 3) % (SELECT count(*) FROM c)
        ), o AS (
          INSERT INTO orders (workspace_id, connection_id, external_id, number, number_key, contact_id, email, currency,
            subtotal_minor, shipping_minor, total_minor, status, financial_status, fulfillment_status,
            shipping_address, placed_at, remote_updated_at, created_at, updated_at)
          SELECT ${w}::bigint, ${conn.id}::bigint, 'scale-' || g, 'S' || (1000000 + g), 's' || (1000000 + g),
            contact_id, email, 'EUR', 2900 + (h % 40) * 500, 495, 2900 + (h % 40) * 500 + 495,
            CASE WHEN h % 50 = 0 THEN 'cancelled' WHEN placed_at < now() - interval '30 days' THEN 'closed' ELSE 'open' END,
            CASE WHEN h % 50 = 0 THEN 'refunded' ELSE 'paid' END,
            CASE WHEN placed_at < now() - interval '3 days' THEN 'fulfilled' ELSE 'unfulfilled' END,
            jsonb_build_object('name', name, 'address1', 'Hauptstraße ' || (1 + h % 120), 'city',
              (${cities}::text[])[1 + (h / 7) % ${cities.length}], 'zip', lpad((h % 99999)::text, 5, '0'), 'country', 'DE'),
            placed_at, placed_at + interval '2 days', placed_at, placed_at + interval '2 days'
          FROM src
          RETURNING id, external_id, placed_at, fulfillment_status, total_minor
        ), l AS (
          INSERT INTO order_line_items (workspace_id, order_id, external_id, title, quantity, price_minor, position)
          SELECT ${w}::bigint, o.id, o.external_id || '-' || k,
            (${productNames}::text[])[1 + (o.id * 7 + k) % ${productNames.length}], 1, (o.total_minor - 495) / 2, k
          FROM o CROSS JOIN LATERAL generate_series(1, 1 + (o.id % 2)::int) k
        )
        INSERT INTO fulfillments (workspace_id, order_id, external_id, status, shipment_status, carrier, tracking_number,
          shipped_at, delivered_at, remote_updated_at)
        SELECT ${w}::bigint, o.id, o.external_id || '-f', 'success', 'delivered',
          (${carriers}::text[])[1 + o.id % ${carriers.length}], upper(substr(md5(o.external_id), 1, 2)) || (1000000000 + o.id)::text,
          o.placed_at + interval '1 day', o.placed_at + interval '3 days', o.placed_at + interval '3 days'
        FROM o WHERE o.fulfillment_status = 'fulfilled'`),
    );
    added += to - from + 1;
  }
}

/**
 * Loads tickets [have+1, want] in batches: each batch is one statement that draws the ticket ids
 * from the identity sequence up front, so its messages (and the ticket's preview and counters) can
 * be generated in the same statement without a round trip.
 */
async function seedTickets(
  db: Db,
  w: number,
  have: number,
  want: number,
  batch: number,
  concurrency: number,
  progress: NonNullable<ScaleOptions['onProgress']>,
) {
  const teams = await db.query<{ id: number; name: string }>(
    sql`SELECT id, name FROM teams WHERE workspace_id = ${w}`,
  );
  const teamOfTopic = topics.map((t) => teams.find((x) => x.name === t.team)?.id ?? null);
  const seq = (await db.one<{ s: string }>(sql`SELECT pg_get_serial_sequence('tickets', 'id') AS s`))!.s;
  const productNames = products.map((p) => p.name);

  const starts: number[] = [];
  for (let from = have + 1; from <= want; from += batch) starts.push(from);
  let done = have;
  progress({ phase: 'tickets', done, total: want });
  const skipFkChecks = await canSkipTriggers(db);
  const loadBatch = async (from: number) => {
    const to = Math.min(want, from + batch - 1);
    await db.tx(async (tx) => {
      // The rows are generated consistent (ids drawn from these very tables), so re-checking every
      // foreign key row by row, as pg_restore --disable-triggers also avoids, only costs time.
      if (skipFkChecks) await tx.execScript('SET LOCAL session_replication_role = replica');
      await tx.query(sql`
      WITH p AS MATERIALIZED (
        SELECT ${flat('subjects')}::text[] AS subj, ${flat('customer')}::text[] AS cust, ${flat('agent')}::text[] AS agt,
               ${flat('followUp')}::text[] AS fup, ${greetings}::text[] AS greet, ${closings}::text[] AS clos,
               ${asides}::text[] AS aside, ${productNames}::text[] AS prod, ${carriers}::text[] AS car, ${cities}::text[] AS city,
               ${sizes}::text[] AS size, ${colors}::text[] AS color, ${codes}::text[] AS code, ${topics.map((t) => t.tag)}::text[] AS tag,
               ${teamOfTopic}::bigint[] AS team,
               (SELECT array_agg(id ORDER BY id) FROM agents WHERE workspace_id = ${w}::bigint AND role IN ('agent', 'lead')) AS agents,
               (SELECT array_agg(id ORDER BY id) FROM contacts WHERE workspace_id = ${w}::bigint AND merged_into_id IS NULL) AS contacts,
               ${messagePattern}::int[] AS pattern, ${statuses}::text[] AS statuses
      ),
      -- One row per ticket: its randomness is fixed here so messages and ticket columns agree.
      r AS MATERIALIZED (
        SELECT g, floor(random() * 12)::int AS topic, floor(random() * 3)::int AS subj_i,
          floor(random() * 2147483647)::int AS h1, floor(random() * 2147483647)::int AS h2,
          floor(random() * 2147483647)::int AS h3, random() AS jitter, random() AS u1, random() AS u2, random() AS u3
        FROM generate_series(${from}::int, ${to}::int) g
      ),
      -- One row per ticket: its randomness is fixed here so messages and ticket columns agree.
      src AS MATERIALIZED (
        SELECT r.*, nextval(${seq}::regclass) AS id,
          p.pattern[1 + r.g % 50] AS n,
          -- Spread over two years, oldest first, so ids follow time like a real desk.
          now() - make_interval(secs => ((${want}::float8 - r.g) / ${want} * 730 * 86400 + r.jitter * 3600)) AS created_at,
          p.contacts[1 + (r.h2 % array_length(p.contacts, 1))] AS contact_id,
          p.agents[1 + (r.h3 % array_length(p.agents, 1))] AS agent_id
        FROM r CROSS JOIN p
      ),
      t0 AS MATERIALIZED (
        SELECT s.*,
          -- Recent tickets are still being worked; older ones are mostly solved or closed.
          CASE WHEN s.created_at > now() - interval '2 days' THEN p.statuses[1 + floor(s.u1 * 3)::int]
               WHEN s.created_at > now() - interval '14 days' THEN p.statuses[2 + floor(s.u1 * 4)::int]
               WHEN s.u1 < 0.02 THEN p.statuses[2 + floor(s.u2 * 3)::int]
               WHEN s.u1 < 0.7 THEN 'closed' ELSE 'solved' END AS status,
          CASE WHEN s.u2 < 0.02 THEN 'urgent' WHEN s.u2 < 0.10 THEN 'high' WHEN s.u2 < 0.15 THEN 'low' ELSE 'normal' END AS priority,
          CASE WHEN s.u3 < 0.6 THEN 'email' WHEN s.u3 < 0.85 THEN 'chat' WHEN s.u3 < 0.9 THEN 'whatsapp'
               WHEN s.u3 < 0.94 THEN 'sms' WHEN s.u3 < 0.97 THEN 'messenger' ELSE 'web' END AS channel,
          '#' || (100000 + s.g % 900000)::text AS order_no,
          p.prod[1 + s.h1 % array_length(p.prod, 1)] AS product,
          p.car[1 + s.h2 % array_length(p.car, 1)] AS carrier,
          p.city[1 + s.h3 % array_length(p.city, 1)] AS city,
          p.size[1 + (s.h1 / 7) % 6] AS size, p.color[1 + (s.h2 / 7) % 8] AS color,
          p.code[1 + (s.h3 / 7) % 8] AS code,
          upper(substr(md5(s.id::text), 1, 2)) || (1000000000 + s.h1 % 900000000)::text AS tracking,
          (1 + s.h1 % 9)::text AS days,
          interval '1 minute' * (20 + s.h2 % 600) AS gap,
          split_part(c.name, ' ', 1) AS contact_first, split_part(a.name, ' ', 1) AS agent_first
        FROM src s CROSS JOIN p
        JOIN contacts c ON c.id = s.contact_id
        JOIN agents a ON a.id = s.agent_id
      ),
      m AS MATERIALIZED (
        SELECT t0.id AS ticket_id, k, t0.n, t0.created_at + t0.gap * (k - 1) AS at,
          -- Threads alternate customer / agent; a long thread gets an internal note now and then.
          CASE WHEN k % 2 = 1 THEN 'inbound' WHEN k % 6 = 0 THEN 'note' ELSE 'outbound' END AS kind,
          t0.channel, t0.contact_id, t0.agent_id, t0.topic,
          replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
            CASE
              WHEN k = 1 THEN p.greet[1 + (t0.h1 + k) % 8] || ',' || E'\n\n'
                || p.cust[t0.topic * 6 + 1 + (t0.h1 + k) % 6] || ' ' || p.cust[t0.topic * 6 + 1 + (t0.h1 + k + 1 + t0.h2 % 4) % 6]
                || CASE WHEN t0.h3 % 3 = 0 THEN ' ' || p.cust[t0.topic * 6 + 1 + (t0.h3 + 5) % 6] ELSE '' END
                || CASE WHEN t0.h2 % 2 = 0 THEN ' ' || p.aside[1 + (t0.h2 / 3) % 12] ELSE '' END
                || E'\n\n' || p.clos[1 + t0.h3 % 8] || ',' || E'\n{name}'
              WHEN k % 6 = 0 THEN 'Note: ' || p.agt[t0.topic * 4 + 1 + (t0.h3 + k) % 4] || ' Customer asked about ' || t0.order_no || ' before.'
              WHEN k % 2 = 0 THEN 'Hi {name},' || E'\n\n' || p.agt[t0.topic * 4 + 1 + (t0.h2 + k) % 4] || ' '
                || p.agt[t0.topic * 4 + 1 + (t0.h2 + k + 1) % 4] || E'\n\nBest,\n{agent}'
              ELSE p.fup[t0.topic * 3 + 1 + (t0.h1 + k) % 3]
                || CASE WHEN (t0.h3 + k) % 3 = 0 THEN ' ' || p.aside[1 + (t0.h3 + k) % 12] ELSE '' END
            END,
            '{product}', t0.product), '{order}', t0.order_no), '{carrier}', t0.carrier), '{city}', t0.city),
            '{size}', t0.size), '{color}', t0.color), '{code}', t0.code), '{tracking}', t0.tracking),
            '{days}', t0.days), '{name}', t0.contact_first), '{agent}', t0.agent_first) AS body
        FROM t0 CROSS JOIN p
        CROSS JOIN LATERAL generate_series(1, t0.n) k
      ),
      last AS (
        SELECT DISTINCT ON (ticket_id) ticket_id, at, body FROM m WHERE kind <> 'note' ORDER BY ticket_id, k DESC
      ),
      ins_t AS (
        INSERT INTO tickets (id, workspace_id, subject, status, priority, channel, contact_id, assignee_id, team_id, tags,
          message_count, last_message_preview, last_message_at, last_inbound_at, first_response_at, solved_at, closed_at,
          created_at, updated_at)
        OVERRIDING SYSTEM VALUE
        SELECT t0.id, ${w}::bigint,
          replace(replace(replace(p.subj[t0.topic * 3 + 1 + t0.subj_i], '{order}', t0.order_no), '{product}', t0.product), '{code}', t0.code)
            || CASE WHEN t0.h3 % 5 = 0 THEN ' (' || t0.order_no || ')' ELSE '' END,
          t0.status, t0.priority, t0.channel, t0.contact_id,
          CASE WHEN t0.status = 'new' THEN NULL ELSE t0.agent_id END,
          p.team[1 + t0.topic],
          CASE WHEN t0.h1 % 4 = 0 THEN ARRAY[p.tag[1 + t0.topic], 'vip'] ELSE ARRAY[p.tag[1 + t0.topic]] END,
          t0.n, left(regexp_replace(l.body, '\\s+', ' ', 'g'), 200), l.at,
          t0.created_at + t0.gap * (CASE WHEN t0.n % 2 = 0 THEN t0.n - 2 ELSE t0.n - 1 END),
          CASE WHEN t0.n > 1 THEN t0.created_at + t0.gap END,
          CASE WHEN t0.status IN ('solved', 'closed') THEN l.at + interval '1 hour' END,
          CASE WHEN t0.status = 'closed' THEN l.at + interval '4 days' END,
          t0.created_at, l.at
        FROM t0 CROSS JOIN p JOIN last l ON l.ticket_id = t0.id
        RETURNING id, created_at
      ),
      ins_e AS (
        INSERT INTO ticket_events (workspace_id, ticket_id, type, data, created_at)
        SELECT ${w}::bigint, id, 'created', '{"source":"scale-seed"}'::jsonb, created_at FROM ins_t
      )
      INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_agent_id, author_contact_id, body_text,
        delivery_status, created_at)
      SELECT ${w}::bigint, m.ticket_id, m.kind, m.channel,
        CASE WHEN m.kind = 'inbound' THEN NULL ELSE m.agent_id END,
        CASE WHEN m.kind = 'inbound' THEN m.contact_id END,
        m.body, CASE m.kind WHEN 'inbound' THEN 'received' WHEN 'note' THEN 'none' ELSE 'delivered' END, m.at
      FROM m ORDER BY m.ticket_id, m.k`);
    });
    done += to - from + 1;
    progress({ phase: 'tickets', done, total: want });
  };
  // Generation is CPU-bound inside the database: one batch per core keeps both busy. PGlite has one
  // connection, so there batches simply queue.
  const lanes = db.kind === 'postgres' ? Math.max(1, concurrency) : 1;
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < starts.length) await loadBatch(starts[next++]!);
    }),
  );
}

/** session_replication_role needs superuser rights (PGlite and a local postgres user have them). */
async function canSkipTriggers(db: Db) {
  const r = await db.one<{ su: boolean }>(
    sql`SELECT rolsuper AS su FROM pg_roles WHERE rolname = current_user`,
  );
  return r?.su === true;
}

// Secondary indexes of the two big tables; building them once at the end is several times faster
// than maintaining a GIN index row by row during a bulk load.
const BULK_TABLES = ['tickets', 'messages', 'ticket_events'];

/**
 * Drops the secondary indexes of the big tables, but only when no other workspace has real data in
 * them (a dedicated benchmark database) — never on a live desk. Their definitions are kept in the
 * workspace settings first, so an interrupted load restores them on the next run.
 */
async function dropIndexesIfEmpty(db: Db, w: number) {
  const existing = await db.one<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM tickets WHERE workspace_id <> ${w}`,
  );
  if ((existing?.n ?? 0) > 1000) return [];
  const defs = await db.query<{ name: string; def: string }>(sql`
    SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
    JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
    WHERE i.schemaname = current_schema() AND i.tablename = ANY(${BULK_TABLES}::text[])
      AND NOT x.indisprimary AND NOT x.indisunique`);
  if (!defs.length) return [];
  await db.tx(async (tx) => {
    await tx.query(sql`UPDATE workspaces SET settings = jsonb_set(settings, '{scaleSeedDroppedIndexes}', ${JSON.stringify(defs)}::jsonb)
                       WHERE id = ${w}`);
    for (const d of defs) await tx.execScript(`DROP INDEX IF EXISTS "${d.name.replace(/"/g, '')}"`);
  });
  return defs;
}

async function rebuildIndexes(db: Db, w: number, progress: NonNullable<ScaleOptions['onProgress']>) {
  const row = await db.one<{ defs: { name: string; def: string }[] | null }>(
    sql`SELECT settings->'scaleSeedDroppedIndexes' AS defs FROM workspaces WHERE id = ${w}`,
  );
  const defs = row?.defs ?? [];
  for (const [i, d] of defs.entries()) {
    progress({ phase: `index ${d.name}`, done: i, total: defs.length });
    const exists = await db.one(
      sql`SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ${d.name}`,
    );
    // SET LOCAL inside the transaction keeps the bigger sort memory on this one build.
    if (!exists)
      await db.tx((tx) =>
        tx.execScript(
          `${db.kind === 'postgres' ? "SET LOCAL maintenance_work_mem = '512MB'; " : ''}${d.def}`,
        ),
      );
  }
  if (defs.length) {
    await db.query(
      sql`UPDATE workspaces SET settings = settings - 'scaleSeedDroppedIndexes' WHERE id = ${w}`,
    );
    progress({ phase: 'indexes', done: defs.length, total: defs.length });
  }
}

/** A one-line progress bar for a terminal (or plain lines when the stream is not a TTY). */
export function progressBar(out: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastPhase = '';
  let lastLine = 0;
  return (p: { phase: string; done: number; total: number }) => {
    const now = Date.now();
    const finished = p.done >= p.total;
    if (!out.isTTY && p.phase === lastPhase && !finished && now - lastLine < 5000) return;
    const frac = p.total ? Math.min(1, p.done / p.total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const line = `${p.phase.padEnd(28)} [${bar}] ${p.done.toLocaleString('en')}/${p.total.toLocaleString('en')} ${((now - started) / 1000).toFixed(0)}s`;
    if (out.isTTY) out.write(`\r${line}${finished ? '\n' : ''}`);
    else out.write(`${line}\n`);
    lastPhase = p.phase;
    lastLine = now;
  };
}
