import type { Db } from '../../platform/db/db.ts';
import { AppError } from '../../platform/errors.ts';
import { allowList, OutboundRefusedError } from '../../platform/net/outbound-guard.ts';
import { recordAudit } from '../audit/index.ts';
import * as repo from './workspaces.repository.ts';

export const getOutboundAllowList = (db: Db, workspaceId: number) => repo.outboundAllowList(db, workspaceId);

/** Validates every entry (a typo is a 400 naming it) and records who opened what. */
export async function setOutboundAllowList(
  db: Db,
  auth: { workspaceId: number; agentId: number },
  items: string[],
) {
  try {
    allowList(items);
  } catch (err) {
    if (!(err instanceof OutboundRefusedError)) throw err;
    throw new AppError('validation_failed', err.message, [{ path: 'body.items', message: err.message }]);
  }
  await db.tx(async (tx) => {
    await repo.setOutboundAllowList(tx, auth.workspaceId, items);
    await recordAudit(tx, {
      workspaceId: auth.workspaceId,
      actorAgentId: auth.agentId,
      action: 'workspace.outbound_allow_list_changed',
      data: { items },
    });
  });
  return { items };
}
