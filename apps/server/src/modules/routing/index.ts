export { createPresenceTracker, type PresenceTracker } from './presence-tracker.ts';
export { routingSweepJob, scheduleRoutingSweep } from './routing.jobs.ts';
export { registerRoutingListeners } from './routing.listeners.ts';
export { registerRoutingRoutes } from './routing.routes.ts';
export { createRoutingService, type RoutingService } from './routing.service.ts';
