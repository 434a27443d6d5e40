import type { Automation, AutomationInput } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { existingAgentIds } from '../agents/index.ts';
import { ticketExists } from '../tickets/index.ts';
import type { AutomationContext } from './automation-context.ts';
import * as repo from './automations.repository.ts';
import { checkWebhooks } from './webhooks.service.ts';

function toAutomation(r: repo.AutomationRow): Automation {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    events: r.events as Automation['events'],
    conditions: r.conditions as Automation['conditions'],
    actions: r.actions as Automation['actions'],
    active: r.active,
    position: r.position,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const withSecrets = (a: Automation, secrets: { url: string; secret: string }[]) =>
  secrets.length ? { ...a, webhookSecrets: secrets } : a;

async function checkRefs(db: Db, workspaceId: number, input: AutomationInput) {
  const agents = input.actions.flatMap((a) =>
    a.type === 'assign_agent' && a.agentId ? [a.agentId] : a.type === 'notify' ? a.agentIds : [],
  );
  if (agents.length) {
    const found = await existingAgentIds(db, workspaceId, agents);
    const missing = agents.filter((id) => !found.includes(id));
    if (missing.length)
      throw new AppError('validation_failed', `Unknown agent ${missing[0]}`, [
        { path: 'body.actions', message: `no active agent ${missing.join(', ')} in this workspace` },
      ]);
  }
}

/** Automations as the admin edits them (checked, reordered) and their run log. */
export function createAutomationsAdmin(
  c: AutomationContext,
  ensureEndpoints: (
    workspaceId: number,
    input: Pick<AutomationInput, 'actions'>,
  ) => Promise<{ url: string; secret: string }[]>,
) {
  const { db, policyOf, triggers } = c;
  return {
    async runs(
      auth: Pick<Auth, 'workspaceId'>,
      f: { ticketId?: number; automationId?: number },
      limit = 100,
    ) {
      if (f.ticketId && !(await ticketExists(db, auth.workspaceId, f.ticketId))) throw notFound('Ticket');
      return (await repo.listRuns(db, auth.workspaceId, f, limit)).map((r) => ({
        id: r.id,
        automationId: r.automation_id,
        automationName: r.automation_name,
        ticketId: r.ticket_id,
        trigger: r.trigger,
        outcome: r.outcome,
        reason: r.reason,
        actions: r.actions,
        createdAt: r.created_at.toISOString(),
      }));
    },

    list: async (auth: Pick<Auth, 'workspaceId'>) =>
      (await repo.listAutomations(db, auth.workspaceId)).map(toAutomation),
    async get(auth: Pick<Auth, 'workspaceId'>, id: number) {
      const r = await repo.findAutomation(db, auth.workspaceId, id);
      if (!r) throw notFound('Automation');
      return toAutomation(r);
    },
    async create(auth: Auth, input: AutomationInput) {
      await checkRefs(db, auth.workspaceId, input);
      await checkWebhooks(input, await policyOf(auth.workspaceId));
      const row = await repo.insertAutomation(db, auth.workspaceId, input);
      await triggers.changed(auth.workspaceId);
      return withSecrets(toAutomation(row!), await ensureEndpoints(auth.workspaceId, input));
    },
    async update(auth: Auth, id: number, input: AutomationInput) {
      await checkRefs(db, auth.workspaceId, input);
      await checkWebhooks(input, await policyOf(auth.workspaceId));
      const r = await repo.updateAutomation(db, auth.workspaceId, id, input);
      if (!r) throw notFound('Automation');
      await triggers.changed(auth.workspaceId);
      return withSecrets(toAutomation(r), await ensureEndpoints(auth.workspaceId, input));
    },
    /** Sets the run order: `ids` lists every automation of the workspace exactly once. */
    async reorder(auth: Auth, ids: number[]) {
      const items = await db.tx(async (tx) => {
        const all = await repo.workspaceAutomationIds(tx, auth.workspaceId);
        const unique = new Set(ids);
        if (unique.size !== ids.length || ids.length !== all.length || all.some((id) => !unique.has(id)))
          throw new AppError('validation_failed', 'List every automation of the workspace exactly once', [
            { path: 'body.ids', message: 'must be a permutation of the automation ids' },
          ]);
        await repo.setPositions(tx, auth.workspaceId, ids);
        return (await repo.listAutomations(tx, auth.workspaceId)).map(toAutomation);
      });
      await triggers.changed(auth.workspaceId);
      return items;
    },
    async remove(auth: Auth, id: number) {
      if (!(await repo.deleteAutomation(db, auth.workspaceId, id)).length) throw notFound('Automation');
      await triggers.changed(auth.workspaceId);
    },
  };
}
