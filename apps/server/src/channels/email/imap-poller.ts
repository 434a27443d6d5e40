import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import { certificateError } from './tls-errors.ts';

export interface ImapSource {
  host: string;
  /** The checked address to connect to (resolve-and-pin), asked at every (re)connect. */
  resolveAddress?: () => Promise<string>;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  folder: string;
  /** What to do with a message once it is stored: flag it \Seen, move it to `moveTo`, or leave it. */
  after: 'seen' | 'move' | 'keep';
  moveTo?: string | null;
  /** The inbox's opt-in to skip certificate verification (self-signed private servers); unsafe. */
  acceptInvalidCerts?: boolean;
}

export interface ImapPollerOptions {
  source: ImapSource;
  log: Logger;
  /** Safety-net poll interval; new mail normally arrives through IDLE at once. */
  pollSeconds: number;
  state(): Promise<{ uidValidity: number | null; lastUid: number }>;
  /** Stores the raw message and advances the UID cursor in one transaction. */
  store(raw: Buffer, uid: number, uidValidity: number): Promise<void>;
  /** Resets the cursor when the server says the folder was recreated (UIDVALIDITY changed). */
  resetCursor(uidValidity: number): Promise<void>;
  report(result: { error: string | null }): Promise<void>;
}

export interface ImapPoller {
  start(): void;
  stop(): Promise<void>;
  /** Fetches what is new now (also used by tests); resolves when done. */
  syncNow(): Promise<number>;
}

const BATCH = 50;

/**
 * One IMAP folder, watched with IDLE. UIDs above the stored cursor are fetched in order; each is
 * stored together with the new cursor, so a restart neither refetches nor skips, and a duplicate
 * delivery of the same Message-ID is caught by the inbound store anyway.
 */
export function createImapPoller(opts: ImapPollerOptions): ImapPoller {
  const { source, log } = opts;
  let client: ImapFlow | null = null;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let syncing: Promise<number> | null = null;
  let again = false;
  let backoff = 2_000;

  async function connect(): Promise<ImapFlow> {
    if (client?.usable) return client;
    const address = source.resolveAddress ? await source.resolveAddress() : source.host;
    const c = new ImapFlow({
      // The pinned address; the name stays the TLS server name (SNI and the certificate check).
      host: address,
      servername: source.host,
      port: source.port,
      secure: source.secure,
      auth: { user: source.user, pass: source.pass },
      logger: false,
      // Certificates are verified unless the admin accepted invalid ones for this inbox.
      tls: source.acceptInvalidCerts ? { rejectUnauthorized: false } : {},
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      maxIdleTime: 5 * 60_000,
      // imapflow waits 15 s of quiet before entering IDLE; mail arriving in that window would wait too.
      autoIdleDelay: 1_000,
    });
    c.on('error', (err: Error) =>
      log.warn({ err: err.message, host: source.host }, 'imap: connection error'),
    );
    c.on('exists', () => void kick());
    c.on('close', () => {
      if (client === c) client = null;
      if (!stopped) scheduleReconnect();
    });
    await c.connect();
    await c.mailboxOpen(source.folder);
    client = c;
    backoff = 2_000;
    return c;
  }

  function scheduleReconnect() {
    clearTimeout(timer);
    timer = setTimeout(() => void kick(), backoff);
    backoff = Math.min(backoff * 2, 60_000);
  }

  async function syncOnce(): Promise<number> {
    const c = await connect();
    const box = c.mailbox;
    if (!box) throw new Error(`folder ${source.folder} is not open`);
    const uidValidity = Number(box.uidValidity);
    let { uidValidity: known, lastUid } = await opts.state();
    if (known !== uidValidity) {
      await opts.resetCursor(uidValidity);
      lastUid = 0;
      known = uidValidity;
    }
    let fetched = 0;
    for (;;) {
      // `n:*` always matches the newest message even below n, hence the filter.
      const found = (await c.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
      const uids = found
        .filter((u) => u > lastUid)
        .sort((a, b) => a - b)
        .slice(0, BATCH);
      if (!uids.length) break;
      for (const uid of uids) {
        const msg = await c.fetchOne(String(uid), { source: true, uid: true }, { uid: true });
        const body = msg ? msg.source : undefined;
        if (body) {
          await opts.store(body, uid, uidValidity);
          fetched++;
          if (source.after === 'seen') await c.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
          else if (source.after === 'move' && source.moveTo)
            await c.messageMove(String(uid), source.moveTo, { uid: true });
        }
        lastUid = uid;
      }
    }
    return fetched;
  }

  async function kick(): Promise<number> {
    if (stopped) return 0;
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          total += await syncOnce();
        } while (again && !stopped);
        await opts.report({ error: null });
      } catch (err) {
        const message =
          certificateError(err, `${source.host}:${source.port}`) ??
          (err instanceof Error ? err.message : String(err));
        log.warn({ err: message, host: source.host, folder: source.folder }, 'imap: sync failed');
        await opts.report({ error: message }).catch(() => {});
        client?.close();
        client = null;
        if (!stopped) scheduleReconnect();
      } finally {
        syncing = null;
      }
      // New mail announced after the last pass began (e.g. while reporting) must not wait for the poll.
      if (again && !stopped) {
        again = false;
        return total + (await kick());
      }
      if (!stopped) {
        clearTimeout(timer);
        timer = setTimeout(() => void kick(), opts.pollSeconds * 1000);
      }
      return total;
    })();
    return syncing;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      void kick();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await syncing?.catch(() => {});
      const c = client;
      client = null;
      if (c) await c.logout().catch(() => c.close());
    },
    async syncNow() {
      if (stopped) {
        stopped = false;
        try {
          return await kick();
        } finally {
          await this.stop();
        }
      }
      const earlier = syncing ? await syncing : 0;
      return earlier + (await kick());
    },
  };
}
