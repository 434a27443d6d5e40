import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, type MessageT, type TicketDetailT } from '../../lib/api.ts';
import { Link } from '../../lib/router.tsx';
import { messageRawUrl } from './email-api.ts';
import './email.css';

/**
 * Under each email message: where an outbound reply stands (queued, retrying with the last error, sent,
 * failed with the reason — refreshed live by the shell on `message.delivery_changed`) and the original .eml.
 */
export default function EmailDelivery({ message: m, ticket }: { message: MessageT; ticket: TicketDetailT }) {
  const qc = useQueryClient();
  // A failed reply is sent again on request (after fixing the inbox or relay); the ticket re-reads itself.
  const retry = useMutation({
    mutationFn: () => api.post<MessageT>(`/api/v1/tickets/${ticket.id}/messages/${m.id}/retry`),
    onSettled: () => qc.invalidateQueries({ queryKey: ['ticket', ticket.id] }),
  });
  const waiting = m.channel === 'email' && m.kind === 'outbound' && m.deliveryStatus === 'queued';
  useEffect(() => {
    if (!waiting) return;
    // Sent and failed arrive as realtime events; a failed attempt that will be retried only updates the
    // row, so while a reply waits the ticket is re-read every few seconds to show the retry and its reason.
    const timer = setInterval(() => void qc.invalidateQueries({ queryKey: ['ticket', ticket.id] }), 3000);
    return () => clearInterval(timer);
  }, [waiting, qc, ticket.id]);
  if (m.channel !== 'email' || m.kind === 'note') return null;
  if (m.kind === 'inbound')
    return (
      <div className="email-delivery small">
        <a href={messageRawUrl(m.id)} download>
          Download original (.eml)
        </a>
      </div>
    );
  const state = m.deliveryStatus === 'queued' && m.deliveryError ? 'retrying' : (m.deliveryStatus as string);
  const label: Record<string, string> = {
    queued: 'Queued for sending',
    retrying: 'Retrying',
    sent: 'Sent',
    failed: 'Failed',
    none: 'Not sent (no transport)',
  };
  const dev = m.channelMeta.transport === 'dev';
  return (
    <div className="email-delivery small" data-testid={`delivery-${m.id}`}>
      <span className={`delivery delivery-${state}`} role="status" aria-label="Email delivery">
        {label[state] ?? state}
        {(state === 'retrying' || state === 'failed') && m.deliveryError ? `: ${m.deliveryError}` : ''}
      </span>
      {state === 'failed' && (
        <button type="button" disabled={retry.isPending} onClick={() => retry.mutate()}>
          Retry
        </button>
      )}
      {state === 'sent' && dev && (
        <Link to={`/settings/dev-mailbox?message=${m.id}`}>in the dev mailbox</Link>
      )}
      {state === 'sent' && (
        <a href={messageRawUrl(m.id)} download>
          Download sent .eml
        </a>
      )}
    </div>
  );
}
