import type { TicketQuery, ViewT } from '../../lib/api.ts';
import { CHANNELS } from '../../ui/format.ts';

export type InboxCounts = {
  myOpen: number;
  unassigned: number;
  allOpen: number;
  pending: number;
  onHold: number;
  solved: number;
  byChannel: Record<string, number>;
  byTeam: Record<string, number>;
};

export type ViewDef = { key: string; label: string; query: TicketQuery; count?: number; group: string };

const ACTIVE = 'active';

/** Built-in views first, then per channel/team (only those with open tickets), then saved views. */
export function buildViews(
  counts: InboxCounts | undefined,
  teams: { id: number; name: string }[],
  saved: ViewT[],
): ViewDef[] {
  const v: ViewDef[] = [
    {
      key: 'my-open',
      label: 'My open',
      group: 'Inbox',
      query: { assignee: 'me', status: ACTIVE },
      count: counts?.myOpen,
    },
    {
      key: 'unassigned',
      label: 'Unassigned',
      group: 'Inbox',
      query: { assignee: 'none', status: ACTIVE },
      count: counts?.unassigned,
    },
    { key: 'all-open', label: 'All open', group: 'Inbox', query: { status: ACTIVE }, count: counts?.allOpen },
    {
      key: 'pending',
      label: 'Pending',
      group: 'Inbox',
      query: { status: 'pending' },
      count: counts?.pending,
    },
    { key: 'on-hold', label: 'On hold', group: 'Inbox', query: { status: 'on-hold' }, count: counts?.onHold },
    { key: 'solved', label: 'Solved', group: 'Inbox', query: { status: 'solved' }, count: counts?.solved },
  ];
  for (const c of CHANNELS)
    if (counts?.byChannel[c])
      v.push({
        key: `channel-${c}`,
        label: c[0]!.toUpperCase() + c.slice(1),
        group: 'Channels',
        query: { channel: c, status: ACTIVE },
        count: counts.byChannel[c],
      });
  for (const t of teams)
    v.push({
      key: `team-${t.id}`,
      label: t.name,
      group: 'Teams',
      query: { team: String(t.id), status: ACTIVE },
      count: counts?.byTeam[String(t.id)] ?? 0,
    });
  for (const s of saved)
    v.push({
      key: `view-${s.id}`,
      label: s.name,
      group: s.shared ? 'Shared views' : 'My views',
      query: { view: s.id },
      count: s.count,
    });
  return v;
}
