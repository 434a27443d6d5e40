import {
  CreateReturnLabel,
  LabelAccount,
  LabelAccountInput,
  LabelProviderName,
  LabelSettings,
  ReturnLabel,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { LabelsService } from './labels.service.ts';

const tag = 'Return labels';
const ProviderParams = z.object({ provider: LabelProviderName });

export function registerLabelsRoutes(r: Router, svc: LabelsService) {
  r.add({
    method: 'GET',
    url: '/api/v1/labels/settings',
    summary: 'Which provider makes return labels, the returns address and the parcel',
    tag,
    access: 'agent',
    response: LabelSettings,
    handler: ({ auth }) => svc.settings(auth.workspaceId),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/labels/settings',
    summary: 'Change the label settings (leads and admins; audited)',
    tag,
    access: 'lead',
    body: LabelSettings,
    response: LabelSettings,
    handler: ({ auth, body }) => svc.putSettings(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/labels/accounts',
    summary: 'Connected carrier accounts (EasyPost, Shippo); keys are never returned',
    tag,
    access: 'admin',
    response: z.array(LabelAccount),
    handler: ({ auth }) => svc.accounts(auth.workspaceId),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/labels/accounts/:provider',
    summary: 'Connect or update a carrier account (the API key is stored encrypted)',
    tag,
    access: 'admin',
    params: ProviderParams,
    body: LabelAccountInput,
    response: LabelAccount,
    handler: ({ auth, params, body }) => svc.putAccount(auth, params.provider, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/labels/accounts/:provider',
    summary: 'Disconnect a carrier account',
    tag,
    access: 'admin',
    params: ProviderParams,
    status: 204,
    handler: async ({ auth, params }) => {
      await svc.deleteAccount(auth, params.provider);
      return null;
    },
  });
  r.add({
    method: 'GET',
    url: '/api/v1/returns/:id/labels',
    summary: "A return's labels, newest first, with cost, who pays and the shopper's download link",
    tag,
    access: 'agent',
    params: IdParams,
    response: z.array(ReturnLabel),
    handler: ({ auth, params }) => svc.ofReturn(auth.workspaceId, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/returns/:id/labels',
    summary: 'Make the return label (once: a live label is given back; `replace` voids it first)',
    tag,
    access: 'agent',
    params: IdParams,
    body: CreateReturnLabel,
    response: ReturnLabel,
    status: 201,
    handler: ({ auth, params, body }) =>
      svc.create(auth.workspaceId, params.id, body, { agentId: auth.agentId, name: auth.name }),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/labels/download/:token',
    summary: "The shopper's label: the return slip PDF, or a redirect to the carrier's label (signed link)",
    tag,
    access: 'public',
    params: z.object({ token: z.string().min(10).max(300) }),
    handler: async ({ params, reply }) => {
      const out = await svc.download(params.token);
      if ('redirect' in out) return reply.redirect(out.redirect, 302);
      return reply
        .type('application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="${out.filename}"`)
        .send(out.pdf);
    },
  });
}
