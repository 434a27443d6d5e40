import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const sha256 = (v: string | Buffer) => createHash('sha256').update(v).digest('hex');
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const SECRET_KEY_FILE = 'secret.key';
/** Earlier master keys of the embedded install, one a line, written by `shopdesk rotate-secret`. */
export const PREVIOUS_KEYS_FILE = 'secret.key.previous';

/**
 * Uses SECRET_KEY when set; otherwise a key generated once into the data dir (embedded mode), with the
 * earlier keys a rotation left in the data dir next to it.
 */
export function resolveSecretKeys(config: {
  secretKey: string;
  previousSecretKeys: string[];
  dataDir: string;
}): void {
  if (config.secretKey) return;
  const file = join(config.dataDir, SECRET_KEY_FILE);
  if (existsSync(file)) {
    config.secretKey = readFileSync(file, 'utf8').trim();
    const prev = join(config.dataDir, PREVIOUS_KEYS_FILE);
    if (existsSync(prev) && !config.previousSecretKeys.length)
      config.previousSecretKeys = readFileSync(prev, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    return;
  }
  mkdirSync(config.dataDir, { recursive: true });
  config.secretKey = randomToken(48);
  writeFileSync(file, config.secretKey, { mode: 0o600 });
}
