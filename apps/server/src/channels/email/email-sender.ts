import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';
import * as base64 from 'nodemailer/lib/base64';
import DKIM from 'nodemailer/lib/dkim';
import MailComposer from 'nodemailer/lib/mail-composer';
import type MimeNode from 'nodemailer/lib/mime-node';
import * as qp from 'nodemailer/lib/qp';
import { PermanentDeliveryError } from '../channel-adapter.ts';
import { certificateError } from './tls-errors.ts';

/** Where outbound mail goes: an SMTP relay, or the local dev mailbox when none is configured. */
export type RelayConfig =
  | { url: string }
  | {
      host: string;
      /**
       * The checked address to connect to (resolve-and-pin, see platform/net/outbound-guard.ts); called
       * before each send. Without it (operator-configured relays) `host` is resolved as usual.
       */
      resolveAddress?: () => Promise<string>;
      port: number;
      secure: boolean;
      user?: string | null;
      pass?: string | null;
      /** The inbox's opt-in to skip certificate verification (self-signed private relays); unsafe. */
      acceptInvalidCerts?: boolean;
    };

export interface DkimConfig {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export interface ComposeInput {
  from: { name: string | null; address: string };
  replyTo?: string;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html?: string | null;
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  attachments?: { filename: string; contentType: string; content: Buffer | Readable; cid?: string }[];
  headers?: Record<string, string>;
  dkim?: DkimConfig | null;
}

export const newMessageId = (domain: string, hint: string) =>
  `<shopdesk.${hint}.${randomBytes(6).toString('hex')}@${domain}>`;

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

/** Every line break as CRLF (latin1 maps bytes 1:1, so nothing else changes). */
const toCrlf = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r?\n|\r/g, '\r\n'), 'latin1');

/** What serialise() reads of a compiled node (public fields the typings leave out). */
type Node = MimeNode & {
  content?: unknown;
  multipart?: string | false;
  boundary?: string;
  _transforms?: unknown[];
  _processFuncs?: unknown[];
};

/**
 * A compiled MIME tree written out without nodemailer's stream machinery: the same header and encoding
 * code, the same framing, the same bytes (mail-composer.test.ts compares the two), at a fraction of the
 * CPU — streaming each part cost an acknowledgement ~0.25 ms. Only string bodies: null means "use build()".
 */
export function serialiseMime(root: MimeNode): string | null {
  const r = root as Node;
  if (r._transforms?.length || r._processFuncs?.length) return null;
  const out = serialiseNode(r);
  if (out === null || /[^ -~\t\r\n]/.test(out)) return null; // e.g. an SMTPUTF8 address: raw UTF-8
  // build() ends the message with a line break (its LastNewline stage).
  return out.endsWith('\n') ? out : out.endsWith('\r') ? `${out}\n` : `${out}\r\n`;
}

function serialiseNode(node: Node): string | null {
  const encoding = node.getTransferEncoding();
  let out = `${node.buildHeaders()}\r\n\r\n`;
  const c = node.content;
  if (c !== undefined && c !== null && c !== '') {
    if (typeof c !== 'string') return null;
    if (encoding === 'quoted-printable') out += qp.wrap(qp.encode(c), 76);
    else if (encoding === 'base64') out += base64.wrap(base64.encode(c), 76);
    else if (encoding === '7bit' && /^[ -~\t\r\n]*$/.test(c)) out += c;
    else return null;
  }
  if (node.multipart) {
    for (const [i, child] of node.childNodes.entries()) {
      const part = serialiseNode(child as Node);
      if (part === null) return null;
      out += `${i ? '\r\n' : ''}--${node.boundary}\r\n${part}`;
    }
    out += `\r\n--${node.boundary}--\r\n`;
  }
  return out;
}

