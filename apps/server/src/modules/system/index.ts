export { listenMetrics, registerSystemRoutes } from './system.routes.ts';
