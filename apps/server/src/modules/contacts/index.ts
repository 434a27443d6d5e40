export { registerContactRoutes } from './contacts.routes.ts';
export {
  type ContactMatch,
  type ContactsService,
  contactCtesFor,
  createContactsService,
  dropRacedContact,
  findOrCreateContact,
  toContact,
} from './contacts.service.ts';
