import { readFileSync } from 'node:fs';
import { baseAddress } from '../../channels/email/addresses.ts';
import { createRelaySender, type DkimConfig, type RelayConfig } from '../../channels/email/email-sender.ts';
import type { Deps } from '../../platform/deps.ts';
import { resolveTarget } from '../../platform/net/outbound-guard.ts';
import { keyRing } from '../../platform/security/keys.ts';
import type { TicketsService } from '../tickets/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import * as repo from './email.repository.ts';

export const PROCESS_JOB = 'process-inbound-email';
export const ACK_JOB = 'send-email-ack';
export type LoadedEvent = repo.InboundEventRow & { payload: Buffer | Uint8Array };

export const toBuffer = (b: Buffer | Uint8Array) =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * What the email use cases share: the relay and DKIM setup, key ring, and the inboxes by address and by
 * workspace (cached briefly; `changed` forgets them when an inbox is saved).
 */
export function createEmailContext(deps: Deps, tickets: TicketsService) {
  const { db, config, files } = deps;
  const keys = () => keyRing(config);
  const relay = createRelaySender();
  const cache = new Map<string, { inbox: repo.InboxRow | null; at: number }>();
  const CACHE_MS = 15_000;

  const serverRelay: RelayConfig | null = config.EMAIL_RELAY_URL ? { url: config.EMAIL_RELAY_URL } : null;
  let dkim: DkimConfig | null = null;
  if (config.EMAIL_DKIM_DOMAIN && config.EMAIL_DKIM_SELECTOR && config.EMAIL_DKIM_KEY_PATH) {
    dkim = {
      domainName: config.EMAIL_DKIM_DOMAIN,
      keySelector: config.EMAIL_DKIM_SELECTOR,
      privateKey: readFileSync(config.EMAIL_DKIM_KEY_PATH, 'utf8'),
    };
  }

  /**
   * The checked address of an inbox's SMTP relay or IMAP server (resolve-and-pin): public, or in the
   * workspace's allow-list; the connection goes to that address with the name kept for TLS.
   */
  const pinnedAddressOf = (workspaceId: number, host: string) => async () =>
    (await resolveTarget(host, await outboundPolicyOf(db, config, workspaceId))).address;

  function relayOf(inbox: repo.InboxRow): RelayConfig | null {
    if (inbox.smtp) {
      const s = inbox.smtp;
      return {
        resolveAddress: pinnedAddressOf(inbox.workspace_id, s.host),
        host: s.host,
        port: s.port,
        secure: s.secure,
        user: s.user,
        pass: s.passEnc ? keys().decrypt(s.passEnc) : null,
        acceptInvalidCerts: inbox.accept_invalid_certs,
      };
    }
    return serverRelay;
  }

  /** Which inbox owns an address (sub-addresses included); cached briefly, the SMTP hot path asks per recipient. */
  async function inboxFor(address: string): Promise<repo.InboxRow | null> {
    const base = baseAddress(address);
    if (!base) return null;
    const hit = cache.get(base);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.inbox;
    const inbox = (await repo.findInboxByAddress(db, base)) ?? null;
    if (cache.size > 10_000) cache.clear();
    cache.set(base, { inbox, at: Date.now() });
    return inbox;
  }

  /** Whether an address is one of ours (any active inbox of the install): the mail-loop check. */
  let ownSet: { set: Set<string>; at: number } | null = null;
  async function isOwnAddress(address: string): Promise<boolean> {
    const base = baseAddress(address);
    if (!base) return false;
    if (!ownSet || Date.now() - ownSet.at >= CACHE_MS)
      ownSet = { set: new Set(await repo.activeAddresses(db)), at: Date.now() };
    return ownSet.set.has(base);
  }

  /** A workspace's inboxes; cached like inboxFor, since every processed email reads them. */
  const wsInboxes = new Map<number, { rows: repo.InboxRow[]; at: number }>();
  async function inboxesOf(workspaceId: number): Promise<repo.InboxRow[]> {
    const hit = wsInboxes.get(workspaceId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.rows;
    const rows = await repo.listInboxes(db, workspaceId);
    if (wsInboxes.size > 10_000) wsInboxes.clear();
    wsInboxes.set(workspaceId, { rows, at: Date.now() });
    return rows;
  }
  const cachedInbox = async (workspaceId: number, id: number) =>
    (await inboxesOf(workspaceId)).find((i) => i.id === id);

  const changed = () => {
    cache.clear();
    wsInboxes.clear();
    ownSet = null;
  };

  return {
    deps,
    tickets,
    db,
    config,
    files,
    keys,
    relay,
    serverRelay,
    dkim,
    pinnedAddressOf,
    relayOf,
    inboxFor,
    isOwnAddress,
    inboxesOf,
    cachedInbox,
    changed,
  };
}

export type EmailContext = ReturnType<typeof createEmailContext>;
