import { type Db, sql } from '../platform/db/db.ts';
import { randomToken } from '../platform/security/crypto.ts';

/**
 * The demo's WhatsApp number, Facebook Page and Instagram account (docs/messaging-apps.md) with a few
 * conversations: one WhatsApp chat inside the 24-hour window, one past it (the composer offers only
 * templates), a Messenger and an Instagram DM. The accounts have no tokens and are switched off: the demo
 * never calls Meta (a reply says no account is connected until an admin enters real credentials).
 */
export async function seedDemoMessaging(
  tx: Db,
  w: number,
  o: { supportTeamId: number; agentId: number; now: number },
) {
  const account = async (channel: string, name: string, address: string, settings: object) =>
    (await tx.one<{ id: number }>(sql`
      INSERT INTO channel_accounts (workspace_id, channel, name, hook_key, address, settings, active)
      VALUES (${w}, ${channel}, ${name}, ${randomToken(18)}, ${address}, ${JSON.stringify(settings)}::jsonb, false)
      RETURNING id`))!.id;
  const accounts = {
    whatsapp: await account('whatsapp', 'Demo WhatsApp (not connected)', '+1 555 010 0199', {
      phoneNumberId: '100000000000001',
      businessAccountId: '100000000000002',
      displayPhoneNumber: '+1 555 010 0199',
      graphVersion: 'v21.0',
    }),
    messenger: await account('messenger', 'Demo Outfitters Page (not connected)', 'Demo Outfitters', {
      pageId: '100000000000003',
      pageName: 'Demo Outfitters',
      humanAgentTag: false,
      graphVersion: 'v21.0',
    }),
    instagram: await account('instagram', 'Demo Instagram (not connected)', '@demo.outfitters', {
      pageId: '17841400000000009',
      pageName: '@demo.outfitters',
      humanAgentTag: false,
      graphVersion: 'v21.0',
    }),
  };

  const convos: {
    channel: 'whatsapp' | 'messenger' | 'instagram';
    person: { name: string | null; phone?: string; id: string };
    subject: string;
    tags: string[];
    minutesAgo: number;
    messages: { kind: 'inbound' | 'outbound'; body: string; after: number }[];
  }[] = [
    {
      channel: 'whatsapp',
      person: { name: 'Lucía Fernández', phone: '+34612345678', id: '34612345678' },
      subject: 'Do the merino socks come in size 46?',
      tags: ['product-question'],
      minutesAgo: 25,
      messages: [
        { kind: 'inbound', body: 'Hola! Do the merino socks come in size 46?', after: 0 },
        { kind: 'inbound', body: 'I need two pairs for a hike on Saturday 🥾', after: 1 },
      ],
    },
    {
      channel: 'whatsapp',
      person: { name: 'Daniel Okafor', phone: '+447700900123', id: '447700900123' },
      subject: 'Return label for the rain jacket',
      tags: ['returns'],
      minutesAgo: 30 * 60,
      messages: [
        { kind: 'inbound', body: 'Hi, can I get a return label for the rain jacket? Order 1174.', after: 0 },
        {
          kind: 'outbound',
          body: 'Sure, Daniel — we are creating it and will send it here shortly.',
          after: 14,
        },
        { kind: 'inbound', body: 'Great, thanks!', after: 20 },
      ],
    },
    {
      channel: 'messenger',
      person: { name: 'Mia Schultz', id: '7000000000000101' },
      subject: 'Is the Alpine tent still on sale?',
      tags: ['product-question'],
      minutesAgo: 70,
      messages: [
        {
          kind: 'inbound',
          body: 'Hi! Is the Alpine tent still on sale? The post said until Sunday.',
          after: 0,
        },
      ],
    },
    {
      channel: 'instagram',
      person: { name: null, id: '5400000000000101' },
      subject: "Replied to the shop's story",
      tags: [],
      minutesAgo: 150,
      messages: [
        {
          kind: 'inbound',
          body: "Replied to the shop's story\nLove this jacket 😍 does it come in green?",
          after: 0,
        },
      ],
    },
  ];
  for (const c of convos) {
    const contact = (await tx.one<{ id: number }>(sql`
      INSERT INTO contacts (workspace_id, name, phone) VALUES (${w}, ${c.person.name}, ${c.person.phone ?? null})
      RETURNING id`))!.id;
    await tx.query(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
      VALUES (${w}, ${contact}, ${c.channel}, ${c.person.id})`);
    const start = o.now - c.minutesAgo * 60_000;
    const at = (m: number) => new Date(start + m * 60_000).toISOString();
    const last = c.messages[c.messages.length - 1]!;
    const lastInbound = [...c.messages].reverse().find((m) => m.kind === 'inbound')!;
    const firstOut = c.messages.find((m) => m.kind === 'outbound');
    const t = (await tx.one<{ id: number }>(sql`
      INSERT INTO tickets (workspace_id, subject, status, priority, channel, contact_id, team_id, tags, message_count,
        last_message_preview, last_message_at, last_inbound_at, first_response_at, created_at, updated_at)
      VALUES (${w}, ${c.subject}, ${firstOut ? 'open' : 'new'}, 'normal', ${c.channel}, ${contact}, ${o.supportTeamId},
        ${c.tags}, ${c.messages.length}, ${last.body.slice(0, 200)}, ${at(last.after)}::timestamptz,
        ${at(lastInbound.after)}::timestamptz, ${firstOut ? at(firstOut.after) : null}::timestamptz,
        ${at(0)}::timestamptz, ${at(last.after)}::timestamptz)
      RETURNING id`))!.id;
    for (const [n, m] of c.messages.entries())
      await tx.query(sql`
        INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_agent_id, author_contact_id, body_text,
          external_id, delivery_status, channel_meta, created_at)
        VALUES (${w}, ${t}, ${m.kind}, ${c.channel}, ${m.kind === 'outbound' ? o.agentId : null},
          ${m.kind === 'inbound' ? contact : null}, ${m.body}, ${`demo.${c.channel}.${t}.${n}`},
          ${m.kind === 'inbound' ? 'received' : 'read'},
          ${JSON.stringify({ accountId: accounts[c.channel] })}::jsonb, ${at(m.after)}::timestamptz)`);
    await tx.query(sql`INSERT INTO ticket_events (workspace_id, ticket_id, type, data, created_at)
      VALUES (${w}, ${t}, 'created', ${JSON.stringify({ channel: c.channel })}::jsonb, ${at(0)}::timestamptz)`);
    await tx.query(sql`INSERT INTO channel_threads (account_id, thread_key, workspace_id, ticket_id)
      VALUES (${accounts[c.channel]}, ${c.person.id}, ${w}, ${t})`);
  }
  await tx.query(sql`INSERT INTO tags (workspace_id, name)
    SELECT ${w}, unnest(${['product-question', 'returns']}::text[]) ON CONFLICT DO NOTHING`);
}
