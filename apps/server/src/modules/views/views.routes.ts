import { CreateView, UpdateView, View } from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { ViewsService } from './views.service.ts';

export function registerViewRoutes(r: Router, svc: ViewsService) {
  r.add({
    method: 'GET',
    url: '/api/v1/views',
    summary: 'Saved views (shared and your own), optionally with live ticket counts',
    tag: 'Views',
    access: 'read-only',
    query: z.object({ counts: z.enum(['true', 'false']).default('false') }),
    response: z.object({ items: z.array(View) }),
    handler: async ({ auth, query }) => ({ items: await svc.list(auth, query.counts === 'true') }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/views',
    summary: 'Save a view from any ticket filter',
    tag: 'Views',
    access: 'agent',
    body: CreateView,
    response: View,
    status: 201,
    handler: async ({ auth, body }) => svc.create(auth, body),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/views/:id',
    summary: 'Change a view',
    tag: 'Views',
    access: 'agent',
    params: IdParams,
    body: UpdateView,
    response: View,
    handler: async ({ auth, params, body }) => svc.update(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/views/:id',
    summary: 'Delete a view',
    tag: 'Views',
    access: 'agent',
    params: IdParams,
    handler: async ({ auth, params }) => svc.remove(auth, params.id),
  });
}
