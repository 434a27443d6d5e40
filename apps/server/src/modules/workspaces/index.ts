import type { Db } from '../../platform/db/db.ts';
import { badRequest } from '../../platform/errors.ts';
import {
  countWorkspaces,
  findWorkspaceById,
  findWorkspaceBySlug,
  insertWorkspace,
  listWorkspaces,
} from './workspaces.repository.ts';

export type { WorkspaceRow } from './workspaces.repository.ts';
export { countWorkspaces, findWorkspaceById, findWorkspaceBySlug, listWorkspaces };

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
