export { listenMetrics, METRICS_REFRESH_MS, registerSystemRoutes } from './system.routes.ts';
