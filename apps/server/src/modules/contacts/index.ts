export { registerContactRoutes } from './contacts.routes.ts';
export {
  type ContactMatch,
  type ContactsService,
  createContactsService,
  findOrCreateContact,
  toContact,
} from './contacts.service.ts';
