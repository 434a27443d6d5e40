import { z } from 'zod';
import { Id, Timestamp } from './common.ts';

/** Imports from other helpdesks (docs/integrations.md "Imports", docs/migrating.md). */
export const IMPORT_SOURCES = ['zendesk', 'csv'] as const;
export const ImportSource = z.enum(IMPORT_SOURCES);
export type ImportSource = z.infer<typeof ImportSource>;

export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export const ImportStatus = z.enum(IMPORT_STATUSES);

/** Start an import: Zendesk with an API token, or a CSV text in the documented format. */
export const CreateImport = z.discriminatedUnion('source', [
  z.object({
    source: z.literal('zendesk'),
    /** https://<subdomain>.zendesk.com (or the account's host mapping). */
    url: z.string().trim().url().max(300),
    email: z.string().trim().email().max(320),
    token: z.string().trim().min(8).max(200),
    /** Tickets per page of the incremental export (Zendesk allows up to 1000). */
    pageSize: z.number().int().min(1).max(1000).optional(),
  }),
  z.object({
    source: z.literal('csv'),
    /** The file's text: one row per message (header row required, see docs/migrating.md). */
    csv: z
      .string()
      .min(1)
      .max(10 * 1024 * 1024),
    filename: z.string().trim().max(200).optional(),
  }),
]);
export type CreateImport = z.infer<typeof CreateImport>;

export const ImportRun = z.object({
  id: Id,
  source: ImportSource,
  status: ImportStatus,
  /** Where it reads from (a Zendesk URL, a CSV file name); never a credential. */
  label: z.string(),
  pages: z.number().int(),
  ticketsImported: z.number().int(),
  ticketsSkipped: z.number().int(),
  messagesImported: z.number().int(),
  /** Tickets the source says it has, when it says so (progress bar). */
  ticketsTotal: z.number().int().nullable(),
  errorCount: z.number().int(),
  errors: z.array(z.object({ at: Timestamp, item: z.string().nullable(), message: z.string() })),
  lastError: z.string().nullable(),
  startedBy: Id.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type ImportRun = z.infer<typeof ImportRun>;
