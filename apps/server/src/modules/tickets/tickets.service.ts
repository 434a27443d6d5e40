import { ChannelRegistry } from '../../channels/channel-adapter.ts';
import type { Deps } from '../../platform/deps.ts';
import { createDeliveryService } from './delivery.service.ts';
import { createMessagesService } from './messages.service.ts';
import { createNotificationsService } from './notifications.service.ts';
import { createSystemActionsService } from './system-actions.service.ts';
import { createTagsFieldsService } from './tags-fields.service.ts';
import { createTicketCore } from './ticket-core.ts';
import { createTicketCreateService } from './ticket-create.service.ts';
import { createTicketReadsService } from './ticket-reads.service.ts';
import { createTicketUpdatesService } from './ticket-updates.service.ts';

export type { IncomingAttachment, SystemActor } from './ticket-core.ts';
export type { ReceiveInput } from './ticket-create.service.ts';
export { toSummary } from './ticket-shapes.ts';

/**
 * The tickets module's service: one object for its users, put together from one file per use case
 * (they share ticket-core.ts: loading, field changes, attachments, reading a ticket back).
 */
export function createTicketsService(deps: Deps, channels: ChannelRegistry = new ChannelRegistry()) {
  const core = createTicketCore(deps);
  return {
    ...createTicketReadsService(core),
    ...createTicketCreateService(core),
    ...createTicketUpdatesService(core),
    ...createMessagesService(core, channels),
    ...createDeliveryService(core, channels),
    ...createTagsFieldsService(core),
    ...createNotificationsService(core),
    ...createSystemActionsService(core),
  };
}

export type TicketsService = ReturnType<typeof createTicketsService>;
