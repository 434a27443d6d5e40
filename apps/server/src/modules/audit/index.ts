export { type AuditInput, insertAudit as recordAudit } from './audit.repository.ts';
export { registerAuditRoutes } from './audit.routes.ts';
