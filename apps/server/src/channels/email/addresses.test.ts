import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyRing, keyIdOf } from '../../platform/security/keys.ts';
import { replyAddress, splitAddress, ticketFromTag } from './addresses.ts';

const OLD = 'old-master-key-old-master-key-old-master-key';
const NEW = 'new-master-key-new-master-key-new-master-key';
const tagOf = (address: string) => splitAddress(address)!.tag;

describe('reply-address tags', () => {
  it('carry the key id; a reply threads while that key is in the ring, in its own workspace only', () => {
    const addr = replyAddress('support@shop.test', createKeyRing(OLD), 7, 1234);
    expect(addr).toMatch(new RegExp(`^support\\+t1234-${keyIdOf(OLD)}[0-9a-f]{10}@shop\\.test$`));
    const tag = tagOf(addr);
    expect(ticketFromTag(tag, createKeyRing(OLD), 7)).toBe(1234);
    expect(ticketFromTag(tag, createKeyRing(NEW, [OLD]), 7)).toBe(1234);
    expect(ticketFromTag(tag, createKeyRing(NEW), 7)).toBeNull();
    expect(ticketFromTag(tag, createKeyRing(OLD), 8)).toBeNull();
    expect(ticketFromTag(tag!.replace('1234', '1235'), createKeyRing(OLD), 7)).toBeNull();
  });

  it('tags sent before key ids existed still thread while their master key is in the ring', () => {
    const legacy = `t99-${createHmac('sha256', OLD).update('email-reply:7:99').digest('hex').slice(0, 10)}`;
    expect(ticketFromTag(legacy, createKeyRing(OLD), 7)).toBe(99);
    expect(ticketFromTag(legacy, createKeyRing(NEW, [OLD]), 7)).toBe(99);
    expect(ticketFromTag(legacy, createKeyRing(NEW), 7)).toBeNull();
  });
});
