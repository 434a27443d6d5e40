import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { Link } from '../../lib/router.tsx';
import { commerceApi, money, type OrderActionT } from './commerce-api.ts';
import './commerce.css';

const kindLabel: Record<string, string> = {
  refund: 'Refund',
  cancel: 'Cancel',
  resend: 'Resend',
  update_address: 'Address change',
  discount_code: 'Discount code',
};

/** Leads and admins: order actions above an agent's limits, waiting for a decision. */
export default function ApprovalsScreen() {
  const qc = useQueryClient();
  const pending = useQuery({
    queryKey: ['commerce', 'approvals'],
    queryFn: () => commerceApi.actions('status=pending_approval'),
  });
  const recent = useQuery({
    queryKey: ['commerce', 'actions-recent'],
    queryFn: () => commerceApi.actions('limit=20'),
  });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  useRealtimeEvent((e) => {
    if ((e as { event?: string }).event === 'order_action.changed')
      void qc.invalidateQueries({ queryKey: ['commerce'] });
  });
  return (
    <div className="page approvals">
      <h1>Approvals</h1>
      {/* Outside the request card: a decided request leaves the list. */}
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      {pending.isLoading && <p className="loading">Loading…</p>}
      {pending.data?.length === 0 && <p className="muted">Nothing is waiting for approval.</p>}
      {pending.data?.map((a) => (
        <Request key={a.id} a={a} onResult={setMsg} />
      ))}
      <h2>Recent order actions</h2>
      <table className="grid">
        <thead>
          <tr>
            <th>Action</th>
            <th>Order</th>
            <th>Amount</th>
            <th>Status</th>
            <th>By</th>
            <th>Ticket</th>
          </tr>
        </thead>
        <tbody>
          {recent.data?.map((a) => (
            <tr key={a.id}>
              <td>{kindLabel[a.kind] ?? a.kind}</td>
              <td>{a.orderNumber}</td>
              <td>{a.amount ? money(a.amount, a.currency) : '—'}</td>
              <td>
                {a.status.replace('_', ' ')}
                {a.error ? ` — ${a.error}` : ''}
              </td>
              <td>{a.requestedBy.name}</td>
              <td>{a.ticketId ? <Link to={`/tickets/${a.ticketId}`}>#{a.ticketId}</Link> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Request({ a, onResult }: { a: OrderActionT; onResult: (m: { ok: boolean; text: string }) => void }) {
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  const decide = async (approve: boolean) => {
    try {
      const r = approve
        ? await commerceApi.approve(a.id, note || undefined)
        : await commerceApi.reject(a.id, note || undefined);
      onResult({
        ok: r.status !== 'failed',
        text:
          r.status === 'failed'
            ? `${a.orderNumber}: the store refused: ${r.error}`
            : `${a.orderNumber}: ${approve ? 'approved and done' : 'rejected'}`,
      });
    } catch (e) {
      onResult({ ok: false, text: e instanceof ApiError ? e.message : 'Something went wrong' });
    }
    await qc.invalidateQueries({ queryKey: ['commerce'] });
  };
  return (
    <article className="card" data-testid={`approval-${a.id}`}>
      <p>
        <strong>
          {kindLabel[a.kind] ?? a.kind} {a.amount && a.kind !== 'cancel' ? money(a.amount, a.currency) : ''}
        </strong>{' '}
        on {a.orderNumber} · requested by {a.requestedBy.name} · {new Date(a.createdAt).toLocaleString()}
      </p>
      {a.kind === 'cancel' && a.amount > 0 && (
        // The store refunds what it has not refunded yet when the cancellation runs; this is our estimate.
        <p>Refunds what the store has not refunded yet: {money(a.amount, a.currency)} when requested.</p>
      )}
      <p className="muted">{a.approvalReasons.join('; ')}</p>
      {typeof a.params.note === 'string' && <p>“{a.params.note}”</p>}
      {a.ticketId && (
        <p>
          <Link to={`/tickets/${a.ticketId}`}>Open ticket #{a.ticketId}</Link>
        </p>
      )}
      <div className="row">
        <input
          placeholder="Note (optional)"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          aria-label="Decision note"
        />
        <button type="button" className="primary" onClick={() => void decide(true)}>
          Approve
        </button>
        <button type="button" className="danger" onClick={() => void decide(false)}>
          Reject
        </button>
      </div>
    </article>
  );
}
