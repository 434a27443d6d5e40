import { createBuiltinStore } from '../modules/commerce/index.ts';
import type { Db } from '../platform/db/db.ts';
import { sql } from '../platform/db/db.ts';
import { randomToken } from '../platform/security/crypto.ts';
import { hashPassword } from '../platform/security/passwords.ts';
import { firstNames, lastNames, products } from './demo-content.ts';

/**
 * `shopdesk seed --scale N`: a large, realistic workspace for benchmarks and load tests.
 *
 * The rows are generated inside the database (`INSERT … SELECT … FROM generate_series`) from the
 * phrase lists below, so nothing crosses the wire but the phrase arrays and no JS loop touches a
 * row: that is what makes 1M tickets / 3M messages a matter of minutes. Each batch commits on its
 * own, so an interrupted load resumes where it stopped when run again.
 */

export const SCALE_SLUG = 'scale-shop';
export const SCALE_ADMIN_EMAIL = 'admin@scale-shop.test';

/** One customer-service topic: what customers write, what agents answer, how threads go on. */
interface Topic {
  tag: string;
  team: 'Support' | 'Returns' | 'Shipping' | 'Billing';
  subjects: string[];
  customer: string[];
  agent: string[];
  followUp: string[];
}

// {product} {order} {name} {agent} {days} {carrier} {city} {size} {color} {code} {tracking} are
// filled in per message; every topic has the same number of lines of each kind (arrays are strided).
const topics: Topic[] = [
  {
    tag: 'wismo',
    team: 'Shipping',
    subjects: [
      'Where is my order {order}?',
      'Order {order} still not here',
      'Tracking not updating for {order}',
    ],
    customer: [
      'I ordered the {product} {days} days ago and the tracking page has not changed since Monday.',
      'The {carrier} tracking number {tracking} shows no movement at all.',
      'Can you tell me when order {order} will arrive? I need it for a trip to {city} this weekend.',
      'Your website said delivery in two to three days, it has been more than a week now.',
      'I paid for express shipping so I really expected the parcel by now.',
      'Could you check with {carrier} what is going on with my parcel?',
    ],
    agent: [
      'I checked with {carrier}: your parcel was held at the regional depot in {city} and is out for delivery again.',
      'It should reach you within {days} business days; I will keep an eye on the tracking for you.',
      'Sorry for the wait! The warehouse shipped order {order} a day late because of a stock transfer.',
      'I have refunded the express shipping fee since we did not deliver on time.',
    ],
    followUp: [
      'Great, thank you for checking. I will let you know if it does not show up.',
      'Still nothing today, the tracking for {tracking} is stuck again.',
      'It arrived this morning, thanks for the help!',
    ],
  },
  {
    tag: 'exchange',
    team: 'Returns',
    subjects: [
      'Wrong size, exchange please',
      'Exchange {product} for size {size}',
      'Size swap for order {order}',
    ],
    customer: [
      'The {product} from order {order} fits too small, I usually wear {size} but it feels a size smaller.',
      'Can I exchange it for a larger size? It is unworn with all the tags still on.',
      'I would prefer the {color} one if you have it in stock in my size.',
      'The sleeves are way too long for me, is there a petite version of the {product}?',
      'I bought it as a gift and my brother needs a different size.',
      'Do I have to pay for the return shipping on an exchange?',
    ],
    agent: [
      'No problem at all, I have started an exchange for size {size} in {color}.',
      'You will get a prepaid return label by email within the hour.',
      'The new {product} ships as soon as {carrier} scans your return parcel.',
      'Exchanges are always free for you, including the return label.',
    ],
    followUp: [
      'Perfect, I sent the old one back today.',
      'The label link says expired, could you send a new one?',
      'The new size fits great, thank you!',
    ],
  },
  {
    tag: 'refund',
    team: 'Returns',
    subjects: [
      'Refund for damaged item',
      'Refund request order {order}',
      'Broken {product}, I want my money back',
    ],
    customer: [
      'The zipper on my {product} broke the second time I used it.',
      'The seam on the left shoulder came apart after one hike, this is really disappointing for the price.',
      'I would like a full refund to my credit card please.',
      'I sent the item back {days} days ago and I still have not received my refund.',
      'Attached are photos of the damage, the fabric tore right next to the pocket.',
      'I have been a customer for years and never had a quality problem like this.',
    ],
    agent: [
      'I am sorry, that should not happen. I have issued a full refund to your original payment method.',
      'You will see the refund on your statement in three to five business days.',
      'No need to send the damaged {product} back, please recycle it.',
      'I forwarded your photos to our quality team so they can check the batch.',
    ],
    followUp: [
      'Thank you, that was quick!',
      'The refund still does not show on my bank statement.',
      'I got the money back today, much appreciated.',
    ],
  },
  {
    tag: 'discount',
    team: 'Billing',
    subjects: ['Discount code not working', 'Code {code} invalid at checkout', 'Newsletter voucher problem'],
    customer: [
      'The code {code} from your newsletter says it is invalid at checkout.',
      'I am trying to buy the {product} and the discount is not applied.',
      'My friend got a referral voucher but it does not work for me either.',
      'The banner on the homepage says twenty percent off everything, the cart shows full price.',
      'Can you apply the discount manually to order {order}? I already paid.',
      'Is the student discount combinable with the winter sale?',
    ],
    agent: [
      'The welcome code only works on full-price items and the {product} is on sale this week.',
      'I have created a one-time code {code} you can use on anything instead.',
      'I refunded the difference to your card, so you got the discount after all.',
      'Discount codes cannot be combined, the checkout keeps the better of the two.',
    ],
    followUp: [
      'That worked, thanks a lot!',
      'The new code also fails, sorry.',
      'Thanks for refunding the difference.',
    ],
  },
  {
    tag: 'address-change',
    team: 'Shipping',
    subjects: [
      'Please change my delivery address',
      'Wrong address on order {order}',
      'Ship order {order} to {city} instead',
    ],
    customer: [
      'I just placed order {order} but I entered my old address in {city}.',
      'Can you change it to 14 Harbour Street, apartment 3, before it ships?',
      'I will be away next week, could you hold the parcel or send it to my office instead?',
      'The postcode on the order is wrong, there is a typo in the last digit.',
      'Please do not ship it to the packstation, my account is locked there.',
      'My name is missing from the label field, will the courier still deliver it?',
    ],
    agent: [
      'Done! Order {order} will now go to the new address in {city}.',
      'It has not shipped yet, so there is nothing else to do on your side.',
      'The parcel already left our warehouse, so I asked {carrier} to redirect it.',
      'I corrected the postcode; the label will print with the right one.',
    ],
    followUp: [
      'Thank you so much!',
      'The tracking still shows the old city.',
      'It arrived at the right address, thanks.',
    ],
  },
  {
    tag: 'cancellation',
    team: 'Support',
    subjects: ['Cancel order {order}', 'Ordered twice by mistake', 'Please cancel my order'],
    customer: [
      'I ordered by mistake twice, please cancel order {order} and refund it.',
      'I found the {product} cheaper in a local store, can I still cancel?',
      'The delivery estimate of {days} days is too long for me, please cancel.',
      'I changed my mind about the {color} colour, cancel it please and I will reorder.',
      'My card was charged even though the checkout showed an error.',
      'Please confirm the cancellation by email so I have it for my records.',
    ],
    agent: [
      'Order {order} is cancelled and the refund is on its way.',
      'The other order ships today as planned.',
      'The order was already handed to {carrier}, so I have set up a free return instead.',
      'You will get the cancellation confirmation by email in a few minutes.',
    ],
    followUp: [
      'Thanks, received the confirmation.',
      'I still see two charges on my card.',
      'Great, appreciated.',
    ],
  },
  {
    tag: 'product-question',
    team: 'Support',
    subjects: ['Is the {product} waterproof?', 'Question about the {product}', 'Sizing advice for {product}'],
    customer: [
      'Before I buy: is the {product} fully waterproof or only water resistant?',
      'I hike a lot in the Highlands and need something that survives heavy rain.',
      'I am 182 cm tall and weigh 80 kg, which size of the {product} should I take?',
      'Is the {color} version made from recycled materials like the others?',
      'How warm is it compared to the previous model? I get cold easily.',
      'Can it be machine washed or does it need special care?',
    ],
    agent: [
      'It has a 20k mm membrane with taped seams, so it is fully waterproof.',
      'For your height and weight size {size} is the usual pick, especially if you like to layer underneath.',
      'Yes, the {color} version uses the same recycled polyester shell.',
      'Wash it at 30 degrees with a technical detergent and tumble dry low to reactivate the coating.',
    ],
    followUp: [
      'Perfect, thanks! Ordering now.',
      'And what about the hood, is it adjustable?',
      'Thanks for the quick answer.',
    ],
  },
  {
    tag: 'lost-parcel',
    team: 'Shipping',
    subjects: [
      'Package marked delivered but not received',
      'Parcel {tracking} lost',
      'Never received order {order}',
    ],
    customer: [
      'The tracking for order {order} says delivered yesterday at 14:02 but nothing is here.',
      'I checked with all my neighbours and the building reception, nobody has it.',
      '{carrier} says I have to contact the sender, so here I am.',
      'There is no photo proof of delivery in the tracking, only a signature that is not mine.',
      'This was a birthday present and the party is on Saturday.',
      'Can you send a replacement {product} with express shipping?',
    ],
    agent: [
      'I am sorry about this. I have opened an investigation with {carrier} for tracking {tracking}.',
      'I am sending a replacement {product} with express shipping today, no need to wait for the investigation.',
      'If the original parcel turns up, just refuse it or keep it for a friend.',
      'You will get the new tracking number by email this afternoon.',
    ],
    followUp: [
      'Thank you, that saves the birthday!',
      'The replacement tracking is not working yet.',
      'Received the replacement, thanks.',
    ],
  },
  {
    tag: 'payment',
    team: 'Billing',
    subjects: ['Payment failed twice', 'Charged twice for order {order}', 'Card declined at checkout'],
    customer: [
      'My card keeps getting declined at checkout but the bank says everything is fine.',
      'I was charged twice for order {order}, I can see two identical amounts on my statement.',
      'PayPal shows the payment as pending for {days} days now.',
      'Can I pay by invoice or bank transfer instead?',
      'The checkout page froze after I entered my card details.',
      'Please make sure I am not charged again if I retry.',
    ],
    agent: [
      'The second charge was only an authorisation; it will drop off your statement within {days} days.',
      'Our payment provider had a short outage this morning, please try again now.',
      'Invoice payment is available for orders above fifty euros in the payment step.',
      'I can see one successful payment for order {order}, so you will not be charged again.',
    ],
    followUp: ['It worked now, thank you.', 'The double charge is still there.', 'Thanks for clarifying.'],
  },
  {
    tag: 'billing',
    team: 'Billing',
    subjects: ['Invoice for my company', 'VAT invoice for order {order}', 'Wrong billing address on invoice'],
    customer: [
      'Could you send me an invoice with our VAT number DE123456789 for order {order}?',
      'The invoice shows my private address, I need the company address in {city}.',
      'Our accounting needs the invoice as PDF, the email only had a link.',
      'Can you split the invoice between two cost centres?',
      'The VAT rate on the invoice looks wrong for a delivery to {city}.',
      'Please add the purchase order number {code} to the invoice.',
    ],
    agent: [
      'I have attached a corrected invoice with your VAT number and company address.',
      'The invoice PDF is now also in your account under order history.',
      'The VAT rate is correct because the goods ship from our warehouse in {city}.',
      'I added the purchase order number and resent the invoice.',
    ],
    followUp: ['Received, thank you.', 'The VAT number is still missing.', 'All good now.'],
  },
  {
    tag: 'account',
    team: 'Support',
    subjects: ['Cannot log in to my account', 'Password reset email not arriving', 'Delete my account'],
    customer: [
      'I cannot log in, it says my password is wrong even after a reset.',
      'The password reset email never arrives, I checked the spam folder too.',
      'Please delete my account and all my personal data.',
      'I want to change the email address on my account to a new one.',
      'My order history is empty although I ordered the {product} last month.',
      'I get logged out every time I add something to the cart.',
    ],
    agent: [
      'I have reset your login; you can now set a new password from the link I just sent.',
      'Your account and personal data are deleted; you will get a confirmation email.',
      'The order was placed as a guest, I have linked it to your account now.',
      'Please clear your browser cookies once, that fixes the logout loop.',
    ],
    followUp: ['I am in, thanks!', 'The link says it expired already.', 'Thank you for the quick help.'],
  },
  {
    tag: 'quality',
    team: 'Returns',
    subjects: ['Colour faded after washing', 'Quality problem with {product}', 'Pilling after two weeks'],
    customer: [
      'The {color} {product} faded badly after the first wash at 30 degrees.',
      'After two weeks of wearing there is pilling everywhere under the arms.',
      'The waterproofing stopped working, water soaks through at the shoulders.',
      'The sole of my shoes started to come off after a month.',
      'I followed the care instructions exactly as written on the label.',
      'I expected much better quality for the price.',
    ],
    agent: [
      'That is covered by our two-year warranty; I have sent a free return label.',
      'We will repair or replace the {product}, whichever you prefer.',
      'I added a voucher {code} for the trouble.',
      'Thanks for the detailed description, it helps our product team.',
    ],
    followUp: [
      'Replacement please.',
      'The voucher does not work in the app.',
      'Thanks, sending it back today.',
    ],
  },
];

