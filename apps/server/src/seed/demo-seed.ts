import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { type Db, sql } from '../platform/db/db.ts';
import { randomToken, sha256 } from '../platform/security/crypto.ts';
import { hashPassword } from '../platform/security/passwords.ts';
import { seedDemoAnalytics } from './demo-analytics.ts';
import { seedDemoArticles } from './demo-articles.ts';
import { chatScenarios, firstNames, lastNames, products, type Scenario, scenarios } from './demo-content.ts';
import { seedDemoDesk } from './demo-desk.ts';
import { seedDemoFeedback, seedDemoFeedbackLoop } from './demo-feedback.ts';
import { seedDemoLabel } from './demo-labels.ts';
import { seedDemoListening } from './demo-listening.ts';
import { seedDemoMessaging } from './demo-messaging.ts';
import { seedDemoOrders } from './demo-orders.ts';
import { seedDemoQuality } from './demo-quality.ts';
import { seedDemoReturns } from './demo-returns.ts';
import { seedDemoSms } from './demo-sms.ts';
import { seedDemoTracking } from './demo-tracking.ts';

export const DEMO_SLUG = 'demo-outfitters';
export const DEMO_ADMIN_EMAIL = 'admin@demo-outfitters.test';
/** The demo's email inbox: mail to it on the SMTP port becomes a ticket; replies go to the dev mailbox. */
export const DEMO_INBOX_ADDRESS = 'support@demo-outfitters.test';

/** Deterministic pseudo-random numbers so every demo looks the same. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const fill = (t: string, v: Record<string, string>) => t.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? '');

/**
 * Seeds "Demo Outfitters" in one transaction: a data loader (like import), so it writes rows directly
 * instead of replaying API calls — 200 tickets in well under a second.
 */
