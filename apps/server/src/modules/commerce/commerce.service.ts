import type { Deps } from '../../platform/deps.ts';
import { approvalUseCases } from './approvals.ts';
import { type CommerceDeps, createCommerceContext } from './commerce-context.ts';
import { connectionUseCases } from './connections.service.ts';
import { orderActionUseCases } from './order-actions.ts';
import { orderUseCases } from './orders.service.ts';
import { returnActionUseCases } from './return-actions.ts';
import { storePushUseCases } from './store-push-api.ts';
import { storeWebhookUseCases } from './store-webhooks.ts';

export type { CommerceDeps } from './commerce-context.ts';
export { detectOrderNumbers } from './order-views.ts';

/**
 * The commerce module's service, assembled from one file per use case:
 * connections.service.ts (store connections, initial import), store-push-api.ts (the built-in store API),
 * store-webhooks.ts (Shopify/WooCommerce deliveries), orders.service.ts (reading orders),
 * order-actions.ts + plan-action.ts (refunds and other actions), approvals.ts (policy and decisions);
 * commerce-context.ts holds what they share.
 */
export function createCommerceService(deps: Deps, ext: CommerceDeps) {
  const ctx = createCommerceContext(deps, ext);
  const actions = orderActionUseCases(ctx);
  return {
    /**
     * The one policy-and-approval path for money (refunds, store credit, discounts, reships, return
     * outcomes, automatic remedies): other modules call `moneyPolicy.request/approve/settle`.
     */
    moneyPolicy: ctx.money,
    ...connectionUseCases(ctx),
    ...storePushUseCases(ctx),
    ...storeWebhookUseCases(ctx),
    ...orderUseCases(ctx),
    ...approvalUseCases(ctx, actions),
    ...actions.useCases,
    ...returnActionUseCases(ctx, actions),
  };
}

export type CommerceService = ReturnType<typeof createCommerceService>;
