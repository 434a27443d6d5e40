import type { Contact, CreateContact, UpdateContact } from '@shopdesk/contracts';
import type { Db } from '../../platform/db/db.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, badRequest, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import * as repo from './contacts.repository.ts';

export function toContact(r: repo.ContactRow): Contact {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    notes: r.notes,
    tags: r.tags,
    customFields: r.custom_fields,
    identities: r.identities.map((i) => ({
      kind: i.kind as Contact['identities'][number]['kind'],
      value: i.value,
      verified: i.verified,
    })),
    ...(r.ticket_count !== undefined ? { ticketCount: r.ticket_count } : {}),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export interface ContactMatch {
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  /** Other channel identities (chat visitor, messenger PSID …). */
  identities?: { kind: string; value: string; verified?: boolean }[];
}

const normEmail = (e: string) => e.trim().toLowerCase();
const normPhone = (p: string) => p.replace(/[^\d+]/g, '');

/** A match by exactly one identity (the usual inbound case), normalised; null for anything else. */
function singleIdentityOf(m: ContactMatch) {
  const n = (m.email ? 1 : 0) + (m.phone ? 1 : 0) + (m.identities?.length ?? 0);
  if (n !== 1) return null;
  const i = m.email
    ? { kind: 'email', value: normEmail(m.email), verified: false }
    : m.phone
      ? { kind: 'phone', value: normPhone(m.phone), verified: false }
      : {
          kind: m.identities![0]!.kind,
          value: m.identities![0]!.value,
          verified: m.identities![0]!.verified ?? false,
        };
  return {
    identity: i,
    contact: { name: m.name ?? null, email: m.email ? normEmail(m.email) : null, phone: m.phone ?? null },
  };
}

/**
 * Find-or-create by one identity as CTEs for another module's statement (tickets writes a new ticket
 * and its contact in one round trip); null when the match is not by exactly one identity. The caller
 * deletes `created` when it differs from the contact used (a concurrent insert won the identity).
 */
export function contactCtesFor(workspaceId: number, m: ContactMatch) {
  const single = singleIdentityOf(m);
  return single ? repo.contactByIdentityCtes(workspaceId, single.identity, single.contact) : null;
}

/** Removes a contact row created by a lost race (see contactCtesFor). */
export const dropRacedContact = (db: Db, workspaceId: number, id: number) =>
  repo.deleteContactRow(db, workspaceId, id);

/** The contact that has this email address, if any (email asks whether mail claims a known customer). */
export const findContactIdByEmail = (db: Db, workspaceId: number, email: string) =>
  repo.findContactIdByIdentity(db, workspaceId, 'email', normEmail(email));

/**
 * Finds the contact for any of the given identities, or creates one: one customer across channels is
 * one contact. Runs inside the caller's transaction.
 */
export async function findOrCreateContact(db: Db, workspaceId: number, m: ContactMatch): Promise<number> {
  const ids: { kind: string; value: string; verified: boolean }[] = [];
  if (m.email) ids.push({ kind: 'email', value: normEmail(m.email), verified: false });
  if (m.phone) ids.push({ kind: 'phone', value: normPhone(m.phone), verified: false });
  for (const i of m.identities ?? [])
    ids.push({ kind: i.kind, value: i.value, verified: i.verified ?? false });
  if (!ids.length) throw badRequest('A contact needs an email, phone or channel identity');
  const single = singleIdentityOf(m);
  if (single) {
    const r = await repo.findOrInsertByIdentity(db, workspaceId, single.identity, single.contact);
    // A concurrent insert won the identity: use theirs so both deliveries land on one contact.
    if (r.created && r.created !== r.id) await repo.deleteContactRow(db, workspaceId, r.created);
    return r.id;
  }
  for (const i of ids) {
    const found = await repo.findContactIdByIdentity(db, workspaceId, i.kind, i.value);
    if (found) {
      for (const j of ids)
        if (j !== i) await repo.addIdentity(db, workspaceId, found, j.kind, j.value, j.verified);
      return found;
    }
  }
  const id = await repo.insertContact(db, workspaceId, {
    name: m.name,
    email: m.email && normEmail(m.email),
    phone: m.phone,
  });
  let owner = id;
  for (const i of ids) owner = await repo.addIdentity(db, workspaceId, id, i.kind, i.value, i.verified);
  // A concurrent insert won the identity: use theirs so both deliveries land on one contact.
  if (owner !== id) {
    await repo.deleteContactRow(db, workspaceId, id);
    return owner;
  }
  return id;
}

export function createContactsService(deps: Deps) {
  const { db } = deps;
  async function get(workspaceId: number, id: number) {
    const c = await repo.findContact(db, workspaceId, id);
    if (!c) throw notFound('Contact');
    return c;
  }
  return {
    async get(auth: Auth, id: number) {
      let c = await get(auth.workspaceId, id);
      // A merged contact's id keeps working: it resolves to the surviving contact.
      if (c.merged_into_id) c = await get(auth.workspaceId, c.merged_into_id);
      return toContact(c);
    },
    async list(auth: Auth, q: string | undefined, limit: number, cursor?: string) {
      const before = cursor ? Number(cursor) : undefined;
      if (cursor && !Number.isInteger(before)) throw badRequest('Bad cursor');
      const rows = await repo.listContacts(db, auth.workspaceId, q, limit + 1, before);
      const items = rows.slice(0, limit).map(toContact);
      return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.id) : null };
    },
    async create(auth: Auth, input: CreateContact) {
      const id = await db.tx(async (tx) => {
        for (const [kind, value] of [
          ['email', input.email && normEmail(input.email)],
          ['phone', input.phone && normPhone(input.phone)],
        ] as const) {
          if (value && (await repo.findContactIdByIdentity(tx, auth.workspaceId, kind, value)))
            throw new AppError('conflict', `A contact with this ${kind} already exists`);
        }
        const id = await repo.insertContact(tx, auth.workspaceId, input);
        if (input.email) await repo.addIdentity(tx, auth.workspaceId, id, 'email', normEmail(input.email));
        if (input.phone) await repo.addIdentity(tx, auth.workspaceId, id, 'phone', normPhone(input.phone));
        for (const i of input.identities ?? []) {
          const owner = await repo.addIdentity(tx, auth.workspaceId, id, i.kind, i.value);
          if (owner !== id)
            throw new AppError('conflict', `Identity ${i.kind}:${i.value} belongs to contact ${owner}`);
        }
        return id;
      });
      return toContact(await get(auth.workspaceId, id));
    },
    async update(auth: Auth, id: number, input: UpdateContact) {
      const before = await get(auth.workspaceId, id);
      if (before.merged_into_id) throw badRequest('This contact was merged; update the surviving contact');
      await db.tx(async (tx) => {
        await repo.updateContactRow(tx, auth.workspaceId, id, {
          name: input.name,
          email: input.email && normEmail(input.email),
          phone: input.phone,
          notes: input.notes,
          tags: input.tags,
          custom_fields: input.customFields,
        });
        for (const [kind, value] of [
          ['email', input.email && normEmail(input.email)],
          ['phone', input.phone && normPhone(input.phone)],
          ...(input.identities ?? []).map((i) => [i.kind, i.value] as const),
        ] as const) {
          if (!value) continue;
          const owner = await repo.addIdentity(tx, auth.workspaceId, id, kind, value);
          if (owner !== id)
            throw new AppError(
              'conflict',
              `${kind} ${value} belongs to contact ${owner}; merge them instead`,
            );
        }
      });
      return toContact(await get(auth.workspaceId, id));
    },
    async merge(auth: Auth, sourceId: number, targetId: number) {
      if (sourceId === targetId) throw badRequest('Cannot merge a contact into itself');
      const events = await db.tx(async (tx) => {
        // Checked under row locks taken in id order: two opposite merges at once (A into B, B into A)
        // serialise here, and the second sees the first one's result instead of forming a cycle.
        const locked = await repo.lockContacts(tx, auth.workspaceId, [sourceId, targetId]);
        const s = locked.find((c) => c.id === sourceId);
        const t = locked.find((c) => c.id === targetId);
        if (!s || !t) throw notFound('Contact');
        if (s.merged_into_id || t.merged_into_id) throw badRequest('One of these contacts is already merged');
        await repo.mergeContactRows(tx, auth.workspaceId, sourceId, targetId);
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'contact.merged',
          targetType: 'contact',
          targetId,
          data: { sourceId, targetId },
        });
        return deps.bus.stage(tx, [
          {
            name: 'contact.merged',
            workspaceId: auth.workspaceId,
            actorAgentId: auth.agentId,
            data: { sourceId, targetId },
          },
        ]);
      });
      await deps.bus.publishMany(events);
      return toContact(await get(auth.workspaceId, targetId));
    },
    async remove(auth: Auth, id: number) {
      await get(auth.workspaceId, id);
      await db.tx(async (tx) => {
        try {
          await repo.deleteContactRow(tx, auth.workspaceId, id);
        } catch {
          throw new AppError('conflict', 'This contact has tickets; merge it into another contact instead');
        }
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'contact.deleted',
          targetType: 'contact',
          targetId: id,
        });
      });
    },
    idsIncludingMerged: (workspaceId: number, id: number) =>
      repo.contactIdsIncludingMerged(db, workspaceId, id),
  };
}
export type ContactsService = ReturnType<typeof createContactsService>;
