import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { ApiError } from '../../lib/api.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { commerceApi, money, newKey, type OrderActionInputT, type OrderT, toMinor } from './commerce-api.ts';
import './commerce.css';

/** The customer panel's orders: newest first, the one the conversation names highlighted and open. */
export default function OrdersSection({ contact, ticket }: CustomerSectionProps) {
  const key = ticket ? ['commerce', 'ticket-orders', ticket.id] : ['commerce', 'contact-orders', contact.id];
  const q = useQuery({
    queryKey: key,
    queryFn: () => (ticket ? commerceApi.ticketOrders(ticket.id) : commerceApi.contactOrders(contact.id)),
  });
  const qc = useQueryClient();
  useRealtimeEvent((e) => {
    const ev = e as { event?: string; ticketId?: number };
    if (ev.event === 'order_action.changed' || (ticket && ev.ticketId === ticket.id))
      void qc.invalidateQueries({ queryKey: ['commerce'] });
  });
  if (q.isLoading) return <p className="loading">Loading orders…</p>;
  if (q.isError) return <p className="error">Could not load orders.</p>;
  const items = q.data?.items ?? [];
  const others = q.data?.mentionedOtherCustomers ?? [];
  const ltv = q.data?.lifetimeValue ?? [];
  return (
    <div className="orders" data-testid="orders-section">
      {!items.length && <p className="muted small">No orders from this customer.</p>}
      {others.map((n) => (
        // Another customer's order named in the conversation: the number only, no details, no actions.
        <p key={n} className="order-card other-customer small" data-testid={`order-other-${n}`}>
          <strong>{n}</strong> <span className="badge mention-badge">mentioned</span>{' '}
          <span className="muted">belongs to another customer</span>
        </p>
      ))}
      {ltv.length > 0 && (
        <p className="muted small">
          {items.length} order{items.length === 1 ? '' : 's'} · lifetime{' '}
          {ltv.map((v) => money(v.total, v.currency)).join(' + ')}
        </p>
      )}
      {items.map((o, i) => (
        <OrderCard
          key={o.id}
          order={o}
          ticketId={ticket?.id}
          initiallyOpen={o.mentioned || (i === 0 && !items.some((x) => x.mentioned))}
        />
      ))}
    </div>
  );
}

const statusText = (o: OrderT) =>
  o.status === 'cancelled'
    ? 'cancelled'
    : [o.financialStatus.replace('_', ' '), o.fulfillmentStatus].join(' · ');

