import { AppError, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import type { TicketCore } from './ticket-core.ts';
import * as repo from './tickets.repository.ts';

/** The workspace's tags and custom field definitions. */
export function createTagsFieldsService(core: TicketCore) {
  const { db } = core;
  return {
    listTags: (auth: Auth) => repo.listTags(db, auth.workspaceId),
    async upsertTag(auth: Auth, name: string, color: string | null) {
      await repo.upsertTag(db, auth.workspaceId, name, color);
      return (await repo.listTags(db, auth.workspaceId)).find((t) => t.name === name)!;
    },
    async deleteTag(auth: Auth, name: string) {
      const rows = await db.tx((tx) => repo.deleteTag(tx, auth.workspaceId, name));
      if (!rows.length) throw notFound('Tag');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'tag.deleted',
        targetType: 'tag',
        targetId: name,
      });
    },
    listCustomFields: (auth: Auth) => repo.listCustomFields(db, auth.workspaceId),
    async createCustomField(auth: Auth, f: { key: string; label: string; type: string; options: string[] }) {
      try {
        return (await repo.insertCustomField(db, auth.workspaceId, f))!;
      } catch {
        throw new AppError('conflict', `A custom field with key "${f.key}" exists`);
      }
    },
    async deleteCustomField(auth: Auth, id: number) {
      if (!(await repo.deleteCustomField(db, auth.workspaceId, id)).length) throw notFound('Custom field');
    },
  };
}
