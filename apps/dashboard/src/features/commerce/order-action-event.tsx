import type { TicketDetailT } from '../../lib/api.ts';
import { money } from './commerce-api.ts';

const verbs: Record<string, string> = {
  order_action_started: 'started',
  order_action_requested: 'sent for approval',
  order_action_approved: 'approved',
  order_action_rejected: 'rejected',
  order_action_succeeded: 'done',
  order_action_failed: 'failed',
};

/** One line on the ticket timeline for an order action (refund, cancel, approval …). */
export function OrderActionEvent({
  event,
}: {
  event: TicketDetailT['events'][number];
  ticket: TicketDetailT;
}) {
  const d = event.data as {
    summary?: string;
    result?: string | null;
    amount?: number;
    currency?: string;
    error?: string | null;
    reasons?: string[];
    requestedBy?: string | null;
    approvedBy?: string | null;
    note?: string | null;
  };
  const failed = event.type === 'order_action_failed';
  return (
    <span className={`order-event${failed ? ' error' : ''}`} data-testid="order-action-event">
      <strong>{d.summary ?? 'Order action'}</strong> — {verbs[event.type] ?? event.type}
      {d.amount && d.currency && event.type === 'order_action_succeeded'
        ? ` (${money(d.amount, d.currency)})`
        : ''}
      {d.result ? ` · ${d.result}` : ''}
      {d.requestedBy && event.type !== 'order_action_requested' ? ` · requested by ${d.requestedBy}` : ''}
      {d.approvedBy ? ` · approved by ${d.approvedBy}` : ''}
      {d.reasons?.length ? ` · ${d.reasons.join('; ')}` : ''}
      {d.note ? ` · “${d.note}”` : ''}
      {d.error ? ` · ${d.error}` : ''}{' '}
      <time dateTime={event.createdAt}>{new Date(event.createdAt).toLocaleString()}</time>
    </span>
  );
}
