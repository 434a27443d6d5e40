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
  useRealtimeEvent((e) => {
    if ((e as { event?: string }).event === 'order_action.changed')
      void qc.invalidateQueries({ queryKey: ['commerce'] });
  });
  return (
    <div className="page approvals">
      <h1>Approvals</h1>
      {pending.isLoading && <p className="loading">Loading…</p>}
      {pending.data?.length === 0 && <p className="muted">Nothing is waiting for approval.</p>}
      {pending.data?.map((a) => (
        <Request key={a.id} a={a} />
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

function Request({ a }: { a: OrderActionT }) {
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const decide = async (approve: boolean) => {
    setMsg(null);
    try {
      const r = approve
        ? await commerceApi.approve(a.id, note || undefined)
        : await commerceApi.reject(a.id, note || undefined);
      setMsg({
        ok: r.status !== 'failed',
        text:
          r.status === 'failed'
            ? `The store refused: ${r.error}`
            : approve
              ? 'Approved and done'
              : 'Rejected',
      });
    } catch (e) {
      setMsg({ ok: false, text: e instanceof ApiError ? e.message : 'Something went wrong' });
    }
    await qc.invalidateQueries({ queryKey: ['commerce'] });
  };
  return (
    <article className="card" data-testid={`approval-${a.id}`}>
      <p>
        <strong>
          {kindLabel[a.kind] ?? a.kind} {a.amount ? money(a.amount, a.currency) : ''}
        </strong>{' '}
        on {a.orderNumber} · requested by {a.requestedBy.name} · {new Date(a.createdAt).toLocaleString()}
      </p>
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
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
    </article>
  );
}
