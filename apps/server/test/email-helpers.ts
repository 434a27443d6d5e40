import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { SMTPServer } from 'smtp-server';
import type { TestApp, TestWorkspace } from './harness.ts';

export interface RelayMessage {
  raw: Buffer;
  parsed: ParsedMail;
  mailFrom: string | null;
  rcptTo: string[];
}

/** A self-signed certificate for 127.0.0.1/localhost in `dir`, made with openssl as an operator would. */
export function selfSignedCert(dir: string) {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { keyPath: key, certPath: cert, key: readFileSync(key), cert: readFileSync(cert) };
}

/**
 * A second SMTP server standing in for the shop's relay; records what it accepts. With `tls` it offers
 * STARTTLS with that certificate.
 */
export async function startRelay(opts: { tls?: { key: Buffer; cert: Buffer } } = {}) {
  const received: RelayMessage[] = [];
  /** Answer to the next DATA: null accepts; a code rejects (4xx temporary, 5xx permanent). */
  let nextAnswer: { code: number; message: string } | null = null;
  let onMessage: ((m: RelayMessage) => void) | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: opts.tls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (nextAnswer) {
          const a = nextAnswer;
          return cb(Object.assign(new Error(a.message), { responseCode: a.code }));
        }
        const raw = Buffer.concat(chunks);
        const m: RelayMessage = {
          raw,
          parsed: await simpleParser(raw),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
        };
        received.push(m);
        cb();
        onMessage?.(m);
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    answerNext(a: { code: number; message: string } | null) {
      nextAnswer = a;
    },
    onMessage(fn: ((m: RelayMessage) => void) | null) {
      onMessage = fn;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** nodemailer as an outside mail server / client delivering to our SMTP port. */
export function smtpClient(port: number) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    tls: { rejectUnauthorized: false },
  });
}

export async function sendTo(port: number, mail: Mail.Options) {
  const c = smtpClient(port);
  try {
    return await c.sendMail(mail);
  } finally {
    c.close();
  }
}

/** Creates an inbox through the API as the workspace admin. */
export async function createInbox(
  t: TestApp,
  ws: TestWorkspace,
  body: Record<string, unknown>,
): Promise<{ id: number; address: string; webhookSecret: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/email/inboxes',
    headers: ws.admin.headers,
    payload: body,
  });
  if (res.statusCode !== 201) throw new Error(`create inbox: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Runs due jobs until none are left (the tests start apps without the background worker). */
export async function settle(t: TestApp) {
  for (let i = 0; i < 5; i++) if ((await t.jobs.drain()) === 0) return;
}

export const get = async (t: TestApp, url: string, headers: Record<string, string>) => {
  const res = await t.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, json: () => res.json(), body: res.rawPayload };
};

/**
 * A DNS resolver for sender verification (mailauth's `resolver` hook) answering from a table keyed
 * `RRTYPE:name`; anything else is NXDOMAIN. Install with `t.email.service.useDnsResolver(...)`.
 */
export function dnsStub(records: Record<string, string[][] | string[]>) {
  return async (name: string, rrtype: string) => {
    const hit = records[`${rrtype}:${name.toLowerCase()}`];
    if (hit) return hit;
    throw Object.assign(new Error(`query${rrtype} ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
}

/** Test customers at customer.test send from 127.0.0.1 (the tests' SMTP client), as SPF says. */
export const customerDns = dnsStub({ 'TXT:customer.test': [['v=spf1 ip4:127.0.0.1 ip6:::1 -all']] });
