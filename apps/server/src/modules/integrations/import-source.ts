import type { ImportedMessage, ImportedTicket } from '../tickets/index.ts';

/** One ticket as a source hands it over, mapped to Shopdesk's words; the service writes it. */
export interface SourceTicket {
  externalId: string;
  /** Set when the source's record is not imported (a deleted ticket …): counted as skipped. */
  skipReason?: string;
  subject: string;
  status: ImportedTicket['status'];
  priority: ImportedTicket['priority'];
  channel: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  requester: { name: string | null; email: string | null; phone: string | null } | null;
  messages: ImportedMessage[];
  /** Anything else worth keeping on the ticket's `imported` entry (satisfaction rating, organization …). */
  extra: Record<string, unknown>;
}

export interface SourcePage {
  tickets: SourceTicket[];
  /** Where the next page starts (stored as the run's checkpoint). */
  cursor: string | null;
  done: boolean;
  /** Tickets the source says it holds, when it says (progress bar). */
  total: number | null;
}

/** What a page fetch gets: the run's settings and credentials, and the ids imported before. */
export interface PageContext {
  settings: Record<string, unknown>;
  credentials: Record<string, string> | null;
  cursor: string | null;
  /** Source ids already in the map: the source may skip fetching their details. */
  known: (ids: string[]) => Promise<Set<string>>;
  /** GET through platform/http/outbound.ts with the workspace's policy, retries and rate-limit waits. */
  get: (url: string, headers: Record<string, string>) => Promise<unknown>;
  /** The CSV text of a file import. */
  file: () => Promise<string>;
}

export interface ImportSourceDef {
  name: 'zendesk' | 'csv';
  fetchPage(ctx: PageContext): Promise<SourcePage>;
}

/** Thrown when the source refuses for good (bad credentials, a 404 account): the run fails at once. */
export class SourceRefused extends Error {}

/** A date the source sent, or the fallback when it is missing or not a date. */
export function dateOr(v: unknown, fallback: Date): Date {
  if (typeof v !== 'string' && typeof v !== 'number') return fallback;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? fallback : d;
}
