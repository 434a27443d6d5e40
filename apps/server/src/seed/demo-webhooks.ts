import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { type Db, sql } from '../platform/db/db.ts';
import { keyRing } from '../platform/security/keys.ts';

/**
 * The demo's outgoing webhook: a subscription to a few events that points at the server's own demo sink
 * (/demo/webhook-sink, served with SEED_DEMO), so Settings → Webhooks shows signed deliveries and their
 * answers without anything leaving the machine. The sink is on loopback, which the guard refuses unless
 * allowed: the demo workspace's outbound allow-list gets 127.0.0.1/32 (and says so in docs/integrations.md).
 */
export async function seedDemoWebhooks(
  db: Db,
  config: Pick<Config, 'PORT' | 'secretKey' | 'previousSecretKeys'>,
  workspaceId: number,
) {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const row = await db.one<{ id: number }>(sql`
    INSERT INTO webhook_subscriptions (workspace_id, url, description, events, secret_enc)
    VALUES (${workspaceId}, 'http://127.0.0.1/pending', 'Demo: the built-in test receiver (verifies each signature)',
      ${['ticket.created', 'ticket.solved', 'message.received', 'survey.answered']}::text[],
      ${keyRing(config).encrypt(secret)})
    RETURNING id`);
  const port = config.PORT || 3000;
  await db.query(sql`UPDATE webhook_subscriptions
    SET url = ${`http://127.0.0.1:${port}/demo/webhook-sink/${workspaceId}/${row!.id}`} WHERE id = ${row!.id}`);
  const current =
    (
      await db.one<{ list: string[] | null }>(
        sql`SELECT settings->'outboundAllowList' AS list FROM workspaces WHERE id = ${workspaceId}`,
      )
    )?.list ?? [];
  const list = [...new Set([...current, '127.0.0.1/32'])];
  await db.query(sql`UPDATE workspaces SET settings = jsonb_set(settings, '{outboundAllowList}', ${JSON.stringify(list)}::jsonb)
    WHERE id = ${workspaceId}`);
}
