import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, settle } from './email-helpers.ts';
import { startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

/** A private Dovecot on 127.0.0.1 with one user and a maildir (see /work/shared/notes/dovecot-for-tests.md). */
async function startDovecot() {
  const dir = mkdtempSync(join(tmpdir(), 'sd-dovecot-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  mkdirSync(join(dir, 'mail'), { recursive: true });
  writeFileSync(join(dir, 'users'), 'support@imap-shop.test:{PLAIN}secret\n');
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 100
first_valid_gid = 100
mail_location = maildir:${dir}/mail/%u
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
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
  execFileSync('chown', ['-R', 'dovecot:dovecot', join(dir, 'mail')]);
  execFileSync('dovecot', ['-c', conf], { stdio: 'ignore' });
  // Wait until it accepts logins.
  for (let i = 0; i < 50; i++) {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user: 'support@imap-shop.test', pass: 'secret' },
      logger: false,
    });
    try {
      await c.connect();
      await c.logout();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    port,
    async client() {
      const c = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: false,
        auth: { user: 'support@imap-shop.test', pass: 'secret' },
        logger: false,
      });
      await c.connect();
      return c;
    },
    stop() {
      spawnSync('doveadm', ['-c', conf, 'stop'], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const mail = (n: number) =>
  `From: Customer ${n} <c${n}@customer.test>\r\nTo: support@imap-shop.test\r\nSubject: IMAP message ${n}\r\nMessage-ID: <imap-${n}@customer.test>\r\n\r\nBody ${n}\r\n`;

const until = async (what: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};

// Needs Debian's dovecot-imapd (`.ci/run` installs it); a private instance is started per run.
describe('IMAP polling against Dovecot', () => {
  let dove: Awaited<ReturnType<typeof startDovecot>>;
  let t: TestApp;
  let ws: TestWorkspace;
  let inboxId: number;

  beforeAll(async () => {
    dove = await startDovecot();
    t = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' });
    ws = await t.workspace('IMAP Shop');
    const c = await dove.client();
    await c.mailboxCreate('Processed').catch(() => {});
    for (const n of [1, 2]) await c.append('INBOX', mail(n));
    await c.logout();
    inboxId = (
      await createInbox(t, ws, {
        name: 'IMAP',
        address: 'support@imap-shop.test',
        imap: {
          host: '127.0.0.1',
          port: dove.port,
          secure: false,
          user: 'support@imap-shop.test',
          password: 'secret',
          folder: 'INBOX',
          after: 'seen',
        },
      })
    ).id;
  });
  afterAll(async () => {
    await t?.stop();
    dove?.stop();
  });

  const subjects = async () =>
    ((await get(t, '/api/v1/tickets?limit=100', ws.agent.headers)).json().items as { subject: string }[])
      .map((x) => x.subject)
      .sort();

  it('fetches each message once, marks it seen, and does not refetch after a restart', async () => {
    t.email.pollers.start();
    expect(await t.email.pollers.syncAll()).toBe(2);
    await settle(t);
    expect(await subjects()).toEqual(['IMAP message 1', 'IMAP message 2']);
    const c = await dove.client();
    await c.mailboxOpen('INBOX');
    const seen: boolean[] = [];
    for await (const m of c.fetch('1:*', { flags: true })) seen.push(!!m.flags?.has('\\Seen'));
    expect(seen).toEqual([true, true]);
    // Clear \Seen: the stored UID cursor, not the flag, is what prevents refetching.
    await c.messageFlagsRemove('1:*', ['\\Seen']);
    await c.logout();

    // Restart the pollers: new connections, state read back from the database.
    await t.email.pollers.stop();
    t.email.pollers.start();
    expect(await t.email.pollers.syncAll()).toBe(0);
    await settle(t);
    expect(await subjects()).toEqual(['IMAP message 1', 'IMAP message 2']);
    const inbox = (await get(t, `/api/v1/email/inboxes/${inboxId}`, ws.admin.headers)).json();
    expect(inbox.imap.lastUid).toBe(2);
    expect(inbox.imap.lastError).toBeNull();
    await t.email.pollers.stop();
  });

  it('picks up a new message through IDLE without being asked', async () => {
    const live = await startTestApp({ EMAIL_SMTP_ENABLED: 'false' }, { workers: true });
    try {
      const w = await live.workspace('IDLE Shop');
      await createInbox(live, w, {
        name: 'IMAP',
        address: 'support@idle-shop.test',
        imap: {
          host: '127.0.0.1',
          port: dove.port,
          secure: false,
          user: 'support@imap-shop.test',
          password: 'secret',
          after: 'move',
          moveTo: 'Processed',
        },
      });
      const listed = async () =>
        (
          (await get(live, '/api/v1/tickets?limit=100', w.agent.headers)).json().items as {
            subject: string;
          }[]
        ).map((x) => x.subject);
      // The two old messages are fetched on start (new mailbox for this inbox) and moved away.
      expect(await until(async () => (await listed()).length === 2)).toBe(true);
      const c = await dove.client();
      await c.append('INBOX', mail(3));
      await c.logout();
      expect(await until(async () => (await listed()).includes('IMAP message 3'))).toBe(true);
      const c2 = await dove.client();
      const inbox = await c2.status('INBOX', { messages: true });
      const processed = await c2.status('Processed', { messages: true });
      await c2.logout();
      expect(inbox ? inbox.messages : null).toBe(0);
      expect(processed ? processed.messages : null).toBe(3);
    } finally {
      await live.stop();
    }
  });
});
