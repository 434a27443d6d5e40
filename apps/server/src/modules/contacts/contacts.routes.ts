import {
  Contact,
  CreateContact,
  ListContactsQuery,
  MergeContacts,
  Page,
  UpdateContact,
} from '@shopdesk/contracts';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { ContactsService } from './contacts.service.ts';

export function registerContactRoutes(r: Router, svc: ContactsService) {
  r.add({
    method: 'GET',
    url: '/api/v1/contacts',
    summary: 'List or search contacts (name, email, phone)',
    tag: 'Contacts',
    access: 'read-only',
    query: ListContactsQuery,
    response: Page(Contact),
    handler: async ({ auth, query }) => svc.list(auth, query.q, query.limit, query.cursor),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/contacts',
    summary: 'Create a contact',
    tag: 'Contacts',
    access: 'agent',
    body: CreateContact,
    response: Contact,
    status: 201,
    idempotent: true,
    handler: async ({ auth, body }) => svc.create(auth, body),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/contacts/:id',
    summary: 'Get a contact with its identities',
    tag: 'Contacts',
    access: 'read-only',
    params: IdParams,
    response: Contact,
    handler: async ({ auth, params }) => svc.get(auth, params.id),
  });
  r.add({
    method: 'PATCH',
    url: '/api/v1/contacts/:id',
    summary: 'Update a contact',
    tag: 'Contacts',
    access: 'agent',
    params: IdParams,
    body: UpdateContact,
    response: Contact,
    handler: async ({ auth, params, body }) => svc.update(auth, params.id, body),
  });
  r.add({
    method: 'DELETE',
    url: '/api/v1/contacts/:id',
    summary: 'Delete a contact without tickets (admin)',
    tag: 'Contacts',
    access: 'admin',
    params: IdParams,
    handler: async ({ auth, params }) => svc.remove(auth, params.id),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/contacts/merge',
    summary: 'Merge one contact into another (identities, tickets and notes move to the target)',
    tag: 'Contacts',
    access: 'agent',
    body: MergeContacts,
    response: Contact,
    handler: async ({ auth, body }) => svc.merge(auth, body.sourceId, body.targetId),
  });
}
