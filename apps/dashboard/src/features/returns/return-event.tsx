import { formatMoney } from '@shopdesk/contracts';
import type { TicketDetailT } from '../../lib/api.ts';

const verbs: Record<string, string> = {
  return_requested: 'requested',
  return_approved: 'approved',
  return_declined: 'declined',
  return_received: 'received',
  return_resolved: 'completed',
  return_failed: 'store action failed',
};

/** One line on the ticket timeline for a step of a return. */
export function ReturnEvent({ event }: { event: TicketDetailT['events'][number]; ticket: TicketDetailT }) {
  const d = event.data as {
    rma?: string;
    orderNumber?: string;
    amount?: number;
    currency?: string;
    outcome?: string;
    status?: string;
    reason?: string | null;
    error?: string | null;
    by?: string | null;
    reasons?: string[];
  };
  return (
    <span
      className={`order-event${event.type === 'return_failed' ? ' error' : ''}`}
      data-testid="return-event"
    >
      <strong>
        Return {d.rma} ({d.orderNumber})
      </strong>{' '}
      — {verbs[event.type] ?? event.type}
      {d.amount && d.currency ? ` (${formatMoney(d.amount, d.currency)})` : ''}
      {d.status ? ` · ${d.status.replace('_', ' ')}` : ''}
      {d.by ? ` · by ${d.by}` : ''}
      {d.reason ? ` · “${d.reason}”` : ''}
      {d.reasons?.length ? ` · ${d.reasons.join('; ')}` : ''}
      {d.error ? ` · ${d.error}` : ''}{' '}
      <time dateTime={event.createdAt}>{new Date(event.createdAt).toLocaleString()}</time>
    </span>
  );
}
