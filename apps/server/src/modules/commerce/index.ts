import type { FastifyInstance } from 'fastify';
import { builtinConnector } from '../../commerce/builtin/builtin-connector.ts';
import { createShopifyConnector } from '../../commerce/shopify/shopify-connector.ts';
import { StoreRegistry } from '../../commerce/store-connector.ts';
import { createWooCommerceConnector } from '../../commerce/woocommerce/woocommerce-connector.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import type { ContactsService } from '../contacts/index.ts';
import type { MacrosService } from '../macros/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { commerceBackfillJob, processStoreWebhookJob, runOrderActionJob } from './commerce.jobs.ts';
import { registerCommerceRoutes, registerCommerceWebhooks } from './commerce.routes.ts';
import { type CommerceService, createCommerceService } from './commerce.service.ts';

/** Summary figures for the analytics registry (app.ts registers them). */
export { commerceAnalyticsSummaries } from './analytics-source.ts';
export { createBuiltinStore } from './builtin-store.ts';
export { ingestChanges, numberKey } from './commerce.ingest.ts';
/** Policy checks for money: every module that gives a customer money goes through `svc.moneyPolicy`. */
export type { MoneyActor, MoneyDecision, MoneyPolicy, MoneyRequest } from './commerce.money.ts';
export { contactLifetimeValue } from './commerce.repository.ts';
export { type CommerceService, createCommerceService, detectOrderNumbers } from './commerce.service.ts';
export {
  type DeliveredOrder,
  ordersDeliveredBetween,
  ticketOrderActionKinds,
} from './feedback-reads.repository.ts';
/** Orders a public mention names (modules/listening). */
export { orderSummary, ordersByNumberKeys } from './listening-reads.repository.ts';
export { type MoneyKind, moneyKinds, percentDiscountValue } from './order-policy.ts';
/** Risk-based QA sampling (modules/quality): tickets where money moved or an approval was used. */
export { riskyTickets } from './quality-reads.repository.ts';
/** Store writes for returns (refund, store credit, exchange) through the order-action machinery. */
export type { ReturnStoreCommand } from './return-actions.ts';
export {
  orderContact,
  ordersValue,
  type StoreShipment,
  storeShipmentByTracking,
  storeShipmentsChangedSince,
  workspacesWithStores,
} from './shipments-port.ts';

/** Commerce in one call from the composition root: connectors, routes, webhooks, jobs, macro variables. */
export function installCommerce(o: {
  app: FastifyInstance;
  router: Router;
  deps: Deps;
  tickets: TicketsService;
  contacts: ContactsService;
  macros?: Pick<MacrosService, 'addVariableProvider'>;
  /** Tests swap in connectors with their own HTTP options. */
  stores?: StoreRegistry;
}): CommerceService {
  const stores = o.stores ?? new StoreRegistry();
  if (!o.stores) {
    stores.register(builtinConnector);
    stores.register(createShopifyConnector());
    stores.register(createWooCommerceConnector());
  }
  const svc = createCommerceService(o.deps, { stores, tickets: o.tickets, contacts: o.contacts });
  registerCommerceRoutes(o.router, svc);
  registerCommerceWebhooks(o.app, o.router, svc);
  o.deps.jobs.register(processStoreWebhookJob(svc));
  o.deps.jobs.register(commerceBackfillJob(svc));
  o.deps.jobs.register(runOrderActionJob(svc));
  o.macros?.addVariableProvider({
    variables: [
      {
        name: 'order.number',
        description: 'Order number (the one named in the conversation, else the latest)',
      },
      { name: 'order.status', description: 'Order status' },
      { name: 'order.total', description: 'Order total with currency' },
      { name: 'order.items', description: 'Items, e.g. "1 × Trail Runner 2"' },
      { name: 'order.fulfillment_status', description: 'Fulfilment status' },
      { name: 'order.carrier', description: 'Carrier of the latest shipment' },
      { name: 'order.tracking_number', description: 'Tracking number of the latest shipment' },
      { name: 'order.tracking_url', description: 'Tracking link of the latest shipment' },
      { name: 'order.expected_delivery', description: 'Expected delivery date' },
      { name: 'order.shipping_address', description: 'Shipping address' },
    ],
    async resolve(auth, ticket) {
      const { order } = await svc.orderVariables(auth, ticket.id);
      if (!order) return {};
      return {
        'order.number': order.number,
        'order.status': order.status,
        'order.total': order.total,
        'order.items': order.items,
        'order.fulfillment_status': order.fulfillmentStatus,
        'order.carrier': order.carrier,
        'order.tracking_number': order.trackingNumber,
        'order.tracking_url': order.trackingUrl,
        'order.expected_delivery': order.expectedDelivery,
        'order.shipping_address': order.shippingAddress,
      };
    },
  });
  return svc;
}
