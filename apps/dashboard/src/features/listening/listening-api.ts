import { request } from '../../lib/api.ts';

export type MentionT = {
  id: number;
  source: string;
  sourceLabel: string;
  externalId: string;
  author: string;
  authorHandle: string | null;
  text: string;
  link: string | null;
  postedAt: string;
  language: string | null;
  rating: number | null;
  sentiment: 'negative' | 'neutral' | 'positive';
  sentimentScore: number;
  sentimentReasons: { phrase: string; weight: number }[];
  matchedKeywords: string[];
  status: string;
  canReply: boolean;
  contactId: number | null;
  order: {
    id: number;
    number: string;
    totalMinor: number;
    currency: string;
    status: string;
    fulfillmentStatus: string;
    placedAt: string;
  } | null;
  ticketId: number | null;
  repliedAt: string | null;
};
export type SourceT = {
  id: number;
  kind: string;
  label: string;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  keywords: string[];
  hasSecrets: boolean;
  canReply: boolean;
  cursor: string | null;
  lastPolledAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  pausedUntil: string | null;
};
export type SourceKindT = { kind: string; label: string; canReply: boolean; needsSecrets: boolean };
export type MentionFilter = { source: string; sentiment: string; status: string; recovery: boolean };

/** The listening endpoints (server: modules/listening, docs/listening.md). */
export const listeningApi = {
  mentions: (f: MentionFilter) => {
    const q = new URLSearchParams({ limit: '100' });
    if (f.source) q.set('source', f.source);
    if (f.sentiment) q.set('sentiment', f.sentiment);
    if (f.status) q.set('status', f.status);
    if (f.recovery) q.set('recovery', 'true');
    return request<{ items: MentionT[] }>('GET', `/api/v1/listening/mentions?${q}`);
  },
  bulk: (ids: number[], action: 'review' | 'ignore' | 'reopen' | 'create-ticket') =>
    request<{ updated: number }>('POST', '/api/v1/listening/mentions/bulk', { ids, action }),
  ticket: (id: number) => request<{ ticketId: number }>('POST', `/api/v1/listening/mentions/${id}/ticket`),
  reply: (id: number, body: string) =>
    request<{ ticketId: number }>('POST', `/api/v1/listening/mentions/${id}/reply`, { body }),
  kinds: () => request<{ items: SourceKindT[] }>('GET', '/api/v1/listening/kinds'),
  sources: () => request<{ items: SourceT[] }>('GET', '/api/v1/listening/sources'),
  createSource: (body: Record<string, unknown>) =>
    request<SourceT>('POST', '/api/v1/listening/sources', body),
  updateSource: (id: number, body: Record<string, unknown>) =>
    request<SourceT>('PATCH', `/api/v1/listening/sources/${id}`, body),
  removeSource: (id: number) => request<void>('DELETE', `/api/v1/listening/sources/${id}`),
};
