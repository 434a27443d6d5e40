import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import type { TicketDetailT, TicketSummaryT } from '../../lib/api.ts';
import { countdown, metricLabel, type SlaTicketStateT } from './sla-api.ts';
import { clockNow, loadSlaState, subscribeClock } from './sla-batch.ts';
import './sla.css';
import { ClockIcon } from '../../ui/icons.tsx';

const SHORT: Record<string, string> = { first_response: 'FRT', next_response: 'NRT', resolution: 'RES' };

/** The row's most pressing open SLA target, counting down each second; red once it is breached. */
export default function SlaListBadge({ ticket }: { ticket: TicketSummaryT | TicketDetailT }) {
  // Under ['tickets', …] so the list's realtime refreshes refetch it too (batched again by the loader).
  const q = useQuery({
    queryKey: ['tickets', 'sla-state', ticket.id, ticket.version],
    queryFn: () => loadSlaState(ticket.id),
    staleTime: 30_000,
  });
  return q.data ? <SlaChip state={q.data} /> : null;
}

export function SlaChip({ state: s }: { state: SlaTicketStateT }) {
  const now = useSyncExternalStore(subscribeClock, clockNow);
  const a = s.active;
  if (!a || a.completedAt) return null;
  const due = a.dueAt ? Date.parse(a.dueAt) : null;
  const breached = a.state === 'breached' || (due !== null && due <= now);
  const warning = !breached && (a.warning || (a.warnAt !== null && Date.parse(a.warnAt) <= now));
  const state = a.state === 'paused' ? 'paused' : breached ? 'breached' : warning ? 'warning' : 'running';
  const label = metricLabel(a.metric);
  let text: string;
  if (state === 'paused') text = 'paused';
  else if (due === null) text = '—';
  else text = breached ? `-${countdown(now - due)}` : countdown(due - now);
  const title =
    state === 'paused'
      ? `${label}: paused (${s.policy?.name ?? 'SLA'})`
      : `${label} ${breached ? 'breached' : 'due'} ${due ? new Date(due).toLocaleString() : ''} (${s.policy?.name ?? 'SLA'})`;
  return (
    <span
      className={`sla-chip sla-chip-${state}`}
      role="timer"
      data-testid="sla-list-badge"
      data-state={state}
      data-metric={a.metric}
      title={title}
      aria-label={`${label} ${state === 'breached' ? 'breached' : state === 'paused' ? 'paused' : 'due in'} ${text}`}
    >
      <ClockIcon size={11} /> {SHORT[a.metric] ?? a.metric} {text}
    </span>
  );
}