/** Builds the exact bytes we send (and keep for the dev mailbox and .eml download), DKIM-signed if set. */
export async function composeEmail(input: ComposeInput): Promise<Buffer> {
  const refs = (input.references ?? []).slice(-20);
  const composer = new MailComposer({
    from: { name: input.from.name ?? '', address: input.from.address },
    replyTo: input.replyTo,
    to: input.to,
    cc: input.cc?.length ? input.cc : undefined,
    subject: input.subject,
    text: input.text,
    html: input.html ?? undefined,
    messageId: input.messageId,
    inReplyTo: input.inReplyTo ?? undefined,
    references: refs.length ? refs : undefined,
    date: new Date(),
    headers: input.headers,
    attachments: input.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      cid: a.cid,
    })),
  });
  // MailComposer leaves the text parts' own line breaks bare (LF); the SMTP client would turn them into
  // CRLF on the wire. Normalising here makes the kept copy (dev mailbox, .eml) byte-identical to what the
  // relay receives, and lets the DKIM body hash describe exactly those bytes.
  const root = composer.compile();
  const fast = input.attachments?.length ? null : serialiseMime(root);
  const raw = toCrlf(fast !== null ? Buffer.from(fast, 'latin1') : await root.build());
  if (!input.dkim) return raw;
  return collect(new DKIM(input.dkim).sign(raw));
}

/** Parses an SMTP URL (smtp://user:pass@host:587, smtps://…) into options nodemailer accepts. */
export function relayFromUrl(url: string): RelayConfig {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
    throw new Error('relay URL must be smtp:// or smtps://');
  return { url };
}

export interface RelaySender {
  send(relay: RelayConfig, envelope: { from: string; to: string[] }, raw: Buffer): Promise<string>;
  close(): void;
}

/**
 * Sends raw messages through relays, one pooled transport per relay. A 5xx answer to the message or
 * its recipients is permanent (PermanentDeliveryError); anything else — refused connection, timeout,
 * 4xx, a wrong password the admin may still fix — is thrown as a plain error so the job retries.
 */
export function createRelaySender(): RelaySender {
  const transports = new Map<string, Transporter>();
  const transportFor = (relay: RelayConfig, address: string | null) => {
    // A relay whose host now resolves elsewhere gets a new transport, pinned to the new checked address.
    const key = JSON.stringify([relay, address]);
    let t = transports.get(key);
    if (!t) {
      const base = {
        pool: true,
        maxConnections: 4,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 60_000,
      };
      t =
        'url' in relay
          ? nodemailer.createTransport({ ...base, url: relay.url } as never)
          : nodemailer.createTransport({
              ...base,
              host: address ?? relay.host,
              port: relay.port,
              secure: relay.secure,
              auth: relay.user ? { user: relay.user, pass: relay.pass ?? '' } : undefined,
              // Connected to the pinned address, the certificate is still checked against the name;
              // it is verified unless the admin accepted invalid ones for this inbox.
              servername: relay.host,
              tls: {
                servername: relay.host,
                ...(relay.acceptInvalidCerts ? { rejectUnauthorized: false } : {}),
              },
            } as never);
      transports.set(key, t);
    }
    return t;
  };
  return {
    async send(relay, envelope, raw) {
      try {
        const address =
          'resolveAddress' in relay && relay.resolveAddress ? await relay.resolveAddress() : null;
        const info = await transportFor(relay, address).sendMail({ envelope, raw });
        const rejected = (info.rejected ?? []).map(String);
        if (rejected.length && rejected.length === envelope.to.length)
          throw new PermanentDeliveryError(`All recipients were rejected: ${rejected.join(', ')}`);
        return String(info.response ?? '');
      } catch (err) {
        if (err instanceof PermanentDeliveryError) throw err;
        const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
        const where = 'url' in relay ? new URL(relay.url).host : `${relay.host}:${relay.port}`;
        const cert = certificateError(err, `the relay ${where}`);
        // Retried like a wrong password: the admin may fix the certificate or the setting meanwhile.
        if (cert) throw new Error(cert);
        const detail = e.response || e.message || String(err);
        if (e.responseCode && e.responseCode >= 500 && e.code !== 'EAUTH')
          throw new PermanentDeliveryError(`Relay refused the message: ${detail}`);
        throw new Error(`Relay unavailable (${e.code ?? 'error'}): ${detail}`);
      }
    },
    close() {
      for (const t of transports.values()) t.close();
      transports.clear();
    },
  };
}
