import { describe, expect, it } from 'vitest';
import { cachingResolver } from '../src/channels/email/sender-auth.ts';

// Sender verification asks DNS for SPF, DKIM and DMARC records of every email's domains.
describe('the sender-verification DNS cache', () => {
  const failing = (code: string) => {
    const asked: string[] = [];
    const base = async (name: string, rrtype: string) => {
      asked.push(`${rrtype}:${name}`);
      throw Object.assign(new Error(code), { code });
    };
    return { asked, resolve: cachingResolver(1000, base) };
  };

  it('remembers that a domain has no such record, as it remembers records', async () => {
    const { asked, resolve } = failing('ENODATA');
    for (let i = 0; i < 5; i++) await expect(resolve('_dmarc.example.com', 'TXT')).rejects.toThrow('ENODATA');
    expect(asked).toEqual(['TXT:_dmarc.example.com']);
    const nx = failing('ENOTFOUND');
    await expect(nx.resolve('nowhere.test', 'TXT')).rejects.toThrow();
    await expect(nx.resolve('NOWHERE.test', 'TXT')).rejects.toThrow();
    expect(nx.asked).toHaveLength(1);
  });

  it('asks again after a timeout or a server failure', async () => {
    const { asked, resolve } = failing('ETIMEOUT');
    await expect(resolve('example.com', 'TXT')).rejects.toThrow();
    await new Promise((r) => setImmediate(r));
    await expect(resolve('example.com', 'TXT')).rejects.toThrow();
    expect(asked).toHaveLength(2);
  });
});
