import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { type Db, sql } from '../platform/db/db.ts';
import { PREVIOUS_KEYS_FILE, randomToken, SECRET_KEY_FILE } from '../platform/security/crypto.ts';
import { createKeyRing, type KeyRing, keyIdOf } from '../platform/security/keys.ts';

/**
 * Every value stored encrypted under the key ring's credentials key. A module that adds an encrypted
 * column lists it here, so `shopdesk rotate-secret` re-encrypts it (the CLI writes rows directly, like
 * the other admin helpers). `jsonKey`: the ciphertext is that key of a jsonb column.
 */
export const ENCRYPTED_FIELDS: { table: string; id: string; column: string; jsonKey?: string }[] = [
  { table: 'agents', id: 'id', column: 'totp_secret' },
  { table: 'chat_settings', id: 'workspace_id', column: 'identity_secret' },
  { table: 'store_connections', id: 'id', column: 'credentials' },
  { table: 'label_accounts', id: 'id', column: 'credentials' },
  { table: 'email_inboxes', id: 'id', column: 'smtp', jsonKey: 'passEnc' },
  { table: 'email_inboxes', id: 'id', column: 'imap', jsonKey: 'passEnc' },
  { table: 'automation_webhook_endpoints', id: 'id', column: 'secret_enc' },
  { table: 'automation_webhook_endpoints', id: 'id', column: 'previous_secret_enc' },
  { table: 'webhook_subscriptions', id: 'id', column: 'secret_enc' },
  { table: 'webhook_subscriptions', id: 'id', column: 'previous_secret_enc' },
  { table: 'import_runs', id: 'id', column: 'credentials_enc' },
];

export interface ReencryptReport {
  /** field → values rewritten under the current key */
  rewritten: Record<string, number>;
  /** values that were already under the current key */
  current: number;
}

const label = (f: (typeof ENCRYPTED_FIELDS)[number]) =>
  `${f.table}.${f.column}${f.jsonKey ? `.${f.jsonKey}` : ''}`;

async function* storedValues(db: Db, f: (typeof ENCRYPTED_FIELDS)[number]) {
  const value = f.jsonKey
    ? sql`${sql.identifier(f.column)}->>${f.jsonKey}`
    : sql`${sql.identifier(f.column)}`;
  let after: string | number | null = null;
  for (;;) {
    const rows: { id: string | number; v: string }[] = await db.query<{ id: string | number; v: string }>(sql`
      SELECT ${sql.identifier(f.id)} AS id, ${value} AS v FROM ${sql.identifier(f.table)}
      WHERE ${value} IS NOT NULL ${after === null ? sql`` : sql`AND ${sql.identifier(f.id)} > ${after}`}
      ORDER BY ${sql.identifier(f.id)} LIMIT 500`);
    if (!rows.length) return;
    yield* rows;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * Decrypts every stored credential with the ring and, unless `dryRun`, writes it back encrypted under
 * the ring's current key. Each write is guarded by the old value, so a value changed meanwhile by a
 * running node (which already writes under the current key) is left alone. Throws before writing
 * anything when a value cannot be decrypted with any key of the ring.
 */
export async function reencryptStoredSecrets(
  db: Db,
  keys: KeyRing,
  dryRun = false,
): Promise<ReencryptReport> {
  const report: ReencryptReport = { rewritten: {}, current: 0 };
  // First pass: everything must decrypt, or nothing is touched.
  for (const f of ENCRYPTED_FIELDS)
    for await (const r of storedValues(db, f)) {
      try {
        keys.decrypt(r.v);
      } catch {
        throw new Error(
          `${label(f)} of row ${r.id} does not decrypt with any key in the ring; is a previous key missing?`,
        );
      }
    }
  for (const f of ENCRYPTED_FIELDS) {
    let n = 0;
    for await (const r of storedValues(db, f)) {
      if (keys.isCurrent(r.v)) {
        report.current++;
        continue;
      }
      n++;
      if (dryRun) continue;
      const next = keys.encrypt(keys.decrypt(r.v));
      const col = sql.identifier(f.column);
      await db.query(
        f.jsonKey
          ? sql`UPDATE ${sql.identifier(f.table)} SET ${col} = jsonb_set(${col}, ${`{${f.jsonKey}}`}::text[], to_jsonb(${next}::text))
                WHERE ${sql.identifier(f.id)} = ${r.id} AND ${col}->>${f.jsonKey} = ${r.v}`
          : sql`UPDATE ${sql.identifier(f.table)} SET ${col} = ${next}
                WHERE ${sql.identifier(f.id)} = ${r.id} AND ${col} = ${r.v}`,
      );
    }
    report.rewritten[label(f)] = n;
  }
  return report;
}

/**
 * `shopdesk rotate-secret` on the embedded install (no SECRET_KEY in the environment): checks that every
 * stored credential decrypts, generates a new master key, keeps the old ones in the data dir's
 * secret.key.previous (they still verify links and tags already sent), installs the new key and
 * re-encrypts everything under it.
 */
export async function rotateEmbeddedSecret(db: Db, config: Config) {
  const old = createKeyRing(config.secretKey, config.previousSecretKeys);
  await reencryptStoredSecrets(db, old, true);
  let next = randomToken(48);
  while (old.ids.includes(keyIdOf(next))) next = randomToken(48);
  const previous = [config.secretKey, ...config.previousSecretKeys];
  // Previous keys first, then the new key, each by an atomic rename: a crash in between leaves a ring
  // that still decrypts everything (the old key is in both files).
  writeAtomic(join(config.dataDir, PREVIOUS_KEYS_FILE), `${previous.join('\n')}\n`);
  writeAtomic(join(config.dataDir, SECRET_KEY_FILE), next);
  config.secretKey = next;
  config.previousSecretKeys = previous;
  const ring = createKeyRing(next, previous);
  return {
    keyId: ring.currentId,
    previousKeyIds: ring.ids.slice(1),
    ...(await reencryptStoredSecrets(db, ring)),
  };
}

/** Forgets the previous keys of the embedded install once nothing stored needs them. */
export async function dropPreviousSecrets(db: Db, config: Config) {
  const ring = createKeyRing(config.secretKey, config.previousSecretKeys);
  const pending = await reencryptStoredSecrets(db, ring, true);
  const left = Object.values(pending.rewritten).reduce((a, b) => a + b, 0);
  if (left)
    throw new Error(`${left} stored values still use a previous key; run rotate-secret --reencrypt first`);
  const file = join(config.dataDir, PREVIOUS_KEYS_FILE);
  if (existsSync(file)) writeAtomic(file, '');
  return { dropped: ring.ids.length - 1 };
}

function writeAtomic(file: string, text: string) {
  const tmp = `${file}.${randomToken(6)}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}
