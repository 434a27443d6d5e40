import {
  CreateReturn,
  DecideReturn,
  ListReturnsQuery,
  OutcomeOption,
  ReceiveReturn,
  Return,
  ReturnErrorCluster,
  ReturnList,
  ReturnOptions,
  ReturnPolicy,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { ReturnsService } from './returns.service.ts';

const tag = 'Returns';
const QuoteBody = CreateReturn.pick({ orderId: true, lines: true });

export function registerReturnsRoutes(r: Router, svc: ReturnsService) {
  r.add({
    method: 'GET',
    url: '/api/v1/returns/policy',
    summary: 'The return policy (window, exclusions, outcomes, fees, review and abuse rules, reasons)',
    tag,
    access: 'read-only',
    response: ReturnPolicy,
    handler: ({ auth }) => svc.getPolicy(auth),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/returns/policy',
    summary: 'Change the return policy (leads and admins; audited)',
    tag,
    access: 'lead',
    body: ReturnPolicy,
    response: ReturnPolicy,
    handler: ({ auth, body }) => svc.putPolicy(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/returns/orders/:id/options',
    summary: 'Per line of an order: returnable or not and why, reasons and outcomes the policy offers',
    tag,
    access: 'agent',
    params: IdParams,
    response: ReturnOptions,
    handler: ({ auth, params }) => svc.options(auth.workspaceId, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/returns/quote',
    summary: 'What each outcome gives the shopper and costs the shop for the picked lines',
    tag,
    access: 'agent',
    body: QuoteBody,
    response: z.array(OutcomeOption),
    handler: ({ auth, body }) => svc.quote(auth.workspaceId, body.orderId, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/returns',
    summary: 'Returns, newest first (filters: status, reason, order, ticket, customer, overdue to arrive)',
    tag,
    access: 'agent',
    query: ListReturnsQuery,
    response: ReturnList,
    handler: ({ auth, query }) => svc.list(auth, query),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/returns/error-clusters',
    summary: '"Wrong item", "damaged" and "not as described" returns grouped by SKU (last 90 days)',
    tag,
    access: 'agent',
    response: z.array(ReturnErrorCluster),
    handler: ({ auth }) => svc.errorClusters(auth),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/returns',
    summary:
      "Start a return on the customer's behalf, checked against the return policy and the money limits. 201 created (approved or needs review), 200 replay of the same Idempotency-Key",
    tag,
    access: 'agent',
    body: CreateReturn,
    response: Return,
    status: 201,
    handler: async ({ auth, body, req, reply }) => {
      const v = req.headers['idempotency-key'];
      const key = Array.isArray(v) ? v[0] : v;
      if (key !== undefined && (key.length < 8 || key.length > 200))
        throw new AppError('validation_failed', 'Idempotency-Key must be 8–200 characters');
      const out = await svc.create(auth.workspaceId, body, { kind: 'agent', auth }, key);
      return reply.code(out.replayed ? 200 : 201).send(out.ret);
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/returns/:id',
    summary: 'One return with its lines and history',
    tag,
    access: 'agent',
    params: IdParams,
    response: Return,
    handler: ({ auth, params }) => svc.get(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/returns/:id/approve',
    summary: "Approve a return waiting for review (the approver's own money limit must cover it)",
    tag,
    access: 'agent',
    params: IdParams,
    body: DecideReturn,
    response: Return,
    handler: ({ auth, params, body }) => svc.approve(auth, params.id, body.reason),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/returns/:id/decline',
    summary: 'Decline a return, with the reason the shopper is told',
    tag,
    access: 'agent',
    params: IdParams,
    body: DecideReturn,
    response: Return,
    handler: ({ auth, params, body }) => svc.decline(auth, params.id, body.reason),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/returns/:id/receive',
    summary:
      'Receive and inspect the items, then run the refund, store credit or exchange in the store (again after a store error)',
    tag,
    access: 'agent',
    params: IdParams,
    body: ReceiveReturn,
    response: Return,
    handler: ({ auth, params, body }) => svc.receive(auth, params.id, body),
  });
}