function OrderCard({
  order: o,
  ticketId,
  initiallyOpen,
}: {
  order: OrderT;
  ticketId?: number;
  initiallyOpen: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const [acting, setActing] = useState(false);
  return (
    <article className={`order-card${o.mentioned ? ' mentioned' : ''}`} data-testid={`order-${o.number}`}>
      <button type="button" className="order-head plain" onClick={() => setOpen(!open)} aria-expanded={open}>
        <strong>{o.number}</strong>
        {o.mentioned && <span className="badge mention-badge">mentioned</span>}
        <span className="order-total">{money(o.total, o.currency)}</span>
        <span className="muted small">
          {new Date(o.placedAt).toLocaleDateString()} · {statusText(o)}
        </span>
      </button>
      {open && (
        <div className="order-body">
          <ul className="order-lines">
            {o.lineItems.map((l) => (
              <li key={l.id}>
                {l.imageUrl ? (
                  <img src={l.imageUrl} alt="" width={36} height={36} loading="lazy" />
                ) : (
                  <span className="img-ph" />
                )}
                <span>
                  {l.quantity} × {l.title}
                  {l.variantTitle ? <span className="muted"> ({l.variantTitle})</span> : null}
                  {l.refundedQuantity > 0 && (
                    <span className="muted small"> · {l.refundedQuantity} refunded</span>
                  )}
                </span>
                <span>{money(l.price * l.quantity - l.discount, o.currency)}</span>
              </li>
            ))}
          </ul>
          <p className="small">
            Shipping {money(o.shipping, o.currency)} · Tax {money(o.tax, o.currency)}
            {o.refunded > 0 && <span className="refunded"> · Refunded {money(o.refunded, o.currency)}</span>}
          </p>
          {o.transactions.length > 0 && (
            <p className="small muted">
              Paid:{' '}
              {o.transactions
                .filter((t) => t.kind !== 'refund')
                .map((t) => `${money(t.amount, t.currency)} via ${t.gateway ?? 'payment'} (${t.status})`)
                .join(', ')}
            </p>
          )}
          {o.fulfillments.map((f) => (
            <p key={f.externalId} className="small">
              {f.carrier ?? 'Shipment'} {f.shipmentStatus?.replace(/_/g, ' ') ?? f.status}
              {f.trackingNumber &&
                (f.trackingUrl ? (
                  <>
                    {' · '}
                    <a href={f.trackingUrl} target="_blank" rel="noreferrer noopener">
                      {f.trackingNumber}
                    </a>
                  </>
                ) : (
                  ` · ${f.trackingNumber}`
                ))}
              {f.expectedDeliveryAt &&
                !f.deliveredAt &&
                ` · expected ${new Date(f.expectedDeliveryAt).toLocaleDateString()}`}
              {f.deliveredAt && ` · delivered ${new Date(f.deliveredAt).toLocaleDateString()}`}
            </p>
          ))}
          {o.refunds.map((r) => (
            <p key={r.externalId} className="small muted">
              Return/refund {money(r.amount, r.currency)}
              {r.storeCredit ? ' as store credit' : ''} on {new Date(r.refundedAt).toLocaleDateString()}
              {r.note ? ` — ${r.note}` : ''}
            </p>
          ))}
          {o.shippingAddress && (
            <p className="small muted">
              Ship to:{' '}
              {[
                o.shippingAddress.name,
                o.shippingAddress.address1,
                o.shippingAddress.address2,
                o.shippingAddress.zip,
                o.shippingAddress.city,
                o.shippingAddress.countryCode,
              ]
                .filter(Boolean)
                .join(', ')}
            </p>
          )}
          {acting ? (
            <ActionForm order={o} ticketId={ticketId} onClose={() => setActing(false)} />
          ) : (
            <button type="button" onClick={() => setActing(true)}>
              Actions…
            </button>
          )}
        </div>
      )}
    </article>
  );
}

type Kind = OrderActionInputT['kind'];

const addressFields = [
  ['name', 'Name'],
  ['company', 'Company'],
  ['address1', 'Address'],
  ['address2', 'Address line 2'],
  ['zip', 'Postcode'],
  ['city', 'City'],
  ['province', 'State / province'],
  ['countryCode', 'Country code'],
  ['phone', 'Phone'],
] as const;

function ActionForm({
  order: o,
  ticketId,
  onClose,
}: {
  order: OrderT;
  ticketId?: number;
  onClose: () => void;
}) {
  const qc = useQueryClient();
  // One key per opened form: a double click or a retry after a timeout acts once on the server.
  const key = useRef(newKey());
  const [kind, setKind] = useState<Kind>('refund');
  const [mode, setMode] = useState<'full' | 'lines' | 'amount'>('lines');
  const [qty, setQty] = useState<Record<number, number>>({});
  const [amount, setAmount] = useState('');
  const [method, setMethod] = useState<'original' | 'store_credit'>('original');
  const [restock, setRestock] = useState(true);
  const [refundOnCancel, setRefundOnCancel] = useState(true);
  const [percent, setPercent] = useState('10');
  const [addr, setAddr] = useState({ ...(o.shippingAddress ?? {}) });
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  const build = (): OrderActionInputT | string => {
    const base = { ticketId, idempotencyKey: key.current, note: note || undefined };
    switch (kind) {
      case 'refund': {
        if (mode === 'lines') {
          const lines = Object.entries(qty)
            .filter(([, n]) => n > 0)
            .map(([id, n]) => ({ lineItemId: Number(id), quantity: n }));
          if (!lines.length) return 'Pick the items to refund';
          return { ...base, kind, mode, lines, method, restock };
        }
        if (mode === 'amount') {
          const minor = toMinor(amount, o.currency);
          if (!minor) return 'Enter the amount';
          return { ...base, kind, mode, amount: minor, method, restock };
        }
        return { ...base, kind, mode, method, restock };
      }
      case 'cancel':
        return { ...base, kind, restock, refund: refundOnCancel };
      case 'resend':
        return { ...base, kind, free: true };
      case 'update_address':
        return { ...base, kind, address: addr };
      case 'discount_code':
        return { ...base, kind, percent: Number(percent) || undefined };
    }
  };
  const submit = async () => {
    const body = build();
    if (typeof body === 'string') return setResult({ ok: false, text: body });
    setBusy(true);
    setResult(null);
    try {
      const a = await commerceApi.act(o.id, body);
      setResult(
        a.status === 'pending_approval'
          ? { ok: true, text: `Sent for approval: ${a.approvalReasons.join('; ')}` }
          : { ok: true, text: String(a.result?.summary ?? 'Done') },
      );
      key.current = newKey();
      // A fresh form for the next request: stale quantities would trip the browser's max check once a
      // line is fully refunded ("value must be 0"), and old notes would ride along.
      setQty({});
      setAmount('');
      setNote('');
      setPercent('10');
      await qc.invalidateQueries({ queryKey: ['commerce'] });
      if (ticketId) await qc.invalidateQueries({ queryKey: ['ticket', ticketId] });
    } catch (e) {
      setResult({ ok: false, text: e instanceof ApiError ? e.message : 'Something went wrong' });
      if (ticketId) await qc.invalidateQueries({ queryKey: ['ticket', ticketId] });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="order-action card"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label>
        Action{' '}
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)} aria-label="Action">
          <option value="refund">Refund</option>
          <option value="cancel">Cancel order</option>
          <option value="resend">Resend (free replacement)</option>
          <option value="update_address">Edit shipping address</option>
          <option value="discount_code">Discount code</option>
        </select>
      </label>
      {kind === 'refund' && (
        <>
          <div className="row">
            {(['lines', 'full', 'amount'] as const).map((m) => (
              <label key={m} className="inline">
                <input type="radio" name="mode" checked={mode === m} onChange={() => setMode(m)} />{' '}
                {m === 'lines'
                  ? 'Items'
                  : m === 'full'
                    ? `Full (${money(o.refundable, o.currency)})`
                    : 'Amount'}
              </label>
            ))}
          </div>
          {mode === 'lines' &&
            o.lineItems.map((l) => (
              <label key={l.id} className="inline">
                <input
                  type="number"
                  min={0}
                  max={l.quantity - l.refundedQuantity}
                  value={qty[l.id] ?? 0}
                  aria-label={`Refund quantity ${l.title}`}
                  onChange={(e) => setQty({ ...qty, [l.id]: Number(e.target.value) })}
                  style={{ width: 56 }}
                />
                {l.title} (of {l.quantity - l.refundedQuantity})
              </label>
            ))}
          {mode === 'amount' && (
            <label>
              Amount ({o.currency}){' '}
              <input
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
                inputMode="decimal"
                aria-label="Refund amount"
              />
            </label>
          )}
          <label>
            To{' '}
            <select
              value={method}
              onChange={(e) => setMethod(e.target.value as typeof method)}
              aria-label="Refund to"
            >
              <option value="original">original payment</option>
              <option value="store_credit">store credit</option>
            </select>
          </label>
        </>
      )}
      {(kind === 'refund' || kind === 'cancel') && (
        <label className="inline">
          <input type="checkbox" checked={restock} onChange={(e) => setRestock(e.target.checked)} /> Restock
          items
        </label>
      )}
      {kind === 'cancel' && (
        <label className="inline">
          <input
            type="checkbox"
            checked={refundOnCancel}
            onChange={(e) => setRefundOnCancel(e.target.checked)}
          />{' '}
          Refund the payment
        </label>
      )}
      {kind === 'update_address' &&
        addressFields.map(([f, label]) => (
          <label key={f}>
            {label}{' '}
            <input
              value={(addr as Record<string, string | null | undefined>)[f] ?? ''}
              onChange={(e) => setAddr({ ...addr, [f]: e.target.value })}
            />
          </label>
        ))}
      {kind === 'discount_code' && (
        <label>
          Percent off{' '}
          <input
            type="number"
            min={1}
            max={100}
            value={percent}
            onChange={(e) => setPercent(e.target.value)}
          />
        </label>
      )}
      <label>
        Note <input value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      {result && (
        <p className={result.ok ? 'success' : 'error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Working…' : 'Confirm'}
        </button>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </form>
  );
}
