import { createHash, type createPublicKey, generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import nodemailer from 'nodemailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox, get, selfSignedCert, sendTo, settle, startRelay } from './email-helpers.ts';
import { LOCAL_TEST_SERVERS, startTestApp, type TestApp, type TestWorkspace } from './harness.ts';

// One app with both a STARTTLS certificate on the inbound SMTP server and DKIM signing on the relay side.
let t: TestApp;
let ws: TestWorkspace;
let relay: Awaited<ReturnType<typeof startRelay>>;
let dir: string;
let cert: Buffer;
let dkimPublicKey: ReturnType<typeof createPublicKey>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shopdesk-tls-'));
  const tls = selfSignedCert(dir);
  cert = tls.cert;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  dkimPublicKey = publicKey;

  relay = await startRelay();
  t = await startTestApp({
    OUTBOUND_ALLOW_CIDRS: LOCAL_TEST_SERVERS,
    EMAIL_SMTP_PORT: '0',
    EMAIL_SMTP_HOST: '127.0.0.1',
    EMAIL_TLS_CERT_PATH: tls.certPath,
    EMAIL_TLS_KEY_PATH: tls.keyPath,
    EMAIL_RELAY_URL: relay.url,
    EMAIL_DKIM_DOMAIN: 'tls-shop.test',
    EMAIL_DKIM_SELECTOR: 'sd2026',
    EMAIL_DKIM_KEY_PATH: join(dir, 'dkim.pem'),
  });
  ws = await t.workspace('TLS Shop');
  await createInbox(t, ws, { name: 'Support', address: 'support@tls-shop.test', signature: 'TLS Shop' });
});
afterAll(async () => {
  await t?.stop();
  await relay?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ticketsOf = async () =>
  (await get(t, '/api/v1/tickets?limit=100', ws.agent.headers)).json().items as {
    id: number;
    subject: string;
  }[];

describe('STARTTLS on the inbound SMTP server', () => {
  it('delivers to a client that requires TLS and verifies our certificate', async () => {
    const client = nodemailer.createTransport({
      host: '127.0.0.1',
      port: t.email.smtpPort!,
      secure: false,
      requireTLS: true,
      // Verification stays on: only the configured certificate is trusted.
      tls: { ca: [cert], rejectUnauthorized: true },
    });
    try {
      const info = await client.sendMail({
        from: 'ada@customer.test',
        to: 'support@tls-shop.test',
        subject: 'Sent over STARTTLS',
        text: 'This travelled encrypted.',
      });
      expect(info.response).toMatch(/^250 /);
    } finally {
      client.close();
    }
    await settle(t);
    expect((await ticketsOf()).map((x) => x.subject)).toContain('Sent over STARTTLS');
  });

  it('upgrades the session: the socket is TLS with the configured certificate before any mail is sent', async () => {
    const conn = new SMTPConnection({
      host: '127.0.0.1',
      port: t.email.smtpPort!,
      secure: false,
      requireTLS: true,
      tls: { ca: [cert], rejectUnauthorized: true },
    });
    await new Promise<void>((resolve, reject) => {
      conn.once('error', reject);
      conn.connect(() => resolve());
    });
    try {
      expect(conn.secure).toBe(true);
      const socket = (conn as unknown as { _socket: TLSSocket })._socket;
      expect(socket.encrypted).toBe(true);
      expect(socket.getProtocol()).toMatch(/^TLSv1\.[23]$/);
      expect(socket.getPeerCertificate().fingerprint256).toBe(new X509Certificate(cert).fingerprint256);
      const raw = Buffer.from(
        'From: bo@customer.test\r\nTo: support@tls-shop.test\r\nSubject: Raw over TLS\r\nMessage-ID: <raw-tls@customer.test>\r\n\r\nHello.\r\n',
      );
      const sent = await new Promise<{ response?: string }>((resolve, reject) =>
        conn.send({ from: 'bo@customer.test', to: ['support@tls-shop.test'] }, raw, (err, info) =>
          err ? reject(err) : resolve(info),
        ),
      );
      expect(sent.response).toMatch(/^250 /);
    } finally {
      conn.quit();
    }
    await settle(t);
    expect((await ticketsOf()).map((x) => x.subject)).toContain('Raw over TLS');
  });

  it('still takes mail from senders that do not use TLS (STARTTLS is offered, not forced)', async () => {
    await sendTo(t.email.smtpPort!, {
      from: 'cy@customer.test',
      to: 'support@tls-shop.test',
      subject: 'Plain SMTP',
      text: 'No TLS here.',
    });
    await settle(t);
    expect((await ticketsOf()).map((x) => x.subject)).toContain('Plain SMTP');
  });
});

// ---- an independent DKIM verifier (RFC 6376, relaxed canonicalisation), written for this test ----

const splitHeaders = (raw: string) => {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end + 2);
  const body = raw.slice(end + 4);
  const fields: string[] = [];
  for (const line of head.split('\r\n').slice(0, -1)) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1] += `\r\n${line}`;
    else fields.push(line);
  }
  return { fields, body };
};

