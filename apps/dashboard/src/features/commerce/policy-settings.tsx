import { minorToDecimal } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useMe } from '../../lib/session.tsx';
import { useAction } from '../settings/use-action.tsx';
import { commerceApi, type PolicyT, toMinor } from './commerce-api.ts';

const toText = (minor: number | null, currency: string) =>
  minor === null ? '' : minorToDecimal(minor, currency);

/** The shop's policy: refund window, limits per role, when an agent needs a lead's approval. */
export default function PolicySettings() {
  const me = useMe();
  const q = useQuery({ queryKey: ['commerce', 'policy'], queryFn: commerceApi.policy });
  const { run, view } = useAction(['commerce', 'policy']);
  const [p, setP] = useState<PolicyT | null>(null);
  const [limits, setLimits] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!q.data) return;
    setP(q.data);
    const c = q.data.currency;
    setLimits({
      agent: toText(q.data.refundLimits.agent, c),
      lead: toText(q.data.refundLimits.lead, c),
      admin: toText(q.data.refundLimits.admin, c),
      cancel: toText(q.data.cancelNeedsApprovalAbove, c),
      discount: toText(q.data.discountMaxAmount, c),
    });
  }, [q.data]);
  if (!p) return <p className="loading">Loading…</p>;
  const editable = me.agent.role === 'admin';
  const amount = (k: string) => (limits[k]?.trim() ? toMinor(limits[k]!, p.currency) : null);
  const limitField = (k: string, label: string) => (
    <label key={k}>
      {label} ({p.currency}, empty = no limit){' '}
      <input
        value={limits[k] ?? ''}
        disabled={!editable}
        inputMode="decimal"
        aria-label={label}
        onChange={(e) => setLimits({ ...limits, [k]: e.target.value })}
      />
    </label>
  );
  return (
    <form
      className="stack policy-form"
      onSubmit={(e) => {
        e.preventDefault();
        void run(
          () =>
            commerceApi.putPolicy({
              ...p,
              refundLimits: { agent: amount('agent'), lead: amount('lead'), admin: amount('admin') },
              cancelNeedsApprovalAbove: amount('cancel'),
              discountMaxAmount: amount('discount') ?? 0,
            }),
          'Policy saved',
        );
      }}
    >
      <h2>Refund & action policy</h2>
      <p className="muted">
        Agents act alone within these limits; above them the request goes to Approvals, where a lead (within
        the lead limit) or an admin decides. Admins are never limited. Every action that gives money counts —
        refunds, store credit, discount codes (a percentage as that share of the order's goods), free
        replacements, return outcomes — together with what was given or awaits approval for the same order or
        customer within the period below.
      </p>
      {view}
      <label>
        Currency of the limits{' '}
        <input
          value={p.currency}
          disabled={!editable}
          onChange={(e) => setP({ ...p, currency: e.target.value.toUpperCase() })}
        />
      </label>
      <label>
        Refund window (days after the order; later refunds by agents need approval){' '}
        <input
          type="number"
          min={0}
          value={p.refundWindowDays}
          disabled={!editable}
          onChange={(e) => setP({ ...p, refundWindowDays: Number(e.target.value) })}
        />
      </label>
      {limitField('agent', 'Agent refund limit')}
      {limitField('lead', 'Lead refund limit')}
      {limitField('admin', 'Admin refund limit')}
      <label>
        Period the limits add up over (hours){' '}
        <input
          type="number"
          min={1}
          max={8760}
          value={p.moneyWindowHours}
          disabled={!editable}
          onChange={(e) => setP({ ...p, moneyWindowHours: Number(e.target.value) })}
        />
      </label>
      {limitField('cancel', 'Agents need approval to cancel orders above')}
      {limitField('discount', 'Largest fixed discount code an agent may create')}
      <label>
        Largest percentage discount an agent may create{' '}
        <input
          type="number"
          min={0}
          max={100}
          value={p.discountMaxPercent}
          disabled={!editable}
          onChange={(e) => setP({ ...p, discountMaxPercent: Number(e.target.value) })}
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={p.resendCountsAgainstLimit}
          disabled={!editable}
          onChange={(e) => setP({ ...p, resendCountsAgainstLimit: e.target.checked })}
        />{' '}
        Free replacements count against the refund limit
      </label>
      <label>
        <input
          type="checkbox"
          checked={p.allowStoreCredit}
          disabled={!editable}
          onChange={(e) => setP({ ...p, allowStoreCredit: e.target.checked })}
        />{' '}
        Allow refunds as store credit
      </label>
      {editable && (
        <button type="submit" className="primary">
          Save policy
        </button>
      )}
    </form>
  );
}
