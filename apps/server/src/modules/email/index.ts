import { readFileSync } from 'node:fs';
import { createInboundSmtpServer, type InboundSmtpServer } from '../../channels/email/smtp-inbound.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import type { TicketsService } from '../tickets/index.ts';
import { processInboundEmailJob, sendEmailAckJob } from './email.jobs.ts';
import { createImapPollers } from './email.pollers.ts';
import { registerEmailRoutes } from './email.routes.ts';
import { createEmailService, type EmailService } from './email.service.ts';

export type { EmailService };

/**
 * The email channel as the composition root sees it: the service, its ChannelAdapter, its jobs and
 * routes, and the listeners (built-in SMTP server, IMAP pollers) started and stopped with the app.
 */
export function createEmailChannel(deps: Deps, tickets: TicketsService) {
  const { config, log } = deps;
  const service = createEmailService(deps, tickets);
  const pollers = createImapPollers(deps, service, deps.bus.nodeId);
  service.onInboxesChanged(() => void pollers.refresh());
  let smtp: InboundSmtpServer | null = null;

  return {
    service,
    adapter: service.adapter,
    jobs: [processInboundEmailJob(service), sendEmailAckJob(service, log)],
    pollers,
    registerRoutes(router: Router) {
      registerEmailRoutes(router, service, { maxEmailBytes: config.EMAIL_MAX_BYTES });
    },
    async start(opts: { smtp: boolean; imap: boolean }) {
      if (opts.smtp) {
        const tls =
          config.EMAIL_TLS_CERT_PATH && config.EMAIL_TLS_KEY_PATH
            ? { cert: readFileSync(config.EMAIL_TLS_CERT_PATH), key: readFileSync(config.EMAIL_TLS_KEY_PATH) }
            : undefined;
        const server = createInboundSmtpServer({
          host: config.EMAIL_SMTP_HOST,
          port: config.EMAIL_SMTP_PORT,
          hostname: config.EMAIL_SMTP_HOSTNAME,
          tls,
          maxBytes: config.EMAIL_MAX_BYTES,
          log,
          acceptsRecipient: (a) => service.acceptsRecipient(a),
          store: (raw, env) => service.storeSmtp(raw, env),
        });
        try {
          const port = await server.listen();
          smtp = server;
          log.info({ port, tls: !!tls }, 'email: SMTP server listening');
        } catch (err) {
          // A busy port must not take the whole desk down; the API and other channels keep working.
          log.error({ err, port: config.EMAIL_SMTP_PORT }, 'email: SMTP server could not start');
        }
      }
      if (opts.imap) pollers.start();
    },
    get smtpPort() {
      return smtp?.port ?? null;
    },
    async stop() {
      await smtp?.close();
      smtp = null;
      await pollers.stop();
      service.relay.close();
    },
  };
}

/** Every address some active inbox receives mail for (the start banner names the demo's). */
export { activeAddresses as receivingAddresses } from './email.repository.ts';
/** Housekeeping of the intake log and of sent mail (RETAIN_INBOUND_DAYS, RETAIN_SENT_MAIL_DAYS). */
export { pruneSentMailRaw } from './housekeeping.repository.ts';
/** Which inbox ids exist in a workspace (routing rules may name one). */
export { existingInboxIds } from './lookups.repository.ts';
