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
