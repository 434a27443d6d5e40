import { hostname } from 'node:os';
import type { ParsedEmail } from '../../channels/email/parse-email.ts';
import {
  cachingResolver,
  type DnsResolver,
  type SenderAuth,
  trustedHeaderAuth,
  verifySender,
} from '../../channels/email/sender-auth.ts';
import { type EmailContext, type LoadedEvent, toBuffer } from './email-context.ts';

/** SPF/DKIM/DMARC/ARC for an inbound email, with the DNS resolver tests may replace. */
export function createSenderVerification(c: EmailContext) {
  const { config } = c;

  let dnsResolver: DnsResolver = cachingResolver();
  const trustedServIds = config.EMAIL_TRUSTED_AUTHSERV_IDS.split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  const mta = config.EMAIL_SMTP_HOSTNAME ?? hostname();

  /**
   * Who sent it, as far as SPF/DKIM/DMARC/ARC tell (mailauth). SMTP: SPF with the client's address and
   * HELO from the session. IMAP and webhook mail reached us through the mailbox provider, whose address
   * says nothing about the sender: the provider's Authentication-Results header when the operator
   * trusts it (EMAIL_TRUSTED_AUTHSERV_IDS), otherwise DKIM and DKIM-aligned DMARC without SPF.
   */
  async function senderAuthOf(
    ev: LoadedEvent,
    p: ParsedEmail,
    meta: { source?: string; remoteAddress?: string; helo?: string | null; mailFrom?: string | null },
  ): Promise<SenderAuth> {
    const from = p.from?.address ?? null;
    const fromDomain = from?.split('@').pop() ?? null;
    const off = (reason: string): SenderAuth => ({
      verdict: 'none',
      fromDomain,
      spf: 'none',
      dkim: 'none',
      dmarc: 'none',
      arc: 'none',
      reason,
      method: 'off',
    });
    if (!config.EMAIL_VERIFY_SENDERS) return off('sender verification is off (EMAIL_VERIFY_SENDERS=false)');
    const smtp = meta.source === 'smtp' && !!meta.remoteAddress;
    if (!smtp) {
      const header = trustedHeaderAuth(p.rawHeaders, trustedServIds, fromDomain);
      if (header) return header;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        verifySender(toBuffer(ev.payload), {
          from,
          ...(smtp
            ? { ip: meta.remoteAddress, helo: meta.helo ?? null, mailFrom: meta.mailFrom ?? null }
            : {}),
          resolver: dnsResolver,
          mta,
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), 20_000);
        }),
      ]);
    } catch (err) {
      return off(`the sender could not be checked: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    senderAuthOf,
    /** The DNS lookups of sender verification go through this (tests answer from a local stub). */
    useDnsResolver(resolver: DnsResolver) {
      dnsResolver = resolver;
    },
  };
}

export type SenderVerification = ReturnType<typeof createSenderVerification>;
