import { minorToDecimal, type ReturnPolicy } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { request } from '../../lib/api.ts';
import { useMe } from '../../lib/session.tsx';
import { commerceApi, toMinor } from '../commerce/commerce-api.ts';
import { useAction } from '../settings/use-action.tsx';

type PolicyT = z.output<typeof ReturnPolicy>;
type Market = PolicyT['markets'][number];
type Reason = PolicyT['reasons'][number];

const api = {
  get: () => request<PolicyT>('GET', '/api/v1/returns/policy'),
  put: (p: PolicyT) => request<PolicyT>('PUT', '/api/v1/returns/policy', p),
};
/** One entry per line; blank lines dropped. */
const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);
const commas = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const MONEY = ['keepItemMax', 'autoApproveMax', 'returnShippingFee', 'labelCost'] as const;
type MoneyKey = (typeof MONEY)[number];

/** Settings → Returns: the return policy the engine applies (leads and admins edit; the server audits). */
export default function ReturnsPolicySettings() {
  const me = useMe();
  const q = useQuery({ queryKey: ['returns', 'policy'], queryFn: api.get });
  const shop = useQuery({ queryKey: ['commerce', 'policy'], queryFn: commerceApi.policy });
  const { run, view } = useAction(['returns', 'policy']);
  const [p, setP] = useState<PolicyT | null>(null);
  const [text, setText] = useState<Record<string, string>>({});
  const currency = shop.data?.currency ?? 'EUR';
  useEffect(() => {
    if (!q.data) return;
    setP(q.data);
    const money = (m: number | null) => (m === null ? '' : minorToDecimal(m, currency));
    setText({
      tagWindows: q.data.tagWindows.map((w) => `${w.tag}: ${w.days}`).join('\n'),
      excludedTags: q.data.excludedTags.join('\n'),
      excludedSkuPrefixes: q.data.excludedSkuPrefixes.join('\n'),
      blockedEmails: q.data.blockedEmails.join('\n'),
      blockedOrders: q.data.blockedOrders.join('\n'),
      blockedSkus: q.data.blockedSkus.join('\n'),
      allowedEmails: q.data.allowedEmails.join('\n'),
      ...Object.fromEntries(MONEY.map((k) => [k, money(q.data[k])])),
    });
  }, [q.data, currency]);
  if (!p) return <p className="loading">Loading…</p>;
  const editable = me.agent.role === 'lead' || me.agent.role === 'admin';
  const set = (over: Partial<PolicyT>) => setP({ ...p, ...over });
  const num = (k: keyof PolicyT, label: string, o: { min?: number; max?: number; step?: number } = {}) => (
    <label>
      {label}{' '}
      <input
        type="number"
        aria-label={label}
        min={o.min ?? 0}
        max={o.max}
        step={o.step ?? 1}
        value={p[k] as number}
        disabled={!editable}
        onChange={(e) => set({ [k]: Number(e.target.value) } as Partial<PolicyT>)}
      />
    </label>
  );
  const check = (k: keyof PolicyT, label: string) => (
    <label>
      <input
        type="checkbox"
        checked={p[k] as boolean}
        disabled={!editable}
        onChange={(e) => set({ [k]: e.target.checked } as Partial<PolicyT>)}
      />{' '}
      {label}
    </label>
  );
  const area = (k: string, label: string, hint: string) => (
    <label>
      {label} <span className="muted small">({hint})</span>
      <textarea
        aria-label={label}
        rows={3}
        value={text[k] ?? ''}
        disabled={!editable}
        onChange={(e) => setText({ ...text, [k]: e.target.value })}
      />
    </label>
  );
  const money = (k: MoneyKey, label: string) => (
    <label>
      {label} ({currency}){' '}
      <input
        aria-label={label}
        inputMode="decimal"
        value={text[k] ?? ''}
        disabled={!editable}
        onChange={(e) => setText({ ...text, [k]: e.target.value })}
      />
    </label>
  );
  const market = (i: number, over: Partial<Market>) =>
    set({ markets: p.markets.map((m, j) => (j === i ? { ...m, ...over } : m)) });
  const reason = (i: number, over: Partial<Reason>) =>
    set({ reasons: p.reasons.map((r, j) => (j === i ? { ...r, ...over } : r)) });

  const save = () => {
    const minor = (k: MoneyKey) => (text[k]?.trim() ? toMinor(text[k]!, currency) : null);
    const tagWindows = lines(text.tagWindows ?? '').map((l) => {
      const at = l.lastIndexOf(':');
      return { tag: l.slice(0, at).trim(), days: Number(l.slice(at + 1)) };
    });
    return api.put({
      ...p,
      tagWindows,
      excludedTags: lines(text.excludedTags ?? ''),
      excludedSkuPrefixes: lines(text.excludedSkuPrefixes ?? ''),
      blockedEmails: lines(text.blockedEmails ?? ''),
      blockedOrders: lines(text.blockedOrders ?? ''),
      blockedSkus: lines(text.blockedSkus ?? ''),
      allowedEmails: lines(text.allowedEmails ?? ''),
      keepItemMax: minor('keepItemMax') ?? 0,
      autoApproveMax: minor('autoApproveMax'),
      returnShippingFee: minor('returnShippingFee') ?? 0,
      labelCost: minor('labelCost') ?? 0,
    });
  };

  return (
    <form
      className="stack policy-form"
      data-testid="returns-policy"
      onSubmit={(e) => {
        e.preventDefault();
        void run(save, 'Return policy saved');
      }}
    >
      <h2>Returns</h2>
      <p className="muted">
        What shoppers can return on the portal and agents from the ticket, what each outcome gives, and when a
        return waits for review. Money still goes through the refund limits under Refund &amp; action policy.
      </p>
      {view}
      {check('enabled', 'Returns are open')}
      <fieldset>
        <legend>Window</legend>
        {num('windowDays', 'Days to start a return', { max: 3650 })}
        <label>
          Counted from{' '}
          <select
            aria-label="Counted from"
            value={p.windowFrom}
            disabled={!editable}
            onChange={(e) => set({ windowFrom: e.target.value as PolicyT['windowFrom'] })}
          >
            <option value="order">order date</option>
            <option value="fulfillment">first shipment</option>
            <option value="delivery">delivery</option>
          </select>
        </label>
        <label>
          Shop time zone (the window ends at the end of its last day there){' '}
          <input
            aria-label="Shop time zone"
            value={p.timeZone}
            disabled={!editable}
            onChange={(e) => set({ timeZone: e.target.value })}
          />
        </label>
        {area('tagWindows', 'Windows per order tag', 'tag: days, one per line; the longest match wins')}
      </fieldset>
      <fieldset>
        <legend>Exclusions</legend>
        {check('excludeFinalSale', 'Final-sale items cannot be returned')}
        {check('excludeDiscounted', 'Discounted items cannot be returned')}
        {area('excludedTags', 'Order tags that cannot be returned', 'one per line')}
        {area('excludedSkuPrefixes', 'SKU prefixes that cannot be returned', 'one per line, e.g. GIFT-')}
      </fieldset>
      <fieldset>
        <legend>Outcomes and fees</legend>
        {(['refund', 'store_credit', 'exchange', 'keep'] as const).map((o) => (
          <label key={o}>
            <input
              type="checkbox"
              checked={p.outcomes[o]}
              disabled={!editable}
              onChange={(e) => set({ outcomes: { ...p.outcomes, [o]: e.target.checked } })}
            />{' '}
            {
              { refund: 'Refund', store_credit: 'Store credit', exchange: 'Exchange', keep: 'Keep the item' }[
                o
              ]
            }
          </label>
        ))}
        {num('storeCreditBonusPercent', 'Store credit bonus (%)', { max: 100 })}
        {money('keepItemMax', 'Keep the item only up to')}
        {num('restockingFeePercent', 'Restocking fee on refunds (%)', { max: 50 })}
        {money('returnShippingFee', "Return shipping charged for the shopper's own reasons")}
        {money('labelCost', 'What one return label costs the shop')}
        {num('goodsCostRatio', 'Item cost as a share of its price', { max: 1, step: 0.05 })}
        {check('steerToCheapest', 'Recommend the outcome that costs the shop least')}
      </fieldset>
      <fieldset>
        <legend>Review and abuse rules</legend>
        {money('autoApproveMax', 'Approve on its own up to (empty: review every return)')}
        {num('maxReturnsPerOrder', 'Returns per order', { min: 1, max: 50 })}
        {num('serialReturnerRatio', 'Frequent returner above returns/orders over 365 days (0 = off)', {
          max: 1,
          step: 0.05,
        })}
        {num('serialReturnerMinOrders', 'Only for customers with at least this many orders', {
          min: 1,
          max: 1000,
        })}
        <label>
          Shipping and billing address differ{' '}
          <select
            aria-label="Shipping and billing address differ"
            value={p.addressMismatch}
            disabled={!editable}
            onChange={(e) => set({ addressMismatch: e.target.value as PolicyT['addressMismatch'] })}
          >
            <option value="off">no rule</option>
            <option value="review">review the return</option>
          </select>
        </label>
        {area(
          'blockedEmails',
          'Blocked e-mail addresses',
          'one per line; the portal asks them to contact you',
        )}
        {area('blockedOrders', 'Blocked order numbers', 'one per line; returns go to review')}
        {area('blockedSkus', 'Blocked products (SKU)', 'one per line; returns go to review')}
        {area('allowedEmails', 'Trusted shoppers (e-mail)', 'one per line; the abuse rules skip them')}
      </fieldset>
      <fieldset>
        <legend>Markets</legend>
        <p className="muted small">
          Orders shipped to these countries use the market's window and fee; a closed market takes no returns.
        </p>
        {p.markets.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id of their own until saved
          <div className="row" key={i} data-testid="market-row">
            <input
              aria-label="Market name"
              value={m.name}
              disabled={!editable}
              onChange={(e) => market(i, { name: e.target.value })}
            />
            <input
              aria-label="Countries"
              placeholder="CH, LI"
              value={m.countries.join(', ')}
              disabled={!editable}
              onChange={(e) => market(i, { countries: commas(e.target.value.toUpperCase()) })}
            />
            <input
              aria-label="Market window (days)"
              type="number"
              min={0}
              placeholder="days"
              value={m.windowDays ?? ''}
              disabled={!editable}
              onChange={(e) =>
                market(i, { windowDays: e.target.value === '' ? undefined : Number(e.target.value) })
              }
            />
            <label>
              <input
                type="checkbox"
                checked={m.enabled === false}
                disabled={!editable}
                onChange={(e) => market(i, { enabled: e.target.checked ? false : undefined })}
              />{' '}
              closed
            </label>
            {editable && (
              <button type="button" onClick={() => set({ markets: p.markets.filter((_, j) => j !== i) })}>
                Remove
              </button>
            )}
          </div>
        ))}
        {editable && (
          <button
            type="button"
            onClick={() => set({ markets: [...p.markets, { name: 'New market', countries: [] }] })}
          >
            Add market
          </button>
        )}
      </fieldset>
      <fieldset>
        <legend>Reasons</legend>
        {p.reasons.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a new reason's code is typed in this row
          <div className="row" key={i} data-testid="reason-row">
            <input
              aria-label="Reason code"
              value={r.code}
              disabled={!editable}
              onChange={(e) => reason(i, { code: e.target.value })}
            />
            <input
              aria-label="Reason label"
              value={r.label}
              disabled={!editable}
              onChange={(e) => reason(i, { label: e.target.value })}
            />
            <input
              aria-label="Sub-reasons"
              placeholder="sub-reasons, comma separated"
              value={r.subReasons.join(', ')}
              disabled={!editable}
              onChange={(e) => reason(i, { subReasons: commas(e.target.value) })}
            />
            <select
              aria-label="Fault"
              value={r.fault}
              disabled={!editable}
              onChange={(e) => reason(i, { fault: e.target.value as Reason['fault'] })}
            >
              <option value="shopper">shopper's</option>
              <option value="shop">shop's</option>
            </select>
            <select
              aria-label="Photos"
              value={r.photos}
              disabled={!editable}
              onChange={(e) => reason(i, { photos: e.target.value as Reason['photos'] })}
            >
              <option value="off">no photos</option>
              <option value="optional">photos optional</option>
              <option value="required">photos required</option>
            </select>
            <input
              aria-label="Minimum photos"
              type="number"
              min={0}
              max={5}
              value={r.minPhotos}
              disabled={!editable}
              onChange={(e) => reason(i, { minPhotos: Number(e.target.value) })}
            />
            {editable && p.reasons.length > 1 && (
              <button type="button" onClick={() => set({ reasons: p.reasons.filter((_, j) => j !== i) })}>
                Remove
              </button>
            )}
          </div>
        ))}
        {editable && (
          <button
            type="button"
            onClick={() =>
              set({
                reasons: [
                  ...p.reasons,
                  {
                    code: 'other',
                    label: 'Other',
                    subReasons: [],
                    fault: 'shopper',
                    photos: 'off',
                    minPhotos: 0,
                    shopifyReason: 'OTHER',
                    restockLikelihood: 0.8,
                  },
                ],
              })
            }
          >
            Add reason
          </button>
        )}
      </fieldset>
      {editable && (
        <button type="submit" className="primary">
          Save return policy
        </button>
      )}
    </form>
  );
}
