import { z } from 'zod';
import { withoutTrailingSlashes } from '../../platform/http/outbound.ts';
import type { ImportedMessage } from '../tickets/index.ts';
import { dateOr, type ImportSourceDef, type SourceTicket } from './import-source.ts';

/**
 * Zendesk, through its documented REST API:
 * - tickets: the cursor-based incremental export (`/api/v2/incremental/tickets/cursor.json`, then
 *   `cursor=<after_cursor>` until `end_of_stream`); the last `after_cursor` is also where a later delta
 *   sync starts;
 * - comments per ticket (`/api/v2/tickets/<id>/comments.json`, cursor pagination `page[size]`);
 * - requesters, comment authors and organizations by `show_many` (100 ids a call).
 * Responses are read loosely (zod with passthrough defaults): fields Zendesk adds never break an import.
 */
const ZTicket = z.object({
  id: z.union([z.number(), z.string()]).transform(String),
  subject: z.string().nullish(),
  description: z.string().nullish(),
  status: z.string().nullish(),
  priority: z.string().nullish(),
  requester_id: z.union([z.number(), z.string()]).nullish(),
  organization_id: z.union([z.number(), z.string()]).nullish(),
  tags: z.array(z.string()).nullish(),
  via: z.object({ channel: z.string().nullish() }).nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  satisfaction_rating: z
    .object({ score: z.string().nullish(), comment: z.string().nullish() })
    .passthrough()
    .nullish(),
});
const ExportPage = z.object({
  tickets: z.array(ZTicket),
  after_cursor: z.string().nullish(),
  end_of_stream: z.boolean().nullish(),
});
const ZComment = z.object({
  id: z.union([z.number(), z.string()]).transform(String),
  author_id: z.union([z.number(), z.string()]).nullish(),
  body: z.string().nullish(),
  html_body: z.string().nullish(),
  plain_body: z.string().nullish(),
  public: z.boolean().nullish(),
  created_at: z.string().nullish(),
  attachments: z
    .array(
      z.object({
        file_name: z.string().nullish(),
        content_url: z.string().nullish(),
        content_type: z.string().nullish(),
        size: z.number().nullish(),
      }),
    )
    .nullish(),
});
const CommentsPage = z.object({
  comments: z.array(ZComment),
  next_page: z.string().nullish(),
  meta: z.object({ has_more: z.boolean().nullish(), after_cursor: z.string().nullish() }).nullish(),
});
const ZUser = z.object({
  id: z.union([z.number(), z.string()]).transform(String),
  name: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  role: z.string().nullish(),
});
const ZOrg = z.object({
  id: z.union([z.number(), z.string()]).transform(String),
  name: z.string().nullish(),
});

const STATUS: Record<string, SourceTicket['status']> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  hold: 'on-hold',
  solved: 'solved',
  closed: 'closed',
};
const PRIORITY: Record<string, SourceTicket['priority']> = {
  low: 'low',
  normal: 'normal',
  high: 'high',
  urgent: 'urgent',
};
const MAX_COMMENT_PAGES = 50;

