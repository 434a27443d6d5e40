export { registerViewRoutes } from './views.routes.ts';
export { createViewsService, getViewFilters, type ViewsService } from './views.service.ts';
