import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from '../../lib/router.tsx';
import { deliveriesApi, ruleLabel, STATUS_LABEL } from './deliveries-api.ts';

const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');

/** Deliveries: what the delivery check found (each with its ticket), and every tracked parcel with its scans. */
export default function DeliveriesScreen() {
  const [status, setStatus] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const detections = useQuery({ queryKey: ['tracking', 'detections'], queryFn: deliveriesApi.detections });
  const shipments = useQuery({
    queryKey: ['tracking', 'shipments', status],
    queryFn: () => deliveriesApi.shipments(status),
  });
  return (
    <section className="page" data-testid="deliveries-screen">
      <h1>Deliveries</h1>
      <h2>Found by the delivery check</h2>
      <table className="table" aria-label="Delivery problems found">
        <thead>
          <tr>
            <th>When</th>
            <th>What</th>
            <th>Parcel</th>
            <th>Ticket</th>
          </tr>
        </thead>
        <tbody>
          {(detections.data?.items ?? []).map((d) => (
            <tr key={`${d.shipmentId}:${d.rule}`}>
              <td>{new Date(d.detectedAt).toLocaleString()}</td>
              <td>
                <strong>{ruleLabel(d.rule)}</strong>
                <div className="muted">{d.detail}</div>
              </td>
              <td>
                <button type="button" className="link" onClick={() => setOpen(d.shipmentId)}>
                  {d.trackingNumber}
                </button>
              </td>
              <td>{d.ticketId ? <Link to={`/tickets/${d.ticketId}`}>#{d.ticketId}</Link> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {detections.data && !detections.data.items.length && (
        <p className="muted">Nothing late or broken found. The check runs every 15 minutes.</p>
      )}
      <h2>Parcels</h2>
      <div className="row">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {Object.entries(STATUS_LABEL).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
      </div>
      <table className="table" aria-label="Parcels">
        <thead>
          <tr>
            <th>Parcel</th>
            <th>Status</th>
            <th>Expected</th>
            <th>Last scan</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          {(shipments.data?.items ?? []).map((s) => (
            <tr key={s.id}>
              <td>
                <button type="button" className="link" onClick={() => setOpen(s.id)}>
                  {s.carrier ?? 'Carrier'} {s.trackingNumber}
                </button>
              </td>
              <td>
                {STATUS_LABEL[s.status] ?? s.status}
                {s.subStatus ? ` (${s.subStatus.replace(/_/g, ' ')})` : ''}
              </td>
              <td>
                {s.status === 'delivered' ? `delivered ${day(s.deliveredAt)}` : day(s.estimatedDeliveryAt)}
                {s.originalEstimateAt &&
                  s.estimatedDeliveryAt &&
                  s.originalEstimateAt !== s.estimatedDeliveryAt && (
                    <span className="muted"> (was {day(s.originalEstimateAt)})</span>
                  )}
              </td>
              <td>{day(s.lastEventAt)}</td>
              <td>{s.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {open !== null && <ScanHistory id={open} onClose={() => setOpen(null)} />}
    </section>
  );
}

function ScanHistory({ id, onClose }: { id: number; onClose: () => void }) {
  const q = useQuery({ queryKey: ['tracking', 'shipment', id], queryFn: () => deliveriesApi.shipment(id) });
  if (!q.data) return null;
  const s = q.data;
  return (
    <section className="note" aria-label="Scan history">
      <h3>
        {s.carrier ?? 'Carrier'} {s.trackingNumber}: {STATUS_LABEL[s.status] ?? s.status}{' '}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </h3>
      <ul>
        {s.history.map((h) => (
          <li key={h.key}>
            {new Date(h.occurredAt).toLocaleString()} — {STATUS_LABEL[h.status] ?? h.status}
            {h.location ? ` · ${h.location}` : ''}
            {h.message ? ` · ${h.message}` : ''}
          </li>
        ))}
      </ul>
      {s.orderId && <p className="muted">Order id {s.orderId}</p>}
    </section>
  );
}