const greetings = [
  'Hi',
  'Hello',
  'Hey',
  'Good morning',
  'Good afternoon',
  'Dear support team',
  'Hi there',
  'Hello team',
];
const closings = [
  'Thanks',
  'Thank you',
  'Best regards',
  'Cheers',
  'Kind regards',
  'Many thanks',
  'Regards',
  'Best',
];
const asides = [
  'I have been a happy customer for years.',
  'This is the second time I am writing about this.',
  'My phone number is in the order if that is easier.',
  'I am travelling next week so a quick answer would be great.',
  'The chat on your website was offline, so I am writing here.',
  'I already tried calling but nobody picked up.',
  'My partner ordered from you last year and loved it.',
  'Please reply in English or German.',
  'Sorry for the long message.',
  'I attached a screenshot of the confirmation page.',
  'Looking forward to hearing from you.',
  'I saw your ad on Instagram.',
];
const carriers = ['DHL', 'UPS', 'DPD', 'GLS', 'Hermes', 'PostNL', 'Royal Mail', 'Colissimo'];
const cities = [
  'Berlin',
  'Hamburg',
  'Munich',
  'Vienna',
  'Zurich',
  'Amsterdam',
  'Copenhagen',
  'Lyon',
  'Milan',
  'Dublin',
  'Leeds',
  'Krakow',
];
const sizes = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const colors = ['black', 'navy', 'forest green', 'rust', 'sand', 'grey', 'red', 'olive'];
const codes = ['WELCOME10', 'SPRING20', 'THANKS15', 'VIPSALE', 'STUDENT10', 'FREESHIP', 'WINTER25', 'LOYAL5'];
const statuses = ['new', 'open', 'pending', 'on-hold', 'solved', 'closed'];

