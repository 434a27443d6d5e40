import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Db } from './db/db.ts';
import type { EventBus } from './events/bus.ts';
import type { RateLimits } from './http/rate-limit.ts';
import type { JobRunner } from './jobs/queue.ts';
import type { FileStore } from './storage/file-store.ts';

/** What every module service is built from; assembled once in app.ts. */
export interface Deps {
  config: Config;
  db: Db;
  bus: EventBus;
  log: Logger;
  files: FileStore;
  jobs: JobRunner;
  /** The one rate limiter (platform/http/rate-limit.ts): shared across nodes on PostgreSQL. */
  limits: RateLimits;
}
