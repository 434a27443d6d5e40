import { formatMoney } from '@shopdesk/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { ApiError } from '../../lib/api.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { commerceApi, newKey } from '../commerce/commerce-api.ts';
import { type OutcomeOptionT, outcomeLabel, type ReturnT, returnsApi, statusLabel } from './returns-api.ts';

/** The customer panel's returns: each with its status and the next step; start one for an order. */
export default function ReturnsSection({ contact, ticket }: CustomerSectionProps) {
  const q = useQuery({
    queryKey: ['returns', 'contact', contact.id],
    queryFn: () => returnsApi.list(`contactId=${contact.id}&limit=20`),
  });
  const qc = useQueryClient();
  useRealtimeEvent((e) => {
    const ev = e as { event?: string; ticketId?: number };
    if (ev.event === 'return.changed' || (ticket && ev.ticketId === ticket.id))
      void qc.invalidateQueries({ queryKey: ['returns'] });
  });
  const [starting, setStarting] = useState(false);
  if (q.isLoading) return <p className="loading">Loading returns…</p>;
  if (q.isError) return <p className="error">Could not load returns.</p>;
  const items = q.data?.items ?? [];
  return (
    <div className="returns" data-testid="returns-section">
      {!items.length && <p className="muted small">No returns from this customer.</p>}
      {items.map((r) => (
        <ReturnCard key={r.id} ret={r} />
      ))}
      {starting ? (
        <StartReturn ticketId={ticket?.id} onClose={() => setStarting(false)} />
      ) : (
        <button type="button" onClick={() => setStarting(true)}>
          Start a return…
        </button>
      )}
    </div>
  );
}

function ReturnCard({ ret: r }: { ret: ReturnT }) {
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState('');
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: ['returns'] });
      await qc.invalidateQueries({ queryKey: ['commerce'] });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong');
    } finally {
      setBusy(false);
    }
  };
  return (
    <article className="order-card" data-testid={`return-${r.rma}`}>
      <p>
        <strong>{r.rma}</strong> · {r.orderNumber} ·{' '}
        <span className="badge" data-testid="return-status">
          {statusLabel[r.status] ?? r.status}
        </span>
      </p>
      <p className="small">
        {outcomeLabel[r.outcome]} {formatMoney(r.value, r.currency)}
        {r.fee ? ` (fees ${formatMoney(r.fee, r.currency)})` : ''}
        {r.bonus ? ` (bonus ${formatMoney(r.bonus, r.currency)})` : ''} · by {r.createdBy}
      </p>
      <ul className="small">
        {r.lines.map((l) => (
          <li key={l.id}>
            {l.quantity} × {l.title} — {l.reasonLabel}
            {r.outcome === 'mixed' ? (
              <strong data-testid="line-outcome">
                {' '}
                → {outcomeLabel[l.outcome]} {formatMoney(l.amount, r.currency)}
              </strong>
            ) : null}
            {l.note ? <span className="muted"> “{l.note}”</span> : null}
            {l.photos.length ? <span className="muted"> · {l.photos.length} photo(s)</span> : null}
            {l.condition ? <span className="muted"> · {l.condition.replace('_', ' ')}</span> : null}
          </li>
        ))}
      </ul>
      {r.decisionReasons.length > 0 && <p className="small muted">{r.decisionReasons.join('; ')}</p>}
      {r.declineReason && <p className="small">Declined: {r.declineReason}</p>}
      {r.error && <p className="error small">{r.error}</p>}
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        {r.status === 'needs_review' && (
          <button type="button" disabled={busy} onClick={() => run(() => returnsApi.approve(r.id))}>
            Approve
          </button>
        )}
        {(r.status === 'approved' || r.status === 'received') && r.outcome !== 'keep' && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run(() =>
                returnsApi.receive(
                  r.id,
                  r.lines.map((l) => ({ id: l.id, condition: 'as_new', restock: true })),
                ),
              )
            }
          >
            {r.status === 'received'
              ? 'Retry in the store'
              : `Receive & ${r.outcome === 'exchange' ? 'exchange' : r.outcome === 'store_credit' ? 'credit' : 'refund'}`}
          </button>
        )}
        {(r.status === 'needs_review' || r.status === 'approved') &&
          (declining ? (
            <>
              <label>
                Reason for the shopper{' '}
                <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
              </label>
              <button
                type="button"
                disabled={busy}
                onClick={() => run(() => returnsApi.decline(r.id, reason))}
              >
                Decline return
              </button>
            </>
          ) : (
            <button type="button" className="secondary" onClick={() => setDeclining(true)}>
              Decline…
            </button>
          ))}
      </div>
    </article>
  );
}

