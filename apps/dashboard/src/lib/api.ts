/**
 * The typed API client. Request and response types are the zod-inferred types of `@shopdesk/contracts`
 * (imported as types only, so the schemas never weigh on the bundle). Every write carries the session's
 * CSRF token; a 401 anywhere tells the session layer to ask for sign-in again *without* unmounting the
 * app, so an unsent draft survives an expired session.
 */
import type {
  AccountLink,
  AccountLinkInfo,
  Agent,
  ApiToken,
  AuditEntry,
  BulkUpdate,
  Contact,
  CreateAgent,
  CreateApiToken,
  CreateCustomField,
  CreatedApiToken,
  CreateTag,
  CreateTeam,
  CreateView,
  CustomFieldDef,
  LinkTickets,
  ListTicketsQuery,
  Me,
  Message,
  NoteInput,
  ReplyInput,
  SearchResult,
  Tag,
  Team,
  TicketDetail,
  TicketSummary,
  UpdateAgent,
  UpdateContact,
  UpdateTeam,
  UpdateTicket,
  UpdateView,
  UploadAvatar,
  View,
} from '@shopdesk/contracts';
import type { z } from 'zod';

type In<T extends z.ZodType> = z.input<T>;
type Out<T extends z.ZodType> = z.output<T>;

export type AgentT = Out<typeof Agent>;
export type TeamT = Out<typeof Team>;
export type MeT = Out<typeof Me>;
export type ContactT = Out<typeof Contact>;
export type TicketSummaryT = Out<typeof TicketSummary>;
export type TicketDetailT = Out<typeof TicketDetail>;
export type MessageT = Out<typeof Message>;
export type ViewT = Out<typeof View>;
export type TagT = Out<typeof Tag>;
export type CustomFieldT = Out<typeof CustomFieldDef>;
export type ApiTokenT = Out<typeof ApiToken>;
/** Audit log filters: an agent id or 'system', an action or a family ('auth.'), ISO times. */
export type AuditFilterT = { actor?: number | 'system'; action?: string; from?: string; to?: string };
export type AuditEntryT = Out<typeof AuditEntry>;
export type SearchResultT = Out<typeof SearchResult>;
export type TicketQuery = Partial<In<typeof ListTicketsQuery>>;
export type Page<T> = { items: T[]; nextCursor: string | null };

export type Notification = {
  id: number;
  type: string;
  ticketId: number | null;
  messageId: number | null;
  data: Record<string, unknown>;
  readAt: string | null;
  createdAt: string;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Listener = () => void;
let csrfToken: string | null = null;
const unauthorizedListeners = new Set<Listener>();

export const setCsrfToken = (t: string | null) => {
  csrfToken = t;
};
/** Called on any 401 from a signed-in request (session expired or revoked). */
export const onUnauthorized = (fn: Listener) => {
  unauthorizedListeners.add(fn);
  return () => {
    unauthorizedListeners.delete(fn);
  };
};

export type Query = Record<string, string | number | boolean | undefined | null>;

export const qs = (q?: Query) => {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { quiet401?: boolean; signal?: AbortSignal } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal: opts.signal,
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
      ?.error;
    if (res.status === 401 && !opts.quiet401) for (const fn of unauthorizedListeners) fn();
    throw new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ?? res.statusText,
      err?.details,
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { error: { code: 'bad_response', message: text.slice(0, 200) } };
  }
}

const get = <T>(path: string, q?: Query, signal?: AbortSignal) =>
  request<T>('GET', `${path}${qs(q)}`, undefined, { signal });
const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});
const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, body);
const del = <T = void>(path: string) => request<T>('DELETE', path);

