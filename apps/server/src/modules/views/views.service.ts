import type { ListTicketsQuery, View } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { type Auth, hasRole } from '../../platform/http/router.ts';
import * as repo from './views.repository.ts';

const toView = (v: repo.ViewRow): View => ({
  id: v.id,
  name: v.name,
  shared: v.agent_id === null,
  filters: v.filters,
  position: v.position,
});

export async function getViewFilters(db: Db, workspaceId: number, agentId: number, id: number) {
  return (await repo.findView(db, workspaceId, agentId, id))?.filters as
    | Partial<ListTicketsQuery>
    | undefined;
}

export function createViewsService(deps: Deps, count: (auth: Auth, viewId: number) => Promise<number>) {
  const { db } = deps;
  async function own(auth: Auth, id: number) {
    const v = await repo.findView(db, auth.workspaceId, auth.agentId, id);
    if (!v) throw notFound('View');
    // Shared views belong to the team: only leads and admins change them.
    if (v.agent_id === null && !hasRole(auth, 'lead'))
      throw forbidden('Only leads and admins change shared views');
    return v;
  }
  return {
    async list(auth: Auth, withCounts: boolean) {
      const views = (await repo.listViews(db, auth.workspaceId, auth.agentId)).map(toView);
      if (withCounts) for (const v of views) v.count = await count(auth, v.id);
      return views;
    },
    async create(auth: Auth, input: { name: string; shared: boolean; filters: unknown; position?: number }) {
      if (input.shared && !hasRole(auth, 'lead'))
        throw forbidden('Only leads and admins create shared views');
      const id = await repo.insertView(db, auth.workspaceId, input.shared ? null : auth.agentId, {
        ...input,
        position: input.position ?? 100,
      });
      return toView((await repo.findView(db, auth.workspaceId, auth.agentId, id))!);
    },
    async update(
      auth: Auth,
      id: number,
      input: { name?: string; shared?: boolean; filters?: unknown; position?: number },
    ) {
      await own(auth, id);
      if (input.shared && !hasRole(auth, 'lead')) throw forbidden('Only leads and admins share views');
      await repo.updateViewRow(db, auth.workspaceId, id, {
        ...input,
        agentId: input.shared === undefined ? undefined : input.shared ? null : auth.agentId,
      });
      return toView((await repo.findView(db, auth.workspaceId, auth.agentId, id))!);
    },
    async remove(auth: Auth, id: number) {
      await own(auth, id);
      await repo.deleteViewRow(db, auth.workspaceId, id);
    },
  };
}
export type ViewsService = ReturnType<typeof createViewsService>;
