import type { Macro } from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { hasRole } from '../agents/index.ts';
import { recordAudit } from '../audit/index.ts';
import type { TicketsService } from '../tickets/index.ts';
import { firstName, renderTemplate, type VariableValues } from './macro-template.ts';
import * as repo from './macros.repository.ts';

type MacroInput = { name: string; body: string; actions: Record<string, unknown>; shared: boolean };
type TicketDetail = Awaited<ReturnType<TicketsService['get']>>;

/**
 * Supplies extra variables for a ticket, e.g. the commerce module's latest order (`order.number`,
 * `order.status`, `order.tracking_url`). Registered in app.ts; a failing provider never blocks a reply.
 */
export type VariableProvider = {
  /** Listed in the composer's variable picker. */
  variables: { name: string; description: string }[];
  resolve(auth: Auth, ticket: TicketDetail): Promise<VariableValues>;
};

export const coreVariables = [
  { name: 'customer.first_name', description: "Customer's first name" },
  { name: 'customer.name', description: "Customer's full name" },
  { name: 'customer.email', description: "Customer's email address" },
  { name: 'ticket.id', description: 'Ticket number' },
  { name: 'ticket.subject', description: 'Ticket subject' },
  { name: 'ticket.status', description: 'Ticket status' },
  { name: 'agent.name', description: 'Your name' },
  { name: 'agent.first_name', description: 'Your first name' },
];

const toMacro = (r: repo.MacroRow): Macro => ({
  id: r.id,
  name: r.name,
  body: r.body,
  actions: r.actions,
  shared: r.agent_id === null,
  createdBy: r.created_by,
  usageCount: r.usage_count,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export function createMacrosService(deps: Deps, tickets: Pick<TicketsService, 'get'>) {
  const { db, log } = deps;
  const providers: VariableProvider[] = [];

  async function editable(auth: Auth, id: number) {
    const m = await repo.findMacro(db, auth.workspaceId, auth.agentId, id);
    if (!m) throw notFound('Macro');
    // Shared macros speak for the whole team: only leads and admins change them.
    if (m.agent_id === null && !hasRole(auth, 'lead'))
      throw forbidden('Only leads and admins change shared macros');
    return m;
  }

  return {
    addVariableProvider(p: VariableProvider) {
      providers.push(p);
    },
    variables: () => [...coreVariables, ...providers.flatMap((p) => p.variables)],

    list: async (auth: Auth) => (await repo.listMacros(db, auth.workspaceId, auth.agentId)).map(toMacro),

    async create(auth: Auth, input: MacroInput) {
      if (input.shared && !hasRole(auth, 'lead'))
        throw forbidden('Only leads and admins create shared macros');
      const id = await repo.insertMacro(db, auth.workspaceId, {
        agentId: input.shared ? null : auth.agentId,
        createdBy: auth.agentId,
        name: input.name,
        body: input.body,
        actions: input.actions,
      });
      if (input.shared)
        await recordAudit(db, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'macro.created',
          targetType: 'macro',
          targetId: id,
          data: { name: input.name },
        });
      return toMacro((await repo.findMacro(db, auth.workspaceId, auth.agentId, id))!);
    },

    async update(auth: Auth, id: number, input: Partial<MacroInput>) {
      const before = await editable(auth, id);
      if (input.shared && !hasRole(auth, 'lead')) throw forbidden('Only leads and admins share macros');
      await repo.updateMacroRow(db, auth.workspaceId, id, {
        name: input.name,
        body: input.body,
        actions: input.actions,
        agentId: input.shared === undefined ? undefined : input.shared ? null : auth.agentId,
      });
      if (before.agent_id === null || input.shared)
        await recordAudit(db, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'macro.updated',
          targetType: 'macro',
          targetId: id,
          data: { name: input.name ?? before.name },
        });
      return toMacro((await repo.findMacro(db, auth.workspaceId, auth.agentId, id))!);
    },

    async remove(auth: Auth, id: number) {
      const m = await editable(auth, id);
      await repo.deleteMacroRow(db, auth.workspaceId, id);
      if (m.agent_id === null)
        await recordAudit(db, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'macro.deleted',
          targetType: 'macro',
          targetId: id,
          data: { name: m.name },
        });
    },

    /** Fills the macro's variables for one ticket; counts the use. */
    async render(auth: Auth, id: number, ticketId: number) {
      const m = await repo.findMacro(db, auth.workspaceId, auth.agentId, id);
      if (!m) throw notFound('Macro');
      const t = await tickets.get(auth, ticketId);
      const values: VariableValues = {
        'customer.first_name': firstName(t.contact?.name),
        'customer.name': t.contact?.name,
        'customer.email': t.contact?.email,
        'ticket.id': t.id,
        'ticket.subject': t.subject,
        'ticket.status': t.status,
        'agent.name': auth.name,
        'agent.first_name': firstName(auth.name),
      };
      for (const p of providers) {
        try {
          Object.assign(values, await p.resolve(auth, t));
        } catch (err) {
          log.warn({ err, macroId: id, ticketId }, 'macro variable provider failed');
        }
      }
      const { text, missing } = renderTemplate(m.body, values);
      await repo.countUse(db, auth.workspaceId, id);
      return { body: text, actions: m.actions, missing };
    },
  };
}
export type MacrosService = ReturnType<typeof createMacrosService>;
