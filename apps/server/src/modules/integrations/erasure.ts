import { z } from 'zod';
import type { Db } from '../../platform/db/db.ts';
import { notFound } from '../../platform/errors.ts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import { recordAudit } from '../audit/index.ts';
import { anonymiseContacts, contactIdsIncludingMerged } from '../contacts/index.ts';
import { eraseTicketsOfContacts } from '../tickets/index.ts';

const ErasureResult = z.object({
  contactId: z.number().int(),
  contacts: z.number().int(),
  tickets: z.number().int(),
  messages: z.number().int(),
  attachments: z.number().int(),
});

/**
 * Right to be forgotten for one customer (docs/integrations.md "Erasure"): the contact and the contacts
 * merged into it are anonymised, their tickets' messages redacted and attachments removed, through the
 * owners' index.ts, in one transaction. The audit entry says who erased which contact id and how much —
 * nothing personal.
 */
export function registerErasureRoutes(r: Router, db: Db) {
  r.add({
    method: 'POST',
    url: '/api/v1/contacts/:id/erase',
    summary: 'Erase a customer: anonymise the contact, redact their messages, remove their attachments',
    tag: 'Contacts',
    access: 'admin',
    params: IdParams,
    response: ErasureResult,
    handler: async ({ auth, params }) =>
      db.tx(async (tx) => {
        const ids = await contactIdsIncludingMerged(tx, auth.workspaceId, params.id);
        if (!ids.length) throw notFound('Contact');
        const done = await eraseTicketsOfContacts(tx, auth.workspaceId, ids);
        await anonymiseContacts(tx, auth.workspaceId, ids);
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'contact.erased',
          targetType: 'contact',
          targetId: params.id,
          data: { contacts: ids.length, ...done },
        });
        return { contactId: params.id, contacts: ids.length, ...done };
      }),
  });
}
