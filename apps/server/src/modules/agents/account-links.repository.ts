import { type Db, sql } from '../../platform/db/db.ts';

export type LinkPurpose = 'invite' | 'reset';
export type LinkRow = {
  id: number;
  workspace_id: number;
  agent_id: number;
  purpose: LinkPurpose;
  expires_at: Date;
  used_at: Date | null;
};

/**
 * A new link replaces the agent's open ones of the same purpose: only the latest e-mail works. The
 * agent's row is locked so that two links made at once (two reset requests) still leave one open.
 */
export async function insertLink(
  db: Db,
  l: {
    workspaceId: number;
    agentId: number;
    purpose: LinkPurpose;
    hash: string;
    createdBy: number | null;
    expiresAt: Date;
  },
) {
  await db.tx(async (tx) => {
    await tx.query(sql`SELECT id FROM agents WHERE id = ${l.agentId} FOR UPDATE`);
    await tx.query(sql`
      UPDATE agent_account_links SET used_at = now()
      WHERE agent_id = ${l.agentId} AND purpose = ${l.purpose} AND used_at IS NULL`);
    await tx.query(sql`
      INSERT INTO agent_account_links (workspace_id, agent_id, purpose, token_hash, created_by, expires_at)
      VALUES (${l.workspaceId}, ${l.agentId}, ${l.purpose}, ${l.hash}, ${l.createdBy}, ${l.expiresAt.toISOString()})`);
  });
}

export const findOpenLink = (db: Db, hash: string) =>
  db.one<LinkRow>(sql`
    SELECT id, workspace_id, agent_id, purpose, expires_at, used_at FROM agent_account_links
    WHERE token_hash = ${hash} AND used_at IS NULL AND expires_at > now()`);

/** Uses the link once: of two requests racing with it, one gets the row back. */
export const claimLink = (db: Db, hash: string, purpose: LinkPurpose) =>
  db.one<LinkRow>(sql`
    UPDATE agent_account_links SET used_at = now()
    WHERE token_hash = ${hash} AND purpose = ${purpose} AND used_at IS NULL AND expires_at > now()
    RETURNING id, workspace_id, agent_id, purpose, expires_at, used_at`);

/** A password set by any means makes the agent's other open links worthless. */
export const closeLinksOfAgent = (db: Db, agentId: number) =>
  db.query(
    sql`UPDATE agent_account_links SET used_at = now() WHERE agent_id = ${agentId} AND used_at IS NULL`,
  );

/** Used or expired links are kept a week for the audit trail's sake, then dropped (housekeeping). */
export const pruneLinks = (db: Db) =>
  db.query(sql`
    DELETE FROM agent_account_links
    WHERE coalesce(used_at, expires_at) < now() - interval '7 days'`);
