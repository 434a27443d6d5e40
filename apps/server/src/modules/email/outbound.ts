import {
  createEmailAdapter,
  type EmailOutboxPorts,
  type SenderProfile,
} from '../../channels/email/email-adapter.ts';
import { batcher } from '../../platform/batch.ts';
import { keyRing } from '../../platform/security/keys.ts';
import * as repo from './email.repository.ts';
import type { EmailContext } from './email-context.ts';

/** Sending: each inbox's sender profile (relay, DKIM), recording what went out, the channel adapter. */
export function createEmailOutbound(c: EmailContext) {
  const { db, config, files, relay, dkim, relayOf, inboxesOf, cachedInbox } = c;

  async function profileOf(inbox: repo.InboxRow): Promise<SenderProfile> {
    return {
      inboxId: inbox.id,
      address: inbox.address,
      fromName: inbox.from_name ?? inbox.name,
      signature: inbox.signature,
      relay: relayOf(inbox),
      dkim,
    };
  }

  const relayErrors = new Map<number, { error: string | null; at: number }>();
  // Acknowledgements (and replies) sent in one job tick are recorded, and checked, in one statement each.
  // The mail is already sent when it is recorded: if the batch's statement fails, each row is tried on its
  // own, so one bad row cannot leave the others unrecorded (their jobs would retry and send them twice).
  const recordSent = batcher(async (rows: repo.OutboundInsert[]): Promise<unknown[]> => {
    try {
      await repo.insertOutbounds(db, rows);
      return rows.map(() => null);
    } catch (err) {
      if (rows.length === 1) return [err];
      return Promise.all(
        rows.map((r) =>
          repo.insertOutbounds(db, [r]).then(
            () => null,
            (e: unknown) => e,
          ),
        ),
      );
    }
  });
  const ports: EmailOutboxPorts = {
    async senderFor(workspaceId, inboxId) {
      const all = await inboxesOf(workspaceId);
      const inbox = (inboxId ? all.find((i) => i.id === inboxId) : undefined) ?? all.find((i) => i.active);
      return inbox ? profileOf(inbox) : null;
    },
    alreadySent: (workspaceId, messageId) => repo.sentHeaderOf(db, workspaceId, messageId),
    async record(r) {
      const err = await recordSent(r);
      if (err) throw err;
    },
    async reportRelay(workspaceId, inboxId, error) {
      // Written only when it changes: a healthy relay costs no statement per message. What this node
      // wrote is trusted for a minute (another node may have changed it since).
      const mine = relayErrors.get(inboxId);
      const known =
        mine && Date.now() - mine.at < 60_000
          ? mine.error
          : ((await cachedInbox(workspaceId, inboxId))?.relay_last_error ?? null);
      if (known === error) return;
      await repo.reportRelay(db, workspaceId, inboxId, error);
      relayErrors.set(inboxId, { error, at: Date.now() });
    },
    openFile: (sha) => files.open(sha),
  };
  const adapter = createEmailAdapter({ ports, relay, keys: keyRing(config) });

  return { profileOf, ports, adapter };
}

export type EmailOutbound = ReturnType<typeof createEmailOutbound>;
