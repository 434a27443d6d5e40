import type { TicketStatus } from '@shopdesk/contracts';

export const STATUSES: TicketStatus[] = ['new', 'open', 'pending', 'on-hold', 'solved', 'closed'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const CHANNELS = [
  'email',
  'chat',
  'sms',
  'voice',
  'messenger',
  'instagram',
  'whatsapp',
  'web',
  'api',
] as const;

export const channelIcon: Record<string, string> = {
  // Glyphs present in common system fonts (no emoji font needed).
  email: '✉',
  chat: '✎',
  sms: '☏',
  voice: '☎',
  messenger: 'M',
  instagram: 'IG',
  whatsapp: 'WA',
  web: '◎',
  api: '⚙',
};

/** "3m", "2h", "4d" — compact waiting times for lists. */
export function ago(iso: string | null | undefined, now = Date.now()) {
  if (!iso) return '';
  const s = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export const dateTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const bytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1048576).toFixed(1)} MB`;
