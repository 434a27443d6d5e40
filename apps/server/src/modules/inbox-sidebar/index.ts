export { registerInboxRoutes } from './sidebar.routes.ts';
export { createInboxService } from './sidebar.service.ts';
