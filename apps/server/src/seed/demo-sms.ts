import { type Db, sql } from '../platform/db/db.ts';
import { randomToken } from '../platform/security/crypto.ts';

/**
 * The demo's SMS inbox (docs/sms-voice.md) with a few texts and a voicemail. The account has no auth
 * token and is switched off: the demo never calls Twilio (a reply says no number is connected until an
 * admin enters real credentials in Settings → SMS).
 */
export async function seedDemoSms(
  tx: Db,
  w: number,
  o: { supportTeamId: number; agentId: number; now: number },
) {
  const accountSid = `AC${'0'.repeat(24)}de0000d0`;
  const settings = {
    accountSid,
    phoneNumber: '+15005550006',
    messagingServiceSid: null,
    defaultCountry: 'US',
    helpText: 'Demo Outfitters support. Text us any time; reply STOP to opt out.',
    voice: {
      enabled: true,
      greetingOpen:
        'Thanks for calling Demo Outfitters. Please leave a message after the tone and we will call you back.',
      greetingClosed:
        'Thanks for calling Demo Outfitters. We are closed now; leave a message and we call back.',
      consentNotice: 'Your message is recorded and transcribed so that we can help you.',
      maxRecordingSeconds: 120,
      language: 'en-US',
    },
  };
  const account = (await tx.one<{ id: number }>(sql`
    INSERT INTO channel_accounts (workspace_id, channel, name, hook_key, address, settings, active)
    VALUES (${w}, 'sms', 'Demo text line (not connected)', ${randomToken(18)}, ${settings.phoneNumber},
            ${JSON.stringify(settings)}::jsonb, false) RETURNING id`))!.id;

  const people = [
    { name: 'Rosa Delgado', phone: '+14155550142' },
    { name: 'Tom Becker', phone: '+14155550177' },
    { name: null, phone: '+14155550198' },
  ];
  const contacts: number[] = [];
  for (const p of people) {
    const c = (await tx.one<{ id: number }>(sql`
      INSERT INTO contacts (workspace_id, name, phone) VALUES (${w}, ${p.name}, ${p.phone}) RETURNING id`))!
      .id;
    await tx.query(
      sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value) VALUES (${w}, ${c}, 'phone', ${p.phone})`,
    );
    contacts.push(c);
  }

  const convos: {
    contact: number;
    channel: 'sms' | 'voice';
    subject: string;
    tags: string[];
    minutesAgo: number;
    messages: { kind: 'inbound' | 'outbound' | 'note'; body: string; after: number }[];
  }[] = [
    {
      contact: contacts[0]!,
      channel: 'sms',
      subject: 'Hi, my order 1187 says delivered but nothing is here',
      tags: ['shipping'],
      minutesAgo: 42,
      messages: [
        { kind: 'inbound', body: 'Hi, my order 1187 says delivered but nothing is here 😕', after: 0 },
        { kind: 'inbound', body: 'Checked with the neighbours too', after: 3 },
      ],
    },
    {
      contact: contacts[1]!,
      channel: 'sms',
      subject: 'Can I swap the trail shoes for a 44?',
      tags: ['exchange'],
      minutesAgo: 300,
      messages: [
        { kind: 'inbound', body: 'Can I swap the trail shoes for a 44? The 43 pinches.', after: 0 },
        {
          kind: 'outbound',
          body: 'Of course! Reply with your order number and we will send a free exchange label.',
          after: 12,
        },
        { kind: 'inbound', body: 'It is 1203, thanks!', after: 20 },
      ],
    },
    {
      contact: contacts[2]!,
      channel: 'voice',
      subject: 'Voicemail from +14155550198 (23 s)',
      tags: ['voicemail', 'callback'],
      minutesAgo: 95,
      messages: [
        {
          kind: 'inbound',
          body: 'Voicemail, 23 seconds. (The demo has no recording; a real voicemail has the audio attached.)',
          after: 0,
        },
        {
          kind: 'note',
          body: 'Voicemail transcript:\n\nHi, this is about the down jacket I ordered last week, the zip broke on the first day. Can someone call me back please? Thanks.',
          after: 1,
        },
      ],
    },
  ];
  for (const c of convos) {
    const start = o.now - c.minutesAgo * 60_000;
    const at = (m: number) => new Date(start + m * 60_000).toISOString();
    const visible = c.messages.filter((m) => m.kind !== 'note');
    const last = visible[visible.length - 1]!;
    const lastInbound = [...visible].reverse().find((m) => m.kind === 'inbound')!;
    const firstOut = visible.find((m) => m.kind === 'outbound');
    const t = (await tx.one<{ id: number }>(sql`
      INSERT INTO tickets (workspace_id, subject, status, priority, channel, contact_id, team_id, tags, message_count,
        last_message_preview, last_message_at, last_inbound_at, first_response_at, created_at, updated_at)
      VALUES (${w}, ${c.subject}, ${firstOut ? 'open' : 'new'}, 'normal', ${c.channel}, ${c.contact}, ${o.supportTeamId},
        ${c.tags}, ${visible.length}, ${last.body.slice(0, 200)}, ${at(last.after)}::timestamptz,
        ${at(lastInbound.after)}::timestamptz, ${firstOut ? at(firstOut.after) : null}::timestamptz,
        ${at(0)}::timestamptz, ${at(last.after)}::timestamptz)
      RETURNING id`))!.id;
    for (const [n, m] of c.messages.entries()) {
      const meta =
        m.kind === 'note'
          ? { via: { kind: 'channel', name: 'Twilio transcription' } }
          : { accountId: account, ...(c.channel === 'voice' ? { voice: { seconds: 23 } } : {}) };
      await tx.query(sql`
        INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_agent_id, author_contact_id, body_text,
          external_id, delivery_status, channel_meta, created_at)
        VALUES (${w}, ${t}, ${m.kind}, ${m.kind === 'note' ? 'internal' : c.channel},
          ${m.kind === 'outbound' ? o.agentId : null}, ${m.kind === 'inbound' ? c.contact : null}, ${m.body},
          ${m.kind === 'note' ? null : `SMdemo${t}x${n}`}, ${m.kind === 'inbound' ? 'received' : m.kind === 'note' ? 'none' : 'delivered'},
          ${JSON.stringify(meta)}::jsonb, ${at(m.after)}::timestamptz)`);
    }
    await tx.query(sql`INSERT INTO ticket_events (workspace_id, ticket_id, type, data, created_at)
      VALUES (${w}, ${t}, 'created', ${JSON.stringify({ channel: c.channel })}::jsonb, ${at(0)}::timestamptz)`);
    // The voicemail's callback task (modules/callbacks), due four hours after the call; no call is placed.
    if (c.channel === 'voice')
      await tx.query(sql`INSERT INTO callback_tasks (workspace_id, ticket_id, account_id, reason, phone, due_at, created_at)
        SELECT ${w}, ${t}, ${account}, 'voicemail', phone, ${at(240)}::timestamptz, ${at(0)}::timestamptz
        FROM contacts WHERE id = ${c.contact}`);
    if (c.channel === 'sms')
      await tx.query(sql`INSERT INTO channel_threads (account_id, thread_key, workspace_id, ticket_id)
        SELECT ${account}, phone, ${w}, ${t} FROM contacts WHERE id = ${c.contact}`);
  }
  await tx.query(sql`INSERT INTO tags (workspace_id, name)
    SELECT ${w}, unnest(${['voicemail', 'callback', 'exchange']}::text[]) ON CONFLICT DO NOTHING`);
}
