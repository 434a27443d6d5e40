import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const sha256 = (v: string | Buffer) => createHash('sha256').update(v).digest('hex');
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const hmacHex = (key: string | Buffer, data: string | Buffer, algo = 'sha256') =>
  createHmac(algo, key).update(data).digest('hex');

/** Uses SECRET_KEY when set; otherwise a key generated once into the data dir (embedded mode). */
export function resolveSecretKey(configured: string, dataDir: string): string {
  if (configured) return configured;
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomToken(48);
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}

/** AES-256-GCM for credentials stored at rest (IMAP passwords, TOTP secrets). */
export function encrypt(secretKey: string, plain: string): string {
  const key = createHash('sha256').update(`enc:${secretKey}`).digest();
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `v1.${iv.toString('base64url')}.${c.getAuthTag().toString('base64url')}.${body.toString('base64url')}`;
}

export function decrypt(secretKey: string, blob: string): string {
  const [v, iv, tag, body] = blob.split('.');
  if (v !== 'v1' || !iv || !tag || !body) throw new Error('unrecognised ciphertext');
  const key = createHash('sha256').update(`enc:${secretKey}`).digest();
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
}
