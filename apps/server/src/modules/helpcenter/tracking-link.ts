import type { Order } from '@shopdesk/contracts';
import type { KeyRing } from '../../platform/security/keys.ts';
import type { CommerceService } from '../commerce/index.ts';
import type { VariableProvider } from '../macros/index.ts';
import type { HelpCenterService } from './helpcenter.service.ts';
import { shopperMatchesOrder } from './order-verification.ts';
import { signTrackingToken } from './tracking-token.ts';

export const TRACKING_PAGE_VARIABLE = 'order.tracking_page_url';

type TicketContact = { id: number; email: string | null } | null;

/**
 * Whether a tracking link for this order may go to the ticket's contact: the link opens the order
 * without any further proof, so it is only made for the contact's own order (linked to the contact, or
 * placed with the contact's e-mail — the proof the tracking page asks for). An order merely named in
 * the conversation can be someone else's.
 */
export function orderBelongsTo(order: Order, contact: TicketContact): boolean {
  if (!contact) return false;
  return order.contactId === contact.id || shopperMatchesOrder(order, { email: contact.email });
}

/**
 * `{{order.tracking_page_url}}` for replies and macros: a signed link to the help center's tracking
 * page for the order the conversation is about (the same choice as the other `order.*` variables:
 * the order named in it, else the latest). The carrier's own link stays `{{order.tracking_url}}`.
 */
export function trackingPageVariable(o: {
  hc: Pick<HelpCenterService, 'baseFor'>;
  commerce: Pick<CommerceService, 'conversationOrder'>;
  keys: KeyRing;
}): VariableProvider {
  return {
    variables: [
      {
        name: TRACKING_PAGE_VARIABLE,
        description:
          "Link to the order's page in the help center: status, items, shipment (no login; the customer's own order only; 120 days)",
      },
    ],
    async resolve(auth, ticket) {
      const order = await o.commerce.conversationOrder(auth, ticket.id);
      if (!order || !orderBelongsTo(order, ticket.contact)) return {};
      const base = await o.hc.baseFor(auth.workspaceId);
      const token = signTrackingToken(o.keys, auth.workspaceId, order.id);
      return { [TRACKING_PAGE_VARIABLE]: `${base.root}/track-link/${token}` };
    },
  };
}
