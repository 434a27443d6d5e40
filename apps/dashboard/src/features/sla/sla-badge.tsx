import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import type { TicketDetailT, TicketSummaryT } from '../../lib/api.ts';
import { ClockIcon } from '../../ui/icons.tsx';
import { countdown, duration, metricLabel, slaApi, type TicketSlaT } from './sla-api.ts';
import { clockNow, subscribeClock } from './sla-batch.ts';
import './sla.css';

type ClockT = TicketSlaT['clocks'][number];
const SHORT: Record<string, string> = { first_response: 'FRT', next_response: 'NRT', resolution: 'RES' };

/**
 * The ticket's SLA in the ticket header: the most pressing clock as a badge, then every active target
 * (open clocks) as a compact list with its state and time left, counting down each second.
 */
export default function SlaBadge({ ticket }: { ticket: TicketSummaryT | TicketDetailT }) {
  // Keyed under ['ticket', id] (and the version) so any change to the ticket refreshes the clocks.
  const sla = useQuery({
    queryKey: ['ticket', ticket.id, 'sla', ticket.version],
    queryFn: () => slaApi.ticketSla(ticket.id),
  });
  const now = useSyncExternalStore(subscribeClock, clockNow);
  const data = sla.data;
  if (!data?.policy || !data.clocks.length) return null;
  const open = data.clocks.filter((c) => c.completedAt === null);
  const latest = data.clocks[data.clocks.length - 1]!;
  const shown = open.find((c) => c.state === 'breached') ?? open.find((c) => c.dueAt) ?? open[0] ?? latest;
  let text: string;
  let tone: string;
  if (shown.state === 'met') {
    text = `${metricLabel(shown.metric)} met`;
    tone = 'ok';
  } else if (shown.state === 'paused') {
    text = `${metricLabel(shown.metric)} paused`;
    tone = 'muted';
  } else if (shown.state === 'breached' || (shown.dueAt && Date.parse(shown.dueAt) <= now)) {
    text = shown.dueAt
      ? `${metricLabel(shown.metric)} breached ${duration(now - Date.parse(shown.dueAt))} ago`
      : `${metricLabel(shown.metric)} breached`;
    tone = 'danger';
  } else {
    text = `${metricLabel(shown.metric)} due in ${shown.dueAt ? duration(Date.parse(shown.dueAt) - now) : '—'}`;
    tone = shown.warned ? 'warn' : 'info';
  }
  return (
    <>
      <span
        className={`badge sla-${tone}`}
        data-testid="sla-badge"
        data-state={shown.state}
        data-metric={shown.metric}
        title={data.policy.name}
      >
        <ClockIcon size={12} /> {text}
      </span>
      {open.length > 0 && (
        <ul className="sla-targets" aria-label={`SLA targets (${data.policy.name})`}>
          {open.map((c) => (
            <TargetItem key={`${c.metric}:${c.cycle}`} clock={c} now={now} />
          ))}
        </ul>
      )}
    </>
  );
}

/** One open target: "FRT 12:07" running, "-4:12" breached (counting up), "paused · 30m left" paused. */
function TargetItem({ clock: c, now }: { clock: ClockT; now: number }) {
  const due = c.dueAt ? Date.parse(c.dueAt) : null;
  const breached = c.state === 'breached' || (due !== null && due <= now);
  const state = breached ? 'breached' : c.state === 'paused' ? 'paused' : c.warned ? 'warning' : 'running';
  let left: string;
  let spoken: string;
  if (breached) {
    left = due === null ? 'breached' : `-${countdown(now - due)}`;
    spoken = due === null ? 'breached' : `breached ${duration(now - due)} ago`;
  } else if (state === 'paused' || due === null) {
    // Paused: the clock stands still with the open minutes it had left.
    const rest = c.remainingMinutes === null ? null : duration(c.remainingMinutes * 60_000);
    left = rest ? `paused · ${rest} left` : 'paused';
    spoken = rest ? `paused, ${rest} left` : 'paused';
  } else {
    left = countdown(due - now);
    spoken = `${state === 'warning' ? 'warning, ' : ''}${duration(due - now)} left`;
  }
  const name = `${metricLabel(c.metric)}${c.cycle && c.metric === 'next_response' ? ` #${c.cycle}` : ''}`;
  return (
    <li
      className={`sla-chip sla-chip-${state}`}
      data-testid="sla-target"
      data-metric={c.metric}
      data-state={state}
      aria-label={`${name}: ${spoken}`}
      title={`${name}: ${state}${due ? `, due ${new Date(due).toLocaleString()}` : ''}${c.business ? ' (business hours)' : ''}`}
    >
      {SHORT[c.metric] ?? c.metric} <span role="timer">{left}</span>
    </li>
  );
}
