import { type Db, sql } from '../../platform/db/db.ts';

/** Orders a public mention or review names (modules/listening): by number key, with their customer. */
export const ordersByNumberKeys = (db: Db, workspaceId: number, keys: string[]) =>
  keys.length
    ? db.query<{
        id: number;
        number: string;
        contact_id: number | null;
        email: string | null;
        total_minor: number;
        currency: string;
        status: string;
        fulfillment_status: string;
        placed_at: Date;
      }>(sql`
    SELECT id, number, contact_id, email, total_minor::bigint AS total_minor, currency, status, fulfillment_status, placed_at
    FROM orders WHERE workspace_id = ${workspaceId} AND number_key = ANY(${keys}::text[])
    ORDER BY placed_at DESC LIMIT 5`)
    : Promise.resolve([]);

/** One order's summary for the Mentions inbox (the order a review is about). */
export const orderSummary = (db: Db, workspaceId: number, id: number) =>
  db.one<{
    id: number;
    number: string;
    email: string | null;
    total_minor: number;
    currency: string;
    status: string;
    fulfillment_status: string;
    placed_at: Date;
  }>(sql`
    SELECT id, number, email, total_minor::bigint AS total_minor, currency, status, fulfillment_status, placed_at
    FROM orders WHERE workspace_id = ${workspaceId} AND id = ${id}`);