const relaxedHeader = (field: string) => {
  const i = field.indexOf(':');
  const name = field.slice(0, i).trim().toLowerCase();
  const value = field
    .slice(i + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
};

const relaxedBody = (body: string) => {
  const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
};

const tagsOf = (value: string) =>
  Object.fromEntries(
    value
      .replace(/\s+/g, '')
      .split(';')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  ) as Record<string, string>;

function verifyDkim(raw: Buffer, key: ReturnType<typeof createPublicKey>) {
  const { fields, body } = splitHeaders(raw.toString('latin1'));
  const sigField = fields.find((f) => /^dkim-signature:/i.test(f));
  if (!sigField) return { signed: false as const };
  const tags = tagsOf(sigField.slice(sigField.indexOf(':') + 1));
  const bodyHash = createHash(tags.a === 'rsa-sha1' ? 'sha1' : 'sha256')
    .update(Buffer.from(relaxedBody(body), 'latin1'))
    .digest('base64');
  // Each name in h= takes the next instance of that header counting from the bottom.
  const used = new Set<number>();
  const signedLines: string[] = [];
  for (const name of tags.h!.split(':').map((n) => n.toLowerCase())) {
    for (let i = fields.length - 1; i >= 0; i--) {
      if (used.has(i) || fields[i] === sigField) continue;
      if (fields[i]!.slice(0, fields[i]!.indexOf(':')).trim().toLowerCase() !== name) continue;
      used.add(i);
      signedLines.push(`${relaxedHeader(fields[i]!)}\r\n`);
      break;
    }
  }
  const sigWithoutB = relaxedHeader(sigField).replace(/(^|;)(\s*b=)[^;]*/, '$1$2');
  const data = signedLines.join('') + sigWithoutB;
  const valid = verify('sha256', Buffer.from(data, 'latin1'), key, Buffer.from(tags.b!, 'base64'));
  return { signed: true as const, tags, bodyHashMatches: bodyHash === tags.bh, signatureValid: valid };
}

describe('DKIM signing of outbound mail', () => {
  it('signs replies for the configured domain; the relay receives a signature that verifies', async () => {
    await sendTo(t.email.smtpPort!, {
      from: '"Dee Customer" <dee@customer.test>',
      to: 'support@tls-shop.test',
      subject: 'Please sign your replies',
      text: 'Is this reply really from you?',
      messageId: '<sign-me@customer.test>',
    });
    await settle(t);
    const ticketId = (await ticketsOf()).find((x) => x.subject === 'Please sign your replies')!.id;
    const before = relay.received.length;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/replies`,
      headers: ws.agent.headers,
      payload: {
        body: 'Yes — signed and sealed.   Trailing spaces   \n\n\n',
        attachments: [
          {
            filename: 'proof.txt',
            contentType: 'text/plain',
            contentBase64: Buffer.from('signed attachment').toString('base64'),
          },
        ],
      },
    });
    expect(res.statusCode).toBeLessThan(300);
    await settle(t);
    const reply = relay.received.slice(before).find((m) => m.parsed.text?.includes('signed and sealed'));
    expect(reply).toBeDefined();
    const result = verifyDkim(reply!.raw, dkimPublicKey);
    expect(result.signed).toBe(true);
    if (!result.signed) return;
    expect(result.tags).toMatchObject({ v: '1', a: 'rsa-sha256', d: 'tls-shop.test', s: 'sd2026' });
    expect(result.tags.c ?? 'simple/simple').toBe('relaxed/relaxed');
    const signedHeaders = result.tags.h!.toLowerCase().split(':');
    for (const h of ['from', 'to', 'subject', 'message-id', 'date', 'in-reply-to'])
      expect(signedHeaders).toContain(h);
    expect(result.bodyHashMatches).toBe(true);
    expect(result.signatureValid).toBe(true);

    // The verifier is not a rubber stamp: a changed subject or body no longer verifies.
    const tampered = verifyDkim(
      Buffer.from(reply!.raw.toString('latin1').replace(/^Subject: Re:/m, 'Subject: Fwd:'), 'latin1'),
      dkimPublicKey,
    );
    expect(tampered.signed && tampered.signatureValid).toBe(false);
    const bodyChanged = verifyDkim(
      Buffer.from(reply!.raw.toString('latin1').replace('signed and sealed', 'signed and sealeD'), 'latin1'),
      dkimPublicKey,
    );
    expect(bodyChanged.signed && bodyChanged.bodyHashMatches).toBe(false);
    // Another key does not verify the signature either.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const wrongKey = verifyDkim(reply!.raw, other);
    expect(wrongKey.signed && wrongKey.signatureValid).toBe(false);
  });

  it('signs the auto-acknowledgement too, and the copy kept for download is exactly the signed bytes sent', async () => {
    const acks = relay.received.filter((m) => m.parsed.headers.get('auto-submitted') === 'auto-replied');
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const r = verifyDkim(ack.raw, dkimPublicKey);
      expect(r.signed && r.bodyHashMatches && r.signatureValid).toBe(true);
    }
    const sent = (await get(t, '/api/v1/email/outbound?limit=200', ws.agent.headers)).json().items as {
      id: number;
      kind: string;
    }[];
    const reply = sent.find((s) => s.kind === 'reply')!;
    const kept = (await get(t, `/api/v1/email/outbound/${reply.id}/raw`, ws.agent.headers)).body;
    const r = verifyDkim(Buffer.from(kept), dkimPublicKey);
    expect(r.signed && r.signatureValid && r.bodyHashMatches).toBe(true);
    // Byte for byte what the relay received (line breaks included), so the .eml is the real thing.
    const onTheWire = relay.received.find((m) => m.raw.includes('signed and sealed'))!.raw;
    expect(Buffer.from(kept).equals(onTheWire)).toBe(true);
  });
});