/** One function per endpoint the dashboard uses; features add their own beside their code. */
export const api = {
  get,
  post,
  patch,
  del,
  auth: {
    me: () => request<MeT>('GET', '/api/v1/auth/me', undefined, { quiet401: true }),
    login: (b: { email: string; password: string; workspace?: string }) =>
      request<{ mfaRequired: boolean; csrfToken: string }>('POST', '/api/v1/auth/login', b, {
        quiet401: true,
      }),
    verifyTotp: (code: string) =>
      request<unknown>('POST', '/api/v1/auth/totp/verify', { code }, { quiet401: true }),
    logout: () => request<void>('POST', '/api/v1/auth/logout', {}, { quiet401: true }),
    enrolTotp: () => post<{ secret: string; otpauthUrl: string }>('/api/v1/auth/totp/enrol'),
    confirmTotp: (code: string) => post<{ recoveryCodes: string[] }>('/api/v1/auth/totp/confirm', { code }),
    disableTotp: (code: string) => post<void>('/api/v1/auth/totp/disable', { code }),
    inspectLink: (token: string) =>
      request<AccountLinkInfo>('POST', '/api/v1/auth/links/inspect', { token }, { quiet401: true }),
    acceptInvite: (token: string, password: string) =>
      request<{ mfaRequired: boolean; csrfToken: string }>(
        'POST',
        '/api/v1/auth/invite/accept',
        { token, password },
        { quiet401: true },
      ),
    forgotPassword: (email: string, workspace?: string) =>
      request<void>('POST', '/api/v1/auth/password/forgot', { email, workspace }, { quiet401: true }),
    resetPassword: (token: string, password: string) =>
      request<void>('POST', '/api/v1/auth/password/reset', { token, password }, { quiet401: true }),
  },
  agents: {
    list: () => get<{ items: AgentT[] }>('/api/v1/agents'),
    create: (b: In<typeof CreateAgent>) => post<AgentT>('/api/v1/agents', b),
    invite: (id: number) => post<AccountLink>(`/api/v1/agents/${id}/invite`),
    update: (id: number, b: In<typeof UpdateAgent>) => patch<AgentT>(`/api/v1/agents/${id}`, b),
    setAvatar: (id: number, b: In<typeof UploadAvatar>) =>
      request<AgentT>('PUT', `/api/v1/agents/${id}/avatar`, b),
    removeAvatar: (id: number) => del<AgentT>(`/api/v1/agents/${id}/avatar`),
  },
  teams: {
    list: () => get<{ items: TeamT[] }>('/api/v1/teams'),
    create: (b: In<typeof CreateTeam>) => post<TeamT>('/api/v1/teams', b),
    update: (id: number, b: In<typeof UpdateTeam>) => patch<TeamT>(`/api/v1/teams/${id}`, b),
    remove: (id: number) => del(`/api/v1/teams/${id}`),
  },
  tokens: {
    list: () => get<{ items: ApiTokenT[] }>('/api/v1/tokens'),
    create: (b: In<typeof CreateApiToken>) => post<Out<typeof CreatedApiToken>>('/api/v1/tokens', b),
    revoke: (id: number) => del(`/api/v1/tokens/${id}`),
  },
  tickets: {
    list: (q: TicketQuery, signal?: AbortSignal) =>
      get<Page<TicketSummaryT>>('/api/v1/tickets', q as Query, signal),
    count: (q: TicketQuery) => get<{ count: number }>('/api/v1/tickets/count', q as Query),
    get: (id: number) => get<TicketDetailT>(`/api/v1/tickets/${id}`),
    update: (id: number, b: In<typeof UpdateTicket>) => patch<TicketSummaryT>(`/api/v1/tickets/${id}`, b),
    bulk: (b: In<typeof BulkUpdate>) => post<{ updated: number }>('/api/v1/tickets/bulk', b),
    reply: (id: number, b: In<typeof ReplyInput>) => post<MessageT>(`/api/v1/tickets/${id}/replies`, b),
    note: (id: number, b: In<typeof NoteInput>) => post<MessageT>(`/api/v1/tickets/${id}/notes`, b),
    merge: (sourceId: number, targetId: number) =>
      post<unknown>('/api/v1/tickets/merge', { sourceId, targetId }),
    link: (id: number, b: In<typeof LinkTickets>) => post<unknown>(`/api/v1/tickets/${id}/links`, b),
  },
  contacts: {
    get: (id: number) => get<ContactT>(`/api/v1/contacts/${id}`),
    update: (id: number, b: In<typeof UpdateContact>) => patch<ContactT>(`/api/v1/contacts/${id}`, b),
    tickets: (id: number, q?: Query) => get<Page<TicketSummaryT>>(`/api/v1/contacts/${id}/tickets`, q),
  },
  views: {
    list: (counts = false) => get<{ items: ViewT[] }>('/api/v1/views', { counts }),
    create: (b: In<typeof CreateView>) => post<ViewT>('/api/v1/views', b),
    update: (id: number, b: In<typeof UpdateView>) => patch<ViewT>(`/api/v1/views/${id}`, b),
    remove: (id: number) => del(`/api/v1/views/${id}`),
  },
  tags: {
    list: () => get<{ items: TagT[] }>('/api/v1/tags'),
    create: (b: In<typeof CreateTag>) => post<TagT>('/api/v1/tags', b),
    remove: (name: string) => del(`/api/v1/tags/${encodeURIComponent(name)}`),
  },
  customFields: {
    list: () => get<{ items: CustomFieldT[] }>('/api/v1/custom-fields'),
    create: (b: In<typeof CreateCustomField>) => post<CustomFieldT>('/api/v1/custom-fields', b),
    remove: (id: number) => del(`/api/v1/custom-fields/${id}`),
  },
  search: (q: string, limit = 20) => get<SearchResultT>('/api/v1/search', { q, limit }),
  notifications: {
    list: () => get<{ items: Notification[] }>('/api/v1/notifications'),
    read: (ids: number[] | 'all') => post<void>('/api/v1/notifications/read', { ids }),
  },
  auditLog: (before?: number, filter: AuditFilterT = {}) =>
    get<{ items: AuditEntryT[] }>('/api/v1/audit-log', { limit: 100, before, ...filter }),
};