export const zendeskSource: ImportSourceDef = {
  name: 'zendesk',
  async fetchPage(ctx) {
    const root = withoutTrailingSlashes(String(ctx.settings.url));
    const perPage = Number(ctx.settings.pageSize ?? 100);
    const c = ctx.credentials ?? {};
    const headers = {
      authorization: `Basic ${Buffer.from(`${c.email}/token:${c.token}`).toString('base64')}`,
      accept: 'application/json',
    };
    const get = async <T>(schema: z.ZodType<T>, path: string) =>
      schema.parse(await ctx.get(`${root}${path}`, headers));
    const page = await get(
      ExportPage,
      ctx.cursor
        ? `/api/v2/incremental/tickets/cursor.json?cursor=${encodeURIComponent(ctx.cursor)}&per_page=${perPage}`
        : `/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=${perPage}`,
    );
    const known = await ctx.known(page.tickets.map((t) => t.id));
    const todo = page.tickets.filter((t) => !known.has(t.id) && t.status !== 'deleted');
    const comments = new Map<string, z.infer<typeof ZComment>[]>();
    for (const t of todo) comments.set(t.id, await ticketComments(get, t.id));
    const userIds = new Set<string>();
    for (const t of todo) {
      if (t.requester_id) userIds.add(String(t.requester_id));
      for (const cm of comments.get(t.id) ?? []) if (cm.author_id) userIds.add(String(cm.author_id));
    }
    const users = await showMany(get, 'users', ZUser, [...userIds]);
    const orgIds = [
      ...new Set(
        todo
          .map((t) => t.organization_id)
          .filter((x) => x != null)
          .map(String),
      ),
    ];
    const orgs = await showMany(get, 'organizations', ZOrg, orgIds);
    const tickets = page.tickets.map((t): SourceTicket => {
      const created = dateOr(t.created_at, new Date());
      const requester = t.requester_id ? users.get(String(t.requester_id)) : undefined;
      const org = t.organization_id ? orgs.get(String(t.organization_id)) : undefined;
      const base: SourceTicket = {
        externalId: t.id,
        subject: t.subject || (t.description ?? '').slice(0, 80) || '(no subject)',
        status: STATUS[t.status ?? ''] ?? 'open',
        priority: PRIORITY[t.priority ?? ''] ?? 'normal',
        channel: 'email',
        tags: [...(t.tags ?? []), ...(org?.name ? [`org:${org.name}`] : [])],
        createdAt: created,
        updatedAt: dateOr(t.updated_at, created),
        requester: requester
          ? { name: requester.name ?? null, email: requester.email ?? null, phone: requester.phone ?? null }
          : null,
        messages: [],
        extra: {
          url: `${root}/agent/tickets/${t.id}`,
          ...(org?.name ? { organization: org.name } : {}),
          ...(t.via?.channel ? { via: t.via.channel } : {}),
          ...(t.satisfaction_rating?.score && t.satisfaction_rating.score !== 'unoffered'
            ? {
                satisfaction: {
                  score: t.satisfaction_rating.score,
                  comment: t.satisfaction_rating.comment ?? null,
                },
              }
            : {}),
        },
      };
      if (known.has(t.id)) return { ...base, skipReason: 'already imported' };
      if (t.status === 'deleted') return { ...base, skipReason: 'deleted in Zendesk' };
      base.messages = (comments.get(t.id) ?? []).map((cm): ImportedMessage => {
        const author = cm.author_id ? users.get(String(cm.author_id)) : undefined;
        const byCustomer =
          String(cm.author_id) === String(t.requester_id) || (author?.role ?? 'end-user') === 'end-user';
        return {
          kind: cm.public === false ? 'note' : byCustomer ? 'inbound' : 'outbound',
          bodyText: cm.plain_body ?? cm.body ?? '',
          bodyHtml: cm.html_body ?? null,
          createdAt: dateOr(cm.created_at, created),
          externalId: `zendesk:${t.id}:${cm.id}`,
          author: { name: author?.name ?? null, email: author?.email ?? null },
          attachments: (cm.attachments ?? []).map((a) => ({
            filename: a.file_name ?? 'attachment',
            url: a.content_url ?? null,
            size: a.size ?? null,
            contentType: a.content_type ?? null,
          })),
        };
      });
      return base;
    });
    return {
      tickets,
      cursor: page.after_cursor ?? ctx.cursor,
      done: page.end_of_stream !== false,
      total: null,
    };
  },
};

async function ticketComments(get: <T>(schema: z.ZodType<T>, path: string) => Promise<T>, ticketId: string) {
  const out: z.infer<typeof ZComment>[] = [];
  let path: string | null = `/api/v2/tickets/${encodeURIComponent(ticketId)}/comments.json?page[size]=100`;
  for (let i = 0; path && i < MAX_COMMENT_PAGES; i++) {
    const p: z.infer<typeof CommentsPage> = await get(CommentsPage, path);
    out.push(...p.comments);
    // Cursor pagination (meta.has_more + after_cursor); an offset page's next_page as a fallback.
    path =
      p.meta?.has_more && p.meta.after_cursor
        ? `/api/v2/tickets/${encodeURIComponent(ticketId)}/comments.json?page[size]=100&page[after]=${encodeURIComponent(p.meta.after_cursor)}`
        : p.next_page
          ? new URL(p.next_page).pathname + new URL(p.next_page).search
          : null;
  }
  return out;
}

async function showMany<T extends { id: string }>(
  get: <U>(schema: z.ZodType<U>, path: string) => Promise<U>,
  kind: 'users' | 'organizations',
  schema: z.ZodType<T>,
  ids: string[],
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const body = await get(
      z.object({ [kind]: z.array(schema) }) as unknown as z.ZodType<Record<string, T[]>>,
      `/api/v2/${kind}/show_many.json?ids=${chunk.map(encodeURIComponent).join(',')}`,
    );
    for (const x of body[kind] ?? []) out.set(x.id, x);
  }
  return out;
}
