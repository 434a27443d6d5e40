import { z } from 'zod';
import { easypostProvider } from '../../commerce/labels/easypost/easypost-provider.ts';
import { LabelRegistry } from '../../commerce/labels/label-provider.ts';
import { shippoProvider } from '../../commerce/labels/shippo/shippo-provider.ts';
import { slipProvider } from '../../commerce/labels/slip/slip-provider.ts';
import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import { defineJob, enqueue } from '../../platform/jobs/queue.ts';
import { registerLabelsRoutes } from './labels.routes.ts';
import { createLabelsService, type LabelsDeps, type LabelsService } from './labels.service.ts';

export type { LabelsService };

/** The providers Shopdesk knows: adding one is a folder in commerce/labels and one line here. */
export function defaultLabelProviders() {
  return new LabelRegistry().register(slipProvider).register(easypostProvider).register(shippoProvider);
}

const makeLabelJob = (svc: LabelsService) =>
  defineJob({
    name: 'make-return-label',
    schema: z.object({ workspaceId: z.number().int(), returnId: z.number().int() }),
    handler: async (p) => {
      await svc.onApproved(p.workspaceId, p.returnId);
    },
  });

/**
 * Return labels in one call from the composition root: the service, its API and the shopper's
 * download, and the reaction to an approved return (a durable job, once per return).
 */
export function installLabels(
  o: { router: Router; deps: Deps } & Omit<LabelsDeps, 'providers'> & { providers?: LabelsDeps['providers'] },
): LabelsService {
  const { router, deps, ...ext } = o;
  const svc = createLabelsService(deps, { ...ext, providers: ext.providers ?? defaultLabelProviders() });
  registerLabelsRoutes(router, svc);
  deps.jobs.register(makeLabelJob(svc));
  deps.bus.on('return.changed', async (e) => {
    const returnId = Number(e.data?.returnId);
    if (e.data?.status !== 'approved' || !returnId) return;
    const id = await enqueue(
      deps.db,
      'make-return-label',
      { workspaceId: e.workspaceId, returnId },
      { workspaceId: e.workspaceId, uniqueKey: `return-label:${returnId}` },
    );
    if (id) deps.jobs.wake();
  });
  return svc;
}
