import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { safeEqual } from './crypto.ts';

/**
 * Every use of the server's master key goes through a purpose: each purpose gets its own key, derived
 * with HKDF-SHA256, so a key handed out or leaked for one purpose says nothing about the others and the
 * master key itself never signs or encrypts anything.
 */
export type KeyPurpose =
  | 'credentials' // stored passwords, API keys, TOTP secrets, webhook endpoint secrets (AES-256-GCM)
  | 'chat-file-links' // signed links to chat attachments
  | 'chat-visitor-tokens' // the base of each workspace's chat visitor token key
  | 'reply-tags' // the MAC in support+t123-<mac>@shop reply addresses
  | 'shopper-links'; // signed tracking/return links opened by shoppers

/** Key ids are 4 hex characters: short enough to sit inside a reply address, enough to tell 2–3 keys apart. */
export const KEY_ID_LENGTH = 4;

export const keyIdOf = (master: string) =>
  Buffer.from(hkdfSync('sha256', master, 'shopdesk', 'shopdesk/key-id', 2)).toString('hex');

const derive = (master: string, purpose: KeyPurpose) =>
  Buffer.from(hkdfSync('sha256', master, 'shopdesk', `shopdesk/${purpose}/v1`, 32));

export interface KeyRing {
  /** Id of the key that encrypts and signs now; older keys only decrypt and verify. */
  readonly currentId: string;
  readonly ids: readonly string[];
  /** The purpose key of the current master key, or of the one with this id. */
  key(purpose: KeyPurpose, id?: string): Buffer;
  /** Purpose keys of every master key in the ring, current first (to verify what carries no key id). */
  allKeys(purpose: KeyPurpose): Buffer[];
  /** The master keys themselves, current first: only to verify values made before key ids existed. */
  legacyMasters(): readonly string[];
  /** `v2.<keyId>.<iv>.<tag>.<body>`, AES-256-GCM with the purpose as associated data. */
  encrypt(plain: string, purpose?: KeyPurpose): string;
  /** Decrypts v2 with the key its id names, and v1 (before key ids) with each master key in turn. */
  decrypt(blob: string, purpose?: KeyPurpose): string;
  /** Whether a stored ciphertext is already under the current key (rotate-secret skips those). */
  isCurrent(blob: string): boolean;
  /** A compact MAC: key id + the first `hexChars` hex characters of HMAC-SHA256(purpose key, data). */
  sign(purpose: KeyPurpose, data: string, hexChars: number): string;
  verify(purpose: KeyPurpose, data: string, signature: string, hexChars: number): boolean;
}

export class KeyRingError extends Error {}

/** `current` signs and encrypts; `previous` master keys (during a rotation) still decrypt and verify. */
export function createKeyRing(current: string, previous: readonly string[] = []): KeyRing {
  const masters = [current, ...previous.filter((k) => k && k !== current)];
  const byId = new Map<string, string>();
  for (const m of masters) {
    const id = keyIdOf(m);
    if (byId.has(id)) throw new KeyRingError(`two master keys share the key id ${id}; generate another key`);
    byId.set(id, m);
  }
  const currentId = keyIdOf(current);
  const cache = new Map<string, Buffer>();
  const key = (purpose: KeyPurpose, id = currentId) => {
    const master = byId.get(id);
    if (!master) throw new KeyRingError(`unknown key id ${id}`);
    const k = `${id}:${purpose}`;
    let v = cache.get(k);
    if (!v) {
      v = derive(master, purpose);
      cache.set(k, v);
    }
    return v;
  };
  const mac = (k: Buffer, data: string, hexChars: number) =>
    createHmac('sha256', k).update(data).digest('hex').slice(0, hexChars);

  return {
    currentId,
    ids: [...byId.keys()],
    key,
    allKeys: (purpose) => [...byId.keys()].map((id) => key(purpose, id)),
    legacyMasters: () => masters,
    encrypt(plain, purpose = 'credentials') {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key(purpose), iv);
      c.setAAD(Buffer.from(purpose));
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      const b = (x: Buffer) => x.toString('base64url');
      return `v2.${currentId}.${b(iv)}.${b(c.getAuthTag())}.${b(body)}`;
    },
    decrypt(blob, purpose = 'credentials') {
      const parts = blob.split('.');
      if (parts[0] === 'v2' && parts.length === 5) {
        const [, id, iv, tag, body] = parts as [string, string, string, string, string];
        const d = createDecipheriv('aes-256-gcm', key(purpose, id), Buffer.from(iv, 'base64url'));
        d.setAAD(Buffer.from(purpose));
        d.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
      }
      if (parts[0] === 'v1' && parts.length === 4) {
        for (const m of masters) {
          try {
            return decryptV1(m, parts as [string, string, string, string]);
          } catch {
            // another master key of the ring may have written it
          }
        }
        throw new KeyRingError('no key in the ring decrypts this value');
      }
      throw new KeyRingError('unrecognised ciphertext');
    },
    isCurrent: (blob) => blob.startsWith(`v2.${currentId}.`),
    sign: (purpose, data, hexChars) => `${currentId}${mac(key(purpose), data, hexChars)}`,
    verify(purpose, data, signature, hexChars) {
      if (signature.length !== KEY_ID_LENGTH + hexChars) return false;
      const id = signature.slice(0, KEY_ID_LENGTH);
      if (!byId.has(id)) return false;
      return safeEqual(signature.slice(KEY_ID_LENGTH), mac(key(purpose, id), data, hexChars));
    },
  };
}

/** The format before key ids: AES-256-GCM under sha256("enc:" + master key). */
function decryptV1(master: string, [, iv, tag, body]: [string, string, string, string]): string {
  const k = createHash('sha256').update(`enc:${master}`).digest();
  const d = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
}

const rings = new Map<string, KeyRing>();
/** The ring of a resolved config (memoised: derived keys are computed once per process). */
export function keyRing(config: { secretKey: string; previousSecretKeys?: readonly string[] }): KeyRing {
  const prev = config.previousSecretKeys ?? [];
  const cacheKey = createHash('sha256')
    .update([config.secretKey, ...prev].join('\n'))
    .digest('hex');
  let r = rings.get(cacheKey);
  if (!r) {
    r = createKeyRing(config.secretKey, prev);
    rings.set(cacheKey, r);
  }
  return r;
}
