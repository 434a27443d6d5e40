import { CreateImport, ImportRun } from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { ImportsService } from './imports.service.ts';

const TAG = 'Integrations';

/** Settings → Import (admin): start, watch, cancel and resume imports from other helpdesks. */
export function registerImportRoutes(r: Router, svc: ImportsService) {
  r.add({
    method: 'GET',
    url: '/api/v1/integrations/imports',
    summary: 'Import runs of this workspace, newest first, with their progress and latest errors',
    tag: TAG,
    access: 'admin',
    response: z.object({ items: z.array(ImportRun) }),
    handler: async ({ auth }) => ({ items: await svc.list(auth) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/integrations/imports',
    summary: 'Start an import (Zendesk with an API token, or a CSV file in the documented format)',
    tag: TAG,
    access: 'admin',
    body: CreateImport,
    response: ImportRun,
    status: 201,
    handler: async ({ auth, body }) => svc.create(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/integrations/imports/:id',
    summary: 'One import run',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    response: ImportRun,
    handler: async ({ auth, params }) => svc.get(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/integrations/imports/:id/cancel',
    summary: 'Stop an import after the page in progress (what was imported stays)',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    response: ImportRun,
    handler: async ({ auth, params }) => svc.cancel(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/integrations/imports/:id/resume',
    summary: 'Continue a failed or cancelled import from its last checkpoint (nothing is imported twice)',
    tag: TAG,
    access: 'admin',
    params: IdParams,
    response: ImportRun,
    handler: async ({ auth, params }) => svc.resume(auth, params.id),
  });
}
