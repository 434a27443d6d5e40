import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface SmtpEnvelope {
  mailFrom: string | null;
  rcptTo: string[];
  remoteAddress: string;
  /** The client's HELO/EHLO name (SPF checks it along with the address). */
  helo: string | null;
}

export interface InboundSmtpOptions {
  host: string;
  port: number;
  /** Banner / EHLO name. */
  hostname?: string;
  /** STARTTLS is offered only when a certificate is configured. */
  tls?: { key: Buffer; cert: Buffer };
  maxBytes: number;
  log: Logger;
  /** Whether some inbox takes mail for this address (sub-addresses included). */
  acceptsRecipient(address: string): Promise<boolean>;
  /** Durably stores the message; resolves only after the transaction committed. */
  store(raw: Buffer, envelope: SmtpEnvelope): Promise<void>;
}

export interface InboundSmtpServer {
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number>;
  close(): Promise<void>;
  readonly port: number | null;
}

const smtpError = (message: string, responseCode: number) =>
  Object.assign(new Error(message), { responseCode });

/**
 * The built-in MX: accepts mail for known inboxes only (550 otherwise), enforces the size limit
 * (552), and answers 250 only once `store` has committed the raw bytes — 451 when it could not, so
 * the sending server keeps the message and retries.
 */
export function createInboundSmtpServer(opts: InboundSmtpOptions): InboundSmtpServer {
  const { log } = opts;
  const options: SMTPServerOptions = {
    name: opts.hostname,
    banner: 'Shopdesk ESMTP',
    size: opts.maxBytes,
    authOptional: true,
    disabledCommands: opts.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    hideSTARTTLS: !opts.tls,
    logger: false,
    maxClients: 500,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    async onRcptTo(address, _session, callback) {
      try {
        if (await opts.acceptsRecipient(address.address)) return callback();
        callback(smtpError(`5.1.1 <${address.address}>: no such mailbox here`, 550));
      } catch (err) {
        log.warn({ err }, 'smtp: recipient lookup failed');
        callback(smtpError('4.3.0 Temporary lookup failure, try again later', 451));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= opts.maxBytes) chunks.push(c);
      });
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded || size > opts.maxBytes) {
          return callback(smtpError(`5.3.4 Message too big (limit ${opts.maxBytes} bytes)`, 552));
        }
        const envelope: SmtpEnvelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          remoteAddress: session.remoteAddress,
          helo: session.hostNameAppearsAs || null,
        };
        opts.store(Buffer.concat(chunks), envelope).then(
          () => callback(null, 'Queued'),
          (err) => {
            log.error({ err }, 'smtp: could not store message, answering 451');
            callback(smtpError('4.3.0 Could not store the message, try again later', 451));
          },
        );
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', (err) => log.warn({ err }, 'smtp server error'));
  let port: number | null = null;
  return {
    get port() {
      return port;
    },
    listen() {
      return new Promise<number>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.server.once('error', onError);
        server.listen(opts.port, opts.host, () => {
          server.server.off('error', onError);
          port = (server.server.address() as AddressInfo).port;
          resolve(port);
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (port === null) return resolve();
        port = null;
        server.close(() => resolve());
      });
    },
  };
}
