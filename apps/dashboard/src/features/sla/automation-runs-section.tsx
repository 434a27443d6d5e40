import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { request } from '../../lib/api.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { ago } from '../../ui/format.ts';
import type { AutomationRunT } from './sla-api.ts';
import './automations.css';

const OUTCOME = { applied: 'applied', loop_stopped: 'stopped', failed: 'failed' } as const;
const TRIGGER: Record<string, string> = {
  schedule: 'scheduled scan',
  'ticket.created': 'new ticket',
  'ticket.updated': 'ticket change',
  'message.received': 'customer message',
  'sla.warning': 'SLA warning',
  'sla.breached': 'SLA breach',
};

/**
 * The ticket's automation log beside the ticket: what acted, on which event, and why a run stopped or
 * failed (a failed scheduled run says whether the next scan retries it).
 */
export default function AutomationRunsSection({ ticket }: CustomerSectionProps) {
  const qc = useQueryClient();
  const id = ticket?.id;
  const runs = useQuery({
    queryKey: ['automation-runs', id],
    queryFn: () => request<{ items: AutomationRunT[] }>('GET', `/api/v1/tickets/${id}/automation-runs`),
    enabled: id !== undefined,
  });
  // Automations act after the events that change the ticket: refresh with them.
  useRealtimeEvent((e) => {
    if (id !== undefined && e.ticketId === id)
      void qc.invalidateQueries({ queryKey: ['automation-runs', id] });
  });
  if (id === undefined) return null;
  if (runs.isLoading) return <p className="loading">Loading…</p>;
  const items = runs.data?.items ?? [];
  if (!items.length) return <p className="muted small">No automation has acted on this ticket.</p>;
  return (
    <ol className="automation-runs" aria-label="Automation runs">
      {items.slice(0, 20).map((r) => (
        <li key={r.id} data-outcome={r.outcome}>
          <strong>{r.automationName ?? 'Deleted automation'}</strong>{' '}
          <span className={`run-outcome run-${r.outcome}`}>{OUTCOME[r.outcome]}</span>
          <span className="muted small">
            {' '}
            on {TRIGGER[r.trigger] ?? r.trigger} · <time dateTime={r.createdAt}>{ago(r.createdAt)}</time>
          </span>
          {r.outcome === 'applied' && r.actions.length > 0 && (
            <div className="small">{r.actions.join('; ')}</div>
          )}
          {r.reason && <div className="small">{r.reason}</div>}
        </li>
      ))}
    </ol>
  );
}
