export * from './agents.ts';
export * from './common.ts';
export * from './contacts.ts';
export * from './macros.ts';
export * from './misc.ts';
export * from './realtime.ts';
export * from './sla.ts';
export * from './tickets.ts';
