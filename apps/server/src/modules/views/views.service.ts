import type { ListTicketsQuery, View } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { hasRole } from '../agents/index.ts';
import * as repo from './views.repository.ts';

/**
 * Who changes a view: its owner and admins; a workspace view nobody owns (agent_id NULL), leads and admins.
 * Every agent sees shared views, but a teammate's shared view is theirs to change.
 */
const mayEdit = (auth: Auth, v: repo.ViewRow) =>
  v.agent_id === null ? hasRole(auth, 'lead') : v.agent_id === auth.agentId || hasRole(auth, 'admin');

const toView = (auth: Auth, v: repo.ViewRow): View => ({
  id: v.id,
  name: v.name,
  shared: v.agent_id === null || v.shared,
  ownerId: v.agent_id,
  editable: mayEdit(auth, v),
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
    if (!mayEdit(auth, v))
      throw forbidden(
        v.agent_id === null
          ? 'Only leads and admins change workspace views'
          : 'Only the agent who saved this view, or an admin, changes it',
      );
    return v;
  }
  return {
    async list(auth: Auth, withCounts: boolean) {
      const views = (await repo.listViews(db, auth.workspaceId, auth.agentId)).map((v) => toView(auth, v));
      if (withCounts) for (const v of views) v.count = await count(auth, v.id);
      return views;
    },
    /** Any agent saves a view as its owner, and may share it with the workspace. */
    async create(auth: Auth, input: { name: string; shared: boolean; filters: unknown; position?: number }) {
      const id = await repo.insertView(db, auth.workspaceId, auth.agentId, {
        ...input,
        position: input.position ?? 100,
      });
      return toView(auth, (await repo.findView(db, auth.workspaceId, auth.agentId, id))!);
    },
    async update(
      auth: Auth,
      id: number,
      input: { name?: string; shared?: boolean; filters?: unknown; position?: number },
    ) {
      const v = await own(auth, id);
      // Unsharing a workspace view nobody owns makes it the caller's own.
      const adopt = v.agent_id === null && input.shared === false;
      await repo.updateViewRow(db, auth.workspaceId, id, {
        ...input,
        agentId: adopt ? auth.agentId : undefined,
      });
      return toView(auth, (await repo.findView(db, auth.workspaceId, auth.agentId, id))!);
    },
    async remove(auth: Auth, id: number) {
      await own(auth, id);
      await repo.deleteViewRow(db, auth.workspaceId, id);
    },
  };
}
export type ViewsService = ReturnType<typeof createViewsService>;
