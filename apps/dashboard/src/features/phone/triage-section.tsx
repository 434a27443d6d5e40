import { formatMoney } from '@shopdesk/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { dateTime } from '../../ui/format.ts';
import { callbacksApi } from './callbacks-api.ts';

/** On a voice ticket: the caller's order and parcels, the transcript's intent, the macro that fits. */
export default function TriageSection({ ticket }: CustomerSectionProps) {
  const qc = useQueryClient();
  const ticketId = ticket?.id;
  const q = useQuery({
    queryKey: ['voice-triage', ticketId],
    queryFn: () => callbacksApi.triage(ticketId!),
    enabled: !!ticketId,
  });
  useRealtimeEvent((e) => {
    if ((e as { ticketId?: number }).ticketId === ticketId)
      void qc.invalidateQueries({ queryKey: ['voice-triage', ticketId] });
  });
  if (!ticketId) return null;
  if (q.isLoading) return <p className="loading">Loading triage…</p>;
  if (q.isError || !q.data) return <p className="error">Could not load the triage.</p>;
  const t = q.data;
  return (
    <div className="voice-triage" data-testid="voice-triage">
      <p className="small">
        <strong>Intent: </strong>
        <span data-testid="triage-intent">
          {t.intent
            ? `${t.intent.name.replace('_', ' ')} (${Math.round(t.intent.confidence * 100)} %)${t.intent.damage ? ', damaged item' : ''}${t.intent.angry ? ', upset caller' : ''}`
            : 'waiting for the transcript'}
        </span>
      </p>
      <p className="small" data-testid="triage-order">
        <strong>Order: </strong>
        {t.order
          ? `${t.order.number} · ${t.order.status} · ${t.order.fulfillmentStatus} · ${formatMoney(t.order.total, t.order.currency)} · ${t.order.items}`
          : 'no order found for this caller'}
      </p>
      {t.shipments.map((s) => (
        <p key={s.trackingNumber} className="small" data-testid="triage-shipment">
          {s.carrier ?? 'Parcel'} {s.trackingNumber}: {s.status}
          {s.estimatedDeliveryAt ? `, expected ${dateTime(s.estimatedDeliveryAt)}` : ''}
        </p>
      ))}
      {t.delay && (
        <p className="small error">{t.delay.kind === 'late' ? 'Running late' : 'Carrier problem'}</p>
      )}
      <p className="small">
        <strong>Suggested macro: </strong>
        <span data-testid="triage-macro">{t.macro ? `${t.macro.name} (${t.macro.why})` : 'none fits'}</span>
      </p>
    </div>
  );
}
