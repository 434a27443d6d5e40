import type { Deps } from '../../platform/deps.ts';
import type { TicketsService } from '../tickets/index.ts';
import { createAcknowledgements } from './acknowledgements.ts';
import { createEmailContext } from './email-context.ts';
import { createEmailLogService } from './email-log.service.ts';
import { createInboundProcessing } from './inbound-processing.ts';
import { createInboxSettingsService } from './inbox-settings.service.ts';
import { createEmailIntake } from './intake.ts';
import { createEmailOutbound } from './outbound.ts';
import { createSenderVerification } from './sender-verification.ts';
import { createThreading } from './threading.ts';

export { renderTemplate } from './acknowledgements.ts';
export { ACK_JOB, PROCESS_JOB } from './email-context.ts';

/**
 * The email module's service, put together from one file per use case (they share email-context.ts:
 * relay and DKIM setup, the cached inboxes).
 */
export function createEmailService(deps: Deps, tickets: TicketsService) {
  const c = createEmailContext(deps, tickets);
  const outbound = createEmailOutbound(c);
  const verification = createSenderVerification(c);
  const { processInbound } = createInboundProcessing(c, createThreading(c), verification);
  const { sendAck } = createAcknowledgements(c, outbound);
  return {
    adapter: outbound.adapter,
    relay: c.relay,
    processInbound,
    useDnsResolver: verification.useDnsResolver,
    sendAck,
    ...createEmailIntake(c),
    ...createInboxSettingsService(c),
    ...createEmailLogService(c),
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
