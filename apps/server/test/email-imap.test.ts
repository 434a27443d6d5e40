import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, selfSignedCert, settle } from './email-helpers.ts';
import {
  freshDatabaseUrl,
  LOCAL_TEST_SERVERS,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from './harness.ts';

const USER = 'support@imap-shop.test';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/**
 * A private Dovecot on 127.0.0.1 with one user and a maildir (see /work/shared/notes/dovecot-for-tests.md),
 * speaking IMAP over TLS with a self-signed certificate, as a small shop's own mail server might.
 * The port is picked free and then bound by Dovecot; another process may take it in between, so a
 * start that fails with "Address already in use" is retried on a new port. Throws with Dovecot's log
 * when it never accepts a login.
 */
async function startDovecot() {
  const dir = mkdtempSync(join(tmpdir(), 'sd-dovecot-'));
  chmodSync(dir, 0o755);
  const { certPath, keyPath } = selfSignedCert(dir);
  mkdirSync(join(dir, 'mail'), { recursive: true });
  writeFileSync(join(dir, 'users'), `${USER}:{PLAIN}secret\n`);
  execFileSync('chown', ['-R', 'dovecot:dovecot', join(dir, 'mail')]);
  const conf = join(dir, 'dovecot.conf');
  const log = join(dir, 'dovecot.log');
  const logText = () => (existsSync(log) ? readFileSync(log, 'utf8').slice(-4000) : '(no log)');
  const client = (port: number) =>
    new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: true,
      // The test's own client trusts the server it just started; the app under test does not.
      tls: { rejectUnauthorized: false },
      auth: { user: USER, pass: 'secret' },
      logger: false,
      connectionTimeout: 30_000,
      greetingTimeout: 30_000,
    });

  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    writeFileSync(
      conf,
      `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${log}
ssl = yes
ssl_cert = <${certPath}
ssl_key = <${keyPath}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 100
first_valid_gid = 100
mail_location = maildir:${dir}/mail/%u
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${port}
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
`,
    );
    // No pipes: the daemon would inherit them and spawnSync would wait for it to exit. Errors go to the log.
    const run = spawnSync('dovecot', ['-c', conf], { stdio: 'ignore' });
    if (run.status === 0) break;
    const why = logText();
    if (/address already in use/i.test(why) && attempt < 5) continue;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`dovecot did not start (exit ${run.status}): ${run.error?.message ?? ''}\n${why}`);
  }
  const stop = () => {
    spawnSync('doveadm', ['-c', conf, 'stop'], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };

  // Wait until it accepts logins; a Dovecot that never does fails the suite here, not in a test later.
  const deadline = Date.now() + 60_000;
  let lastError: unknown = null;
  for (;;) {
    const c = client(port);
    try {
      await c.connect();
      await c.logout();
      break;
    } catch (err) {
      lastError = err;
      c.close();
    }
    if (Date.now() > deadline) {
      const text = logText();
      stop();
      throw new Error(`dovecot on 127.0.0.1:${port} never accepted a login: ${String(lastError)}\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    async client() {
      const c = client(port);
      await c.connect();
      return c;
    },
    stop,
  };
}

const mail = (n: number) =>
  `From: Customer ${n} <c${n}@customer.test>\r\nTo: ${USER}\r\nSubject: IMAP message ${n}\r\nMessage-ID: <imap-${n}@customer.test>\r\n\r\nBody ${n}\r\n`;

const imapSettings = (port: number, extra: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port,
  secure: true,
  user: USER,
  password: 'secret',
  ...extra,
});

type Inbound = { subject: string; outcome: string };

// Needs Debian's dovecot-imapd (`.ci/run` installs it); a private instance is started per run.
describe('IMAP polling against Dovecot', () => {
  let dove: Awaited<ReturnType<typeof startDovecot>>;

  beforeAll(async () => {
    dove = await startDovecot();
    const c = await dove.client();
    await c.mailboxCreate('Processed').catch(() => {});
    for (const n of [1, 2]) await c.append('INBOX', mail(n));
    await c.logout();
  });
  afterAll(() => dove?.stop());

  it('fetches each message once, marks it seen, and fetches nothing twice after a restart of the whole app', async () => {
    // One database, two apps one after the other: on PostgreSQL a database of this test's own, on
    // PGlite a data directory on disk.
    const db = await freshDatabaseUrl();
    const dataDir = mkdtempSync(join(tmpdir(), 'sd-imap-restart-'));
    const boot = () =>
      startTestApp(
        { OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS, EMAIL_SMTP_ENABLED: 'false' },
        db.url ? { databaseUrl: db.url } : { dataDir },
      );
    let t: TestApp | null = null;
    try {
      t = await boot();
      const ws: TestWorkspace = await t.workspace('IMAP Shop');
      const inboxId = (
        await createInbox(t, ws, {
          name: 'IMAP',
          address: USER,
          // Dovecot's certificate is self-signed: this inbox accepts it (the default refuses, below).
          acceptInvalidCertificates: true,
          imap: imapSettings(dove.port, { folder: 'INBOX', after: 'seen' }),
        })
      ).id;
      const inbound = async (app: TestApp) =>
        ((await get(app, '/api/v1/email/inbound?limit=100', ws.lead.headers)).json().items as Inbound[])
          .map((x) => `${x.subject}: ${x.outcome}`)
          .sort();

      t.email.pollers.start();
      expect(await t.email.pollers.syncAll()).toBe(2);
      await settle(t);
      expect(await inbound(t)).toEqual(['IMAP message 1: ticket', 'IMAP message 2: ticket']);
      const c = await dove.client();
      await c.mailboxOpen('INBOX');
      const seen: boolean[] = [];
      for await (const m of c.fetch('1:*', { flags: true })) seen.push(!!m.flags?.has('\\Seen'));
      expect(seen).toEqual([true, true]);
      // Clear \Seen: the stored UID cursor, not the flag, is what prevents refetching.
      await c.messageFlagsRemove('1:*', ['\\Seen']);
      await c.logout();

      // A real restart: the whole app stops, a new one starts on the same database.
      await t.stop();
      t = null;
      t = await boot();
      t.email.pollers.start();
      expect(await t.email.pollers.syncAll()).toBe(0);
      await settle(t);
      expect(await inbound(t)).toEqual(['IMAP message 1: ticket', 'IMAP message 2: ticket']);

      // A message appended now is fetched exactly once.
      const c2 = await dove.client();
      await c2.append('INBOX', mail(3));
      await c2.logout();
      expect(await t.email.pollers.syncAll()).toBe(1);
      expect(await t.email.pollers.syncAll()).toBe(0);
      await settle(t);
      expect(await inbound(t)).toEqual([
        'IMAP message 1: ticket',
        'IMAP message 2: ticket',
        'IMAP message 3: ticket',
      ]);
      const subjects = (
        (await get(t, '/api/v1/tickets?limit=100', ws.agent.headers)).json().items as { subject: string }[]
      )
        .map((x) => x.subject)
        .sort();
      expect(subjects).toEqual(['IMAP message 1', 'IMAP message 2', 'IMAP message 3']);
      const inbox = (await get(t, `/api/v1/email/inboxes/${inboxId}`, ws.admin.headers)).json();
      expect(inbox.imap.lastUid).toBe(3);
      expect(inbox.imap.lastError).toBeNull();
      await t.email.pollers.stop();
    } finally {
      await t?.stop();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses the self-signed certificate by default and says why on the inbox', async () => {
    const t = await startTestApp({ OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS, EMAIL_SMTP_ENABLED: 'false' });
    try {
      const w = await t.workspace('Strict Shop');
      const { id } = await createInbox(t, w, {
        name: 'IMAP',
        address: 'support@strict-shop.test',
        imap: imapSettings(dove.port, { after: 'keep' }),
      });
      t.email.pollers.start();
      expect(await t.email.pollers.syncAll()).toBe(0);
      const inboxNow = async () => (await get(t, `/api/v1/email/inboxes/${id}`, w.admin.headers)).json();
      await expect
        .poll(async () => (await inboxNow()).imap.lastError, { timeout: 60_000, interval: 250 })
        .not.toBeNull();
      const inbox = await inboxNow();
      expect(inbox.acceptInvalidCertificates).toBe(false);
      expect(inbox.imap.lastError).toMatch(
        /^TLS certificate of 127\.0\.0\.1:\d+ was not accepted \(self[- ]signed certificate\)\..*Accept self-signed \/ invalid certificates/,
      );
      expect(inbox.imap.lastUid).toBe(0);
      expect((await get(t, '/api/v1/tickets?limit=10', w.agent.headers)).json().items).toEqual([]);
      await t.email.pollers.stop();
    } finally {
      await t.stop();
    }
  });

  it('picks up a new message through IDLE without being asked', async () => {
    const live = await startTestApp(
      { OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS, EMAIL_SMTP_ENABLED: 'false' },
      { workers: true },
    );
    try {
      const w = await live.workspace('IDLE Shop');
      await createInbox(live, w, {
        name: 'IMAP',
        address: 'support@idle-shop.test',
        acceptInvalidCertificates: true,
        imap: imapSettings(dove.port, { after: 'move', moveTo: 'Processed' }),
      });
      const listed = async () =>
        (
          (await get(live, '/api/v1/tickets?limit=100', w.agent.headers)).json().items as {
            subject: string;
          }[]
        ).map((x) => x.subject);
      // The three messages already there are fetched on start (a new mailbox for this inbox) and moved.
      await expect.poll(async () => (await listed()).length, { timeout: 60_000, interval: 250 }).toBe(3);
      const c = await dove.client();
      await c.append('INBOX', mail(4));
      await c.logout();
      await expect
        .poll(async () => (await listed()).includes('IMAP message 4'), { timeout: 60_000, interval: 250 })
        .toBe(true);
      const c2 = await dove.client();
      const inbox = await c2.status('INBOX', { messages: true });
      const processed = await c2.status('Processed', { messages: true });
      await c2.logout();
      expect(inbox ? inbox.messages : null).toBe(0);
      expect(processed ? processed.messages : null).toBe(4);
    } finally {
      await live.stop();
    }
  });
});