function StartReturn({ ticketId, onClose }: { ticketId?: number; onClose: () => void }) {
  const orders = useQuery({
    queryKey: ['commerce', 'ticket-orders', ticketId],
    queryFn: () => commerceApi.ticketOrders(ticketId!),
    enabled: !!ticketId,
  });
  const [orderId, setOrderId] = useState<number | null>(null);
  const opts = useQuery({
    queryKey: ['returns', 'options', orderId],
    queryFn: () => returnsApi.options(orderId!),
    enabled: !!orderId,
  });
  const [picked, setPicked] = useState<Record<number, { quantity: number; reason: string }>>({});
  const [quotes, setQuotes] = useState<OutcomeOptionT[] | null>(null);
  const [outcome, setOutcome] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [key] = useState(newKey);
  const qc = useQueryClient();
  const lines = Object.entries(picked)
    .filter(([, p]) => p.quantity > 0 && p.reason)
    .map(([id, p]) => ({ lineItemId: Number(id), ...p }));
  const fail = (err: unknown) => setError(err instanceof ApiError ? err.message : 'Something went wrong');
  if (!ticketId) return <p className="muted small">Open a ticket to start a return.</p>;
  return (
    <form
      className="order-action-form"
      data-testid="start-return"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          if (!quotes) {
            const q = await returnsApi.quote(orderId!, lines);
            setQuotes(q);
            setOutcome(q[0]?.outcome ?? '');
            return;
          }
          await returnsApi.create({ orderId: orderId!, ticketId, lines, outcome, idempotencyKey: key });
          await qc.invalidateQueries({ queryKey: ['returns'] });
          onClose();
        } catch (err) {
          fail(err);
        }
      }}
    >
      <label>
        Order{' '}
        <select
          value={orderId ?? ''}
          onChange={(e) => {
            setOrderId(Number(e.target.value) || null);
            setQuotes(null);
          }}
        >
          <option value="">Choose…</option>
          {(orders.data?.items ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.number}
            </option>
          ))}
        </select>
      </label>
      {opts.data && (
        <ul className="order-lines small">
          {opts.data.lines.map((l) => (
            <li key={l.lineItemId} data-testid={`return-line-${l.title}`}>
              <span>
                {l.title}
                {l.variantTitle ? ` (${l.variantTitle})` : ''}
              </span>
              {l.eligible ? (
                <>
                  <label>
                    Qty{' '}
                    <select
                      value={picked[l.lineItemId]?.quantity ?? 0}
                      onChange={(e) => {
                        setQuotes(null);
                        setPicked({
                          ...picked,
                          [l.lineItemId]: {
                            reason: picked[l.lineItemId]?.reason ?? '',
                            quantity: Number(e.target.value),
                          },
                        });
                      }}
                    >
                      {[...Array(l.returnableQuantity + 1).keys()].map((n) => (
                        <option key={n} value={n}>
                          {n}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Reason{' '}
                    <select
                      value={picked[l.lineItemId]?.reason ?? ''}
                      onChange={(e) => {
                        setQuotes(null);
                        setPicked({
                          ...picked,
                          [l.lineItemId]: {
                            quantity: picked[l.lineItemId]?.quantity ?? 1,
                            reason: e.target.value,
                          },
                        });
                      }}
                    >
                      <option value="">Choose…</option>
                      {opts.data.reasons.map((r) => (
                        <option key={r.code} value={r.code}>
                          {r.label}
                        </option>
                      ))}
                    </select>
                  </label>
                </>
              ) : (
                <span className="muted">{l.detail}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {quotes && (
        <fieldset>
          <legend>Outcome (what it costs the shop)</legend>
          {quotes.map((q) => (
            <label key={q.outcome} className="choice">
              <input
                type="radio"
                name="outcome"
                checked={outcome === q.outcome}
                onChange={() => setOutcome(q.outcome)}
              />{' '}
              {outcomeLabel[q.outcome]} {formatMoney(q.amount, opts.data!.currency)}{' '}
              <span className="muted small">
                cost to shop {formatMoney(q.costToShop, opts.data!.currency)}
              </span>
              {q.recommended ? <span className="badge"> cheapest</span> : null}
            </label>
          ))}
        </fieldset>
      )}
      {error && (
        <p className="error small" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" disabled={!orderId || !lines.length}>
          {quotes ? 'Create return' : 'See outcomes'}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
