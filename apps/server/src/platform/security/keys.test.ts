import { createCipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyRing, KEY_ID_LENGTH, keyIdOf } from './keys.ts';

const OLD = 'old-master-key-old-master-key-old-master-key';
const NEW = 'new-master-key-new-master-key-new-master-key';

/** What encrypt() wrote before key ids (v1: AES-GCM under sha256("enc:" + master)). */
function legacyEncrypt(master: string, plain: string) {
  const key = createHash('sha256').update(`enc:${master}`).digest();
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  const b = (x: Buffer) => x.toString('base64url');
  return `v1.${b(iv)}.${b(c.getAuthTag())}.${b(body)}`;
}

describe('key ring', () => {
  it('derives a different key for each purpose, none equal to the master key or its old derivation', () => {
    const ring = createKeyRing(NEW);
    const keys = (['credentials', 'chat-file-links', 'reply-tags', 'shopper-links'] as const).map((p) =>
      ring.key(p).toString('hex'),
    );
    expect(new Set(keys).size).toBe(4);
    expect(keys).not.toContain(Buffer.from(NEW).toString('hex'));
    expect(keys).not.toContain(createHash('sha256').update(`enc:${NEW}`).digest('hex'));
  });

  it('stores the key id with each ciphertext; after a rotation old ciphertexts still decrypt', () => {
    const before = createKeyRing(OLD);
    const blob = before.encrypt('imap-password');
    expect(blob.startsWith(`v2.${keyIdOf(OLD)}.`)).toBe(true);
    const during = createKeyRing(NEW, [OLD]);
    expect(during.decrypt(blob)).toBe('imap-password');
    expect(during.isCurrent(blob)).toBe(false);
    const again = during.encrypt('imap-password');
    expect(again.startsWith(`v2.${keyIdOf(NEW)}.`)).toBe(true);
    expect(during.isCurrent(again)).toBe(true);
    // Once the old key is gone from the ring, what it encrypted no longer opens.
    expect(() => createKeyRing(NEW).decrypt(blob)).toThrow();
  });

  it('binds a ciphertext to its purpose and refuses tampering', () => {
    const ring = createKeyRing(NEW);
    const blob = ring.encrypt('secret', 'credentials');
    expect(() => ring.decrypt(blob, 'shopper-links')).toThrow();
    const parts = blob.split('.');
    parts[4] = Buffer.from('other').toString('base64url');
    expect(() => ring.decrypt(parts.join('.'))).toThrow();
  });

  it('decrypts values written before key ids with any master key of the ring', () => {
    const legacy = legacyEncrypt(OLD, 'totp-secret');
    expect(createKeyRing(NEW, [OLD]).decrypt(legacy)).toBe('totp-secret');
    expect(() => createKeyRing(NEW).decrypt(legacy)).toThrow();
  });

  it('signs with the current key id and verifies signatures of every key in the ring', () => {
    const old = createKeyRing(OLD);
    const sig = old.sign('reply-tags', '7:1234', 10);
    expect(sig).toHaveLength(KEY_ID_LENGTH + 10);
    expect(sig.startsWith(keyIdOf(OLD))).toBe(true);
    const ring = createKeyRing(NEW, [OLD]);
    expect(ring.verify('reply-tags', '7:1234', sig, 10)).toBe(true);
    expect(ring.verify('reply-tags', '7:1235', sig, 10)).toBe(false);
    // The same data under another purpose's key is a different MAC.
    expect(ring.verify('chat-file-links', '7:1234', sig, 10)).toBe(false);
    expect(createKeyRing(NEW).verify('reply-tags', '7:1234', sig, 10)).toBe(false);
    // Nothing is keyed by the master key itself any more.
    const raw = createHmac('sha256', NEW).update('7:1234').digest('hex').slice(0, 10);
    expect(ring.sign('reply-tags', '7:1234', 10).slice(KEY_ID_LENGTH)).not.toBe(raw);
  });
});
