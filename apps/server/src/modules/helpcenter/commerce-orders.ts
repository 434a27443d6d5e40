import type { Order } from '@shopdesk/contracts';
import { AppError } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import type { CommerceService } from '../commerce/index.ts';
import type { ShopperOrderSource } from './order-port.ts';

/**
 * Orders for self-service, read through the commerce module's service. Its readers take an Auth but
 * only use its workspace; this caller is the system acting for a shopper who is verified afterwards
 * (findVerifiedOrder), so it carries the lowest role and no agent.
 */
export function shopperOrdersFrom(
  commerce: Pick<CommerceService, 'listOrders' | 'getOrder'>,
): ShopperOrderSource {
  const as = (workspaceId: number): Auth => ({
    workspaceId,
    agentId: 0,
    role: 'read-only',
    name: 'Self-service',
    via: 'token',
  });
  return {
    async byNumber(workspaceId, number) {
      return (await commerce.listOrders(as(workspaceId), { number, limit: 20 })).items as Order[];
    },
    async byId(workspaceId, id) {
      try {
        return (await commerce.getOrder(as(workspaceId), id)) as Order;
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') return null;
        throw err;
      }
    },
  };
}
