import { formatMoney } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { outcomeLabel, returnsApi, statusLabel } from './returns-api.ts';

/** All returns with filters, and the fulfilment-error clusters ("wrong item", "damaged" by SKU). */
export default function ReturnsScreen() {
  const [status, setStatus] = useState('');
  const [overdue, setOverdue] = useState(false);
  const q = useQuery({
    queryKey: ['returns', 'list', status, overdue],
    queryFn: () =>
      returnsApi.list(
        new URLSearchParams({
          limit: '100',
          ...(status ? { status } : {}),
          ...(overdue ? { overdue: 'true' } : {}),
        }).toString(),
      ),
  });
  const clusters = useQuery({ queryKey: ['returns', 'clusters'], queryFn: returnsApi.clusters });
  return (
    <section className="page" data-testid="returns-screen">
      <h1>Returns</h1>
      <div className="row">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">All</option>
            {Object.entries(statusLabel).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={overdue} onChange={(e) => setOverdue(e.target.checked)} /> Overdue
          to arrive
        </label>
      </div>
      {(clusters.data ?? []).length > 0 && (
        <div className="note">
          <strong>Possible fulfilment errors (90 days):</strong>{' '}
          {clusters
            .data!.map(
              (c) => `${c.title}${c.sku ? ` (${c.sku})` : ''}: ${c.count} × ${c.reason.replace('_', ' ')}`,
            )
            .join(' · ')}
        </div>
      )}
      <table className="table">
        <thead>
          <tr>
            <th>RMA</th>
            <th>Order</th>
            <th>Status</th>
            <th>Outcome</th>
            <th>Items</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {(q.data?.items ?? []).map((r) => (
            <tr key={r.id}>
              <td>{r.ticketId ? <a href={`/tickets/${r.ticketId}`}>{r.rma}</a> : r.rma}</td>
              <td>{r.orderNumber}</td>
              <td>{statusLabel[r.status]}</td>
              <td>
                {outcomeLabel[r.outcome]} {formatMoney(r.value, r.currency)}
              </td>
              <td>{r.lines.map((l) => `${l.quantity} × ${l.title} (${l.reasonLabel})`).join(', ')}</td>
              <td>{new Date(r.createdAt).toLocaleDateString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {q.data && !q.data.items.length && <p className="muted">No returns.</p>}
    </section>
  );
}