export async function seedDemo(
  db: Db,
  log?: Logger,
  password = randomToken(9),
): Promise<{ email: string; password: string; workspaceId: number }> {
  const rand = rng(42);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
  const hashes = await Promise.all([password, randomToken(12)].map((p) => hashPassword(p)));
  const now = Date.now();

  const workspaceId = await db.tx(async (tx) => {
    const ws = await tx.one<{
      id: number;
    }>(sql`INSERT INTO workspaces (name, slug, settings) VALUES ('Demo Outfitters', ${DEMO_SLUG},
      ${JSON.stringify({ supportEmail: 'support@demo-outfitters.test', timezone: 'Europe/Berlin' })}::jsonb) RETURNING id`);
    const w = ws!.id;
    const agents: { id: number; name: string }[] = [];
    for (const [email, name, role, hash] of [
      [DEMO_ADMIN_EMAIL, 'Alex Admin', 'admin', hashes[0]],
      ['lee@demo-outfitters.test', 'Lee Lead', 'lead', hashes[1]],
      ['sam@demo-outfitters.test', 'Sam Rivera', 'agent', hashes[1]],
      ['riley@demo-outfitters.test', 'Riley Chen', 'agent', hashes[1]],
      ['casey@demo-outfitters.test', 'Casey Viewer', 'read-only', hashes[1]],
    ] as const) {
      const a = await tx.one<{
        id: number;
      }>(sql`INSERT INTO agents (workspace_id, email, name, role, password_hash, languages)
        VALUES (${w}, ${email}, ${name}, ${role}, ${hash}, ${['en']}) RETURNING id`);
      agents.push({ id: a!.id, name });
    }
    // A colleague invited and not yet joined: Settings → Agents shows "Invited" and makes a new link
    // (with no relay in the demo, the admin is shown the link instead of it being mailed).
    await tx.query(sql`INSERT INTO agents (workspace_id, email, name, role, password_hash, languages)
      VALUES (${w}, 'morgan@demo-outfitters.test', 'Morgan Trainee', 'agent', NULL, ${['en']})`);
    const support = (await tx.one<{ id: number }>(
      sql`INSERT INTO teams (workspace_id, name) VALUES (${w}, 'Support') RETURNING id`,
    ))!.id;
    const returns = (await tx.one<{ id: number }>(
      sql`INSERT INTO teams (workspace_id, name) VALUES (${w}, 'Returns') RETURNING id`,
    ))!.id;
    for (const a of agents.slice(1, 4))
      await tx.query(
        sql`INSERT INTO team_members (workspace_id, team_id, agent_id) VALUES (${w}, ${support}, ${a.id})`,
      );
    await tx.query(
      sql`INSERT INTO team_members (workspace_id, team_id, agent_id) VALUES (${w}, ${returns}, ${agents[3]!.id})`,
    );

    const contacts: { id: number; first: string; email: string }[] = [];
    for (let i = 0; i < 50; i++) {
      const first = firstNames[i % firstNames.length]!;
      const last = lastNames[(i * 7) % lastNames.length]!;
      const email = `${first}.${last}${i}@example.com`.toLowerCase();
      const orders = 1 + Math.floor(rand() * 5);
      const c = await tx.one<{
        id: number;
      }>(sql`INSERT INTO contacts (workspace_id, name, email, tags, custom_fields, created_at)
        VALUES (${w}, ${`${first} ${last}`}, ${email}, ${orders >= 4 ? ['vip'] : []},
                ${JSON.stringify({ orders, lifetimeValue: orders * 12900 })}::jsonb, ${new Date(now - (400 - i) * 86400_000).toISOString()}::timestamptz)
        RETURNING id`);
      await tx.query(
        sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value) VALUES (${w}, ${c!.id}, 'email', ${email})`,
      );
      contacts.push({ id: c!.id, first, email });
    }

    const tagNames = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const chat = i % 4 === 3;
      const sc: Scenario = chat ? pick(chatScenarios) : pick(scenarios);
      const contact = pick(contacts);
      const agent = pick(agents.slice(1, 4));
      const order = `#${1000 + randomInt(0, 9000)}`;
      const vars = {
        order,
        product: pick(products).name,
        name: contact.first,
        agent: agent.name.split(' ')[0]!,
      };
      // Minutes, up to 10 days, most of them recent: a desk the team works on now, not an archive.
      const age = Math.floor(rand() ** 1.6 * 10 * 24 * 60) + 5;
      let createdAt = new Date(now - age * 60_000);
      const answered = !!sc.agent && rand() < 0.8;
      const status = !answered
        ? rand() < 0.5
          ? 'new'
          : 'open'
        : sc.followUp
          ? pick(['solved', 'solved', 'closed', 'open'])
          : pick(['pending', 'solved', 'open', 'on-hold']);
      const assignee = status === 'new' ? null : agent.id;
      for (const t of sc.tags) tagNames.add(t);
      const subject = fill(sc.subject, vars);
      const msgs: { kind: 'inbound' | 'outbound'; body: string; at: Date }[] = [
        { kind: 'inbound', body: fill(sc.customer, vars), at: createdAt },
      ];
      if (answered)
        msgs.push({
          kind: 'outbound',
          body: fill(sc.agent!, vars),
          at: new Date(createdAt.getTime() + (5 + rand() * 240) * 60_000),
        });
      if (answered && sc.followUp)
        msgs.push({
          kind: 'inbound',
          body: fill(sc.followUp, vars),
          at: new Date(msgs[1]!.at.getTime() + (10 + rand() * 600) * 60_000),
        });
      // A conversation that started minutes ago has not had hours of replies yet: nothing in the future.
      const overflow = msgs[msgs.length - 1]!.at.getTime() - (now - 60_000);
      if (overflow > 0) {
        createdAt = new Date(createdAt.getTime() - overflow);
        for (const m of msgs) m.at = new Date(m.at.getTime() - overflow);
      }
      const last = msgs[msgs.length - 1]!;
      const firstResponse = msgs.find((m) => m.kind === 'outbound')?.at ?? null;
      const solvedAt =
        status === 'solved' || status === 'closed' ? new Date(last.at.getTime() + 60_000) : null;
      const t = await tx.one<{ id: number }>(sql`
        INSERT INTO tickets (workspace_id, subject, status, priority, channel, contact_id, assignee_id, team_id, tags, message_count,
          last_message_preview, last_message_at, last_inbound_at, first_response_at, solved_at, closed_at, created_at, updated_at)
        VALUES (${w}, ${subject}, ${status}, ${sc.priority ?? 'normal'}, ${chat ? 'chat' : 'email'}, ${contact.id}, ${assignee},
          ${sc.tags.includes('returns') ? returns : support}, ${sc.tags}, ${msgs.length},
          ${last.body.replace(/\s+/g, ' ').slice(0, 200)}, ${last.at.toISOString()}::timestamptz,
          ${[...msgs]
            .reverse()
            .find((m) => m.kind === 'inbound')!
            .at.toISOString()}::timestamptz,
          ${firstResponse?.toISOString() ?? null}::timestamptz, ${solvedAt?.toISOString() ?? null}::timestamptz,
          ${status === 'closed' ? solvedAt!.toISOString() : null}::timestamptz, ${createdAt.toISOString()}::timestamptz, ${last.at.toISOString()}::timestamptz)
        RETURNING id`);
      for (const [n, m] of msgs.entries()) {
        const inbound = m.kind === 'inbound';
        await tx.query(sql`
          INSERT INTO messages (workspace_id, ticket_id, kind, channel, author_agent_id, author_contact_id, body_text, external_id,
            delivery_status, created_at)
          VALUES (${w}, ${t!.id}, ${m.kind}, ${chat ? 'chat' : 'email'}, ${inbound ? null : agent.id}, ${inbound ? contact.id : null},
            ${m.body}, ${chat ? null : `<demo-${t!.id}-${n}@demo-outfitters.test>`}, ${inbound ? 'received' : 'sent'}, ${m.at.toISOString()}::timestamptz)`);
      }
      await tx.query(sql`INSERT INTO ticket_events (workspace_id, ticket_id, type, data, created_at)
        VALUES (${w}, ${t!.id}, 'created', ${JSON.stringify({ channel: chat ? 'chat' : 'email' })}::jsonb, ${createdAt.toISOString()}::timestamptz)`);
    }
    await tx.query(
      sql`INSERT INTO tags (workspace_id, name) SELECT ${w}, unnest(${[...tagNames]}::text[]) ON CONFLICT DO NOTHING`,
    );
    for (const [pos, name, filters] of [
      [1, 'Urgent & high', { status: 'active', priority: 'urgent' }],
      [2, 'Returns', { status: 'active', tag: 'returns' }],
      [3, 'Shipping questions', { status: 'active', tag: 'shipping' }],
    ] as const) {
      await tx.query(
        sql`INSERT INTO views (workspace_id, agent_id, name, filters, position) VALUES (${w}, NULL, ${name}, ${JSON.stringify(filters)}::jsonb, ${pos})`,
      );
    }
    // No relay (smtp NULL): replies go to EMAIL_RELAY_URL if set, else the local dev mailbox, so the demo
    // sends nothing off the machine. The webhook secret is random and never shown (rotate it to use it).
    await tx.query(sql`INSERT INTO email_inboxes (workspace_id, name, address, from_name, signature, webhook_secret_hash)
      VALUES (${w}, 'Demo Outfitters Support', ${DEMO_INBOX_ADDRESS}, 'Demo Outfitters',
        'Demo Outfitters · Customer care', ${sha256(randomToken(24))})`);
    await seedDemoDesk(tx, w, { adminId: agents[0]!.id, returnsTeamId: returns, now });
    await seedDemoArticles(tx, w);
    await seedDemoSms(tx, w, { supportTeamId: support, agentId: agents[1]!.id, now });
    await seedDemoMessaging(tx, w, { supportTeamId: support, agentId: agents[1]!.id, now });
    return w;
  });
  await seedDemoOrders(db, workspaceId);
  const demoReturn = await seedDemoReturns(db, workspaceId);
  if (demoReturn) await seedDemoLabel(db, workspaceId, demoReturn.returnId);
  await seedDemoFeedback(db, workspaceId);
  await seedDemoTracking(db, workspaceId);
  await seedDemoFeedbackLoop(db, workspaceId, 'https://shop.demo-outfitters.test');
  await seedDemoQuality(db, workspaceId);
  await seedDemoListening(db, workspaceId);
  await seedDemoAnalytics(db, workspaceId, 'Europe/Berlin');
  log?.info({ workspaceId }, 'seeded demo workspace "Demo Outfitters"');
  return { email: DEMO_ADMIN_EMAIL, password, workspaceId };
}
