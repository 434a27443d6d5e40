/** Reads other modules need (commerce sums a customer's orders across merged contacts). */
export {
  anonymiseContacts,
  contactCard,
  contactIdsIncludingMerged,
  findContactIdByIdentity,
} from './contacts.repository.ts';
export { registerContactRoutes } from './contacts.routes.ts';
export {
  type ContactMatch,
  type ContactsService,
  contactCtesFor,
  createContactsService,
  dropRacedContact,
  findContactIdByEmail,
  findOrCreateContact,
  toContact,
} from './contacts.service.ts';
