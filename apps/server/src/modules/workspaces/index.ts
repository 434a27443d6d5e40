import type { Config } from '../../config.ts';
import type { Db } from '../../platform/db/db.ts';
import { badRequest } from '../../platform/errors.ts';
import type { OutboundPolicy } from '../../platform/http/outbound.ts';
import { allowList } from '../../platform/net/outbound-guard.ts';
import {
  countWorkspaces,
  findWorkspaceById,
  findWorkspaceBySlug,
  insertWorkspace,
  listWorkspaces,
  outboundAllowList,
  workspaceSlugs,
} from './workspaces.repository.ts';

export type { WorkspaceRow } from './workspaces.repository.ts';
export { countWorkspaces, findWorkspaceById, findWorkspaceBySlug, listWorkspaces, workspaceSlugs };

export const slugify = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'workspace';

export async function createWorkspace(db: Db, name: string, slug = slugify(name)) {
  if (!/^[a-z0-9][a-z0-9-]{0,59}$/.test(slug))
    throw badRequest('Workspace slug must be lowercase letters, digits and dashes');
  if (await findWorkspaceBySlug(db, slug)) throw badRequest(`Workspace "${slug}" already exists`);
  return insertWorkspace(db, name, slug);
}

export { registerWorkspaceRoutes } from './workspaces.routes.ts';

/**
 * What a workspace's outbound calls (store APIs, webhooks, SMTP relay, IMAP) may reach: public
 * addresses, plus the private ranges its admins allowed and those of OUTBOUND_ALLOW_CIDRS.
 */
export async function outboundPolicyOf(
  db: Db,
  config: Pick<Config, 'OUTBOUND_ALLOW_CIDRS'>,
  workspaceId: number,
): Promise<OutboundPolicy> {
  const global = (config.OUTBOUND_ALLOW_CIDRS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { allow: allowList([...global, ...(await outboundAllowList(db, workspaceId))]) };
}