/** 50-ticket pattern of message counts summing to 150: 3 messages per ticket on average, one 20-message thread in 50. */
const messagePattern = (() => {
  const p: number[] = [];
  for (let i = 0; i < 49; i++) p.push(i % 3 === 1 ? 2 : 3 + (i % 3 === 2 ? 1 : 0) - (i % 7 === 0 ? 1 : 0));
  p.push(20);
  // Nudge to exactly 150 without touching the long thread.
  let sum = p.reduce((a, b) => a + b, 0);
  for (let i = 0; sum !== 150; i = (i + 1) % 49) {
    if (sum > 150 && p[i]! > 1) {
      p[i]!--;
      sum--;
    } else if (sum < 150 && p[i]! < 6) {
      p[i]!++;
      sum++;
    }
  }
  return p;
})();

const TOPIC_STRIDE = { subjects: 3, customer: 6, agent: 4, followUp: 3 } as const;
for (const t of topics)
  for (const [k, n] of Object.entries(TOPIC_STRIDE))
    if (t[k as keyof typeof TOPIC_STRIDE].length !== n)
      throw new Error(`scale topic ${t.tag}: ${k} needs ${n} lines`);

const flat = (k: keyof typeof TOPIC_STRIDE) => topics.flatMap((t) => t[k]);

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
