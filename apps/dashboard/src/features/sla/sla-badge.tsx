import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { TicketDetailT, TicketSummaryT } from '../../lib/api.ts';
import { ClockIcon } from '../../ui/icons.tsx';
import { duration, metricLabel, slaApi } from './sla-api.ts';

/** The ticket's most pressing SLA clock, counting down live; all clocks in the tooltip. */
export default function SlaBadge({ ticket }: { ticket: TicketSummaryT | TicketDetailT }) {
  // Keyed under ['ticket', id] (and the version) so any change to the ticket refreshes the clocks.
  const sla = useQuery({
    queryKey: ['ticket', ticket.id, 'sla', ticket.version],
    queryFn: () => slaApi.ticketSla(ticket.id),
  });
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(t);
  }, []);
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
  } else if (shown.dueAt && Date.parse(shown.dueAt) <= now) {
    text = `${metricLabel(shown.metric)} breached ${duration(now - Date.parse(shown.dueAt))} ago`;
    tone = 'danger';
  } else {
    text = `${metricLabel(shown.metric)} due in ${shown.dueAt ? duration(Date.parse(shown.dueAt) - now) : '—'}`;
    tone = shown.warned ? 'warn' : 'info';
  }
  const title = data.clocks
    .map(
      (c) =>
        `${metricLabel(c.metric)}${c.cycle ? ` #${c.cycle}` : ''}: ${c.state}${c.dueAt ? `, due ${new Date(c.dueAt).toLocaleString()}` : ''}`,
    )
    .join('\n');
  return (
    <span
      className={`badge sla-${tone}`}
      data-testid="sla-badge"
      data-state={shown.state}
      data-metric={shown.metric}
      title={`${data.policy.name}\n${title}`}
    >
      <ClockIcon size={12} /> {text}
    </span>
  );
}
