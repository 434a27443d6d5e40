import { createImapPoller, type ImapPoller } from '../../channels/email/imap-poller.ts';
import type { Deps } from '../../platform/deps.ts';
import * as repo from './email.repository.ts';
import type { EmailService } from './email.service.ts';

const LEASE_SECONDS = 90;

/**
 * Runs one IMAP poller per inbox that has IMAP set up, on the node holding that inbox's lease, and
 * restarts a poller when its settings change. Leases are renewed every 30 s; a dead node's inboxes
 * are picked up by another node after at most 90 s.
 */
export function createImapPollers(deps: Deps, svc: EmailService, nodeId: string) {
  const { db, log, config } = deps;
  const running = new Map<number, { poller: ImapPoller; version: string }>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let reconciling: Promise<void> | null = null;

  async function reconcile() {
    const want = await repo.listImapInboxes(db);
    const seen = new Set<number>();
    for (const row of want) {
      seen.add(row.id);
      if (!(await repo.takeImapLease(db, row.id, nodeId, LEASE_SECONDS))) {
        await stopOne(row.id);
        continue;
      }
      const version = row.updated_at.toISOString();
      const cur = running.get(row.id);
      if (cur && cur.version === version) continue;
      await stopOne(row.id);
      const inbox = await repo.findInboxById(db, row.id);
      if (!inbox?.imap) continue;
      let source: ReturnType<EmailService['imapSourceOf']>;
      try {
        source = svc.imapSourceOf(inbox);
      } catch (err) {
        await repo.reportImap(db, row.id, `cannot decrypt the stored password: ${String(err)}`);
        continue;
      }
      const poller = createImapPoller({
        source,
        log,
        pollSeconds: config.EMAIL_IMAP_POLL_SECONDS,
        state: async () => {
          const c = await repo.imapCursor(db, row.id);
          return { uidValidity: c?.imap_uid_validity ?? null, lastUid: c?.imap_last_uid ?? 0 };
        },
        store: (raw, uid, uidValidity) => svc.storeImap(row.id, row.workspace_id, raw, uid, uidValidity),
        resetCursor: async (uidValidity) => {
          await repo.resetImapCursor(db, row.id, uidValidity);
        },
        report: async ({ error }) => {
          await repo.reportImap(db, row.id, error);
        },
      });
      running.set(row.id, { poller, version });
      poller.start();
    }
    for (const id of [...running.keys()]) if (!seen.has(id)) await stopOne(id);
  }

  async function stopOne(id: number) {
    const cur = running.get(id);
    if (!cur) return;
    running.delete(id);
    await cur.poller.stop();
  }

  function tick() {
    if (stopped || reconciling) return reconciling ?? Promise.resolve();
    reconciling = reconcile()
      .catch((err) => log.warn({ err }, 'imap: reconcile failed'))
      .finally(() => {
        reconciling = null;
      });
    return reconciling;
  }

  return {
    start() {
      stopped = false;
      void tick();
      timer = setInterval(() => void tick(), 30_000);
      timer.unref();
    },
    /** Settings changed on this node: apply now instead of at the next renewal. */
    refresh: () => tick(),
    /** Fetch now on every running poller (tests, "check now" button). */
    async syncAll() {
      await tick();
      let n = 0;
      for (const { poller } of running.values()) n += await poller.syncNow();
      return n;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await reconciling;
      for (const id of [...running.keys()]) {
        await stopOne(id);
        await repo.releaseImapLease(db, id, nodeId).catch(() => {});
      }
    },
  };
}
