import { type Db, sql } from '../../platform/db/db.ts';

export const pingDb = (db: Db) => db.one(sql`SELECT 1 AS ok`);
