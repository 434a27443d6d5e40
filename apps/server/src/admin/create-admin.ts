import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createAgentsService } from '../modules/agents/index.ts';
import {
  createWorkspace,
  findWorkspaceBySlug,
  listWorkspaces,
  slugify,
} from '../modules/workspaces/index.ts';
import type { Db } from '../platform/db/db.ts';
import { sql } from '../platform/db/db.ts';
import { createEventBus } from '../platform/events/bus.ts';
import { createRateLimits } from '../platform/http/rate-limit.ts';
import { createJobRunner } from '../platform/jobs/queue.ts';
import { hashPassword } from '../platform/security/passwords.ts';
import { createFileStore } from '../platform/storage/file-store.ts';

async function pickWorkspace(db: Db, slug?: string) {
  if (slug) return findWorkspaceBySlug(db, slug);
  const all = await listWorkspaces(db);
  if (all.length > 1)
    throw new Error(`Several workspaces exist (${all.map((w) => w.slug).join(', ')}): pass --workspace`);
  return all[0];
}

/** CLI: creates the workspace when needed and an admin in it (or promotes and resets an existing agent). */
export async function createAdmin(
  db: Db,
  o: { email: string; password: string; workspace?: string; name?: string },
) {
  if (o.password.length < 10) throw new Error('Password must have at least 10 characters');
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(o.email)) throw new Error('Not an email address');
  let ws = await pickWorkspace(db, o.workspace ? slugify(o.workspace) : undefined);
  ws ??= await createWorkspace(db, o.workspace ?? 'My Shop', slugify(o.workspace ?? 'my-shop'));
  const hash = await hashPassword(o.password);
  await db.query(sql`
    INSERT INTO agents (workspace_id, email, name, role, password_hash) VALUES (${ws.id}, ${o.email}, ${o.name ?? o.email.split('@')[0]!}, 'admin', ${hash})
    ON CONFLICT (workspace_id, lower(email)) DO UPDATE SET role = 'admin', password_hash = excluded.password_hash, active = true`);
  // A reset password ends the agent's sessions (the CLI is used when an account is lost or taken over).
  await db.query(sql`DELETE FROM sessions WHERE agent_id IN
    (SELECT id FROM agents WHERE workspace_id = ${ws.id} AND lower(email) = lower(${o.email}))`);
  await db.query(sql`INSERT INTO audit_log (workspace_id, action, target_type, target_id, data)
    VALUES (${ws.id}, 'agent.admin_created_by_cli', 'agent', ${o.email}, '{}'::jsonb)`);
  return { email: o.email, workspaceSlug: ws.slug };
}

export async function createToken(
  db: Db,
  config: Config,
  log: Logger,
  o: { email: string; workspace?: string; name: string },
) {
  const ws = await pickWorkspace(db, o.workspace);
  if (!ws) throw new Error('No such workspace');
  const bus = createEventBus(db, log);
  const deps = {
    config,
    db,
    bus,
    log,
    files: createFileStore(config, db),
    jobs: createJobRunner(db, log, { concurrency: 1 }),
    limits: createRateLimits(db, config),
  };
  const agents = createAgentsService(deps);
  const agent = await agents.findByEmailInWorkspace(db, ws.id, o.email);
  if (!agent?.active) throw new Error(`No active agent ${o.email} in workspace "${ws.slug}"`);
  const t = await agents.createToken(ws.id, agent.id, o.name, null);
  return t.token;
}
