import { decimalToMinor, formatMoney, minorToDecimal } from '@shopdesk/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { PRIORITIES } from '../../ui/format.ts';
import { moved } from '../../ui/list.ts';
import { useChannels } from '../../ui/use-channels.ts';
import { commerceApi } from '../commerce/commerce-api.ts';
import { Field, FieldError, invalid, splitList, useFormSave } from './form-kit.tsx';
import { type SlaPolicyT, slaApi } from './sla-api.ts';

const METRICS = [
  ['firstResponse', 'First response'],
  ['nextResponse', 'Next response'],
  ['resolution', 'Resolution'],
] as const;
type MetricKey = (typeof METRICS)[number][0];
type TargetDraft = { on: boolean; amount: string; unit: 'minutes' | 'hours'; business: boolean };
type Draft = {
  name: string;
  active: boolean;
  channels: string[];
  priorities: string[];
  tags: string;
  tiers: string;
  minLifetimeValue: string;
  targets: Record<MetricKey, TargetDraft>;
  pauseStatuses: string[];
  warnPercent: string;
  applyToOpenTickets: boolean;
};

function targetDraft(t: { minutes: number; business: boolean } | null | undefined): TargetDraft {
  if (!t) return { on: false, amount: '', unit: 'hours', business: true };
  const hours = t.minutes % 60 === 0;
  return {
    on: true,
    amount: String(hours ? t.minutes / 60 : t.minutes),
    unit: hours ? 'hours' : 'minutes',
    business: t.business,
  };
}

function draftOf(currency: string, p?: SlaPolicyT): Draft {
  return {
    name: p?.name ?? '',
    active: p?.active ?? true,
    channels: p?.match.channels ?? [],
    priorities: p?.match.priorities ?? [],
    tags: (p?.match.tags ?? []).join(', '),
    tiers: (p?.match.tiers ?? []).join(', '),
    minLifetimeValue:
      p?.match.minLifetimeValue !== undefined ? minorToDecimal(p.match.minLifetimeValue, currency) : '',
    targets: {
      firstResponse: p
        ? targetDraft(p.targets.firstResponse)
        : { on: true, amount: '1', unit: 'hours', business: true },
      nextResponse: targetDraft(p?.targets.nextResponse),
      resolution: p
        ? targetDraft(p.targets.resolution)
        : { on: true, amount: '24', unit: 'hours', business: true },
    },
    pauseStatuses: p?.pauseStatuses ?? ['pending', 'on-hold'],
    warnPercent: String(p?.warnPercent ?? 75),
    applyToOpenTickets: false,
  };
}

const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

/** The shop's currency (from the commerce policy); null while loading, EUR if it cannot be read. */
function useShopCurrency(): string | null {
  const q = useQuery({ queryKey: ['commerce', 'policy'], queryFn: commerceApi.policy, staleTime: 60_000 });
  return q.data?.currency ?? (q.isLoading ? null : 'EUR');
}

function bodyOf(d: Draft, currency: string) {
  const match: Record<string, unknown> = {};
  if (d.channels.length) match.channels = d.channels;
  if (d.priorities.length) match.priorities = d.priorities;
  if (splitList(d.tags).length) match.tags = splitList(d.tags);
  if (splitList(d.tiers).length) match.tiers = splitList(d.tiers);
  if (d.minLifetimeValue.trim())
    match.minLifetimeValue = decimalToMinor(d.minLifetimeValue, currency) ?? num(d.minLifetimeValue);
  const targets: Record<string, unknown> = {};
  for (const [k] of METRICS) {
    const t = d.targets[k];
    // Sent as typed; the server says what is wrong next to the field (e.g. a minimum of 1 minute).
    targets[k] = t.on
      ? { minutes: Math.round(num(t.amount) * (t.unit === 'hours' ? 60 : 1)), business: t.business }
      : null;
  }
  return {
    name: d.name,
    active: d.active,
    match,
    targets,
    pauseStatuses: d.pauseStatuses,
    warnPercent: num(d.warnPercent),
    ...(d.applyToOpenTickets ? { applyToOpenTickets: true } : {}),
  };
}

const toggle = (list: string[], v: string, on: boolean) => (on ? [...list, v] : list.filter((x) => x !== v));

function summary(p: SlaPolicyT, currency: string) {
  const m = p.match;
  const parts = [
    m.channels?.length ? m.channels.join('/') : '',
    m.priorities?.length ? `priority ${m.priorities.join('/')}` : '',
    m.tags?.length ? `tags ${m.tags.join(', ')}` : '',
    m.tiers?.length ? `tier ${m.tiers.join(', ')}` : '',
    m.minLifetimeValue !== undefined
      ? `customers who spent ${formatMoney(m.minLifetimeValue, currency)} or more`
      : '',
  ].filter(Boolean);
  const targets = METRICS.flatMap(([k, label]) => {
    const t = p.targets[k];
    return t
      ? [
          `${label} ${t.minutes % 60 === 0 ? `${t.minutes / 60}h` : `${t.minutes}m`}${t.business ? ' (business)' : ''}`,
        ]
      : [];
  });
  return `${parts.length ? parts.join(' · ') : 'all tickets'} → ${targets.join(', ') || 'no targets'}`;
}

/** SLA policies: ordered list (first match applies) with reorder, and a form to add or edit one. */
export function PoliciesSection() {
  const qc = useQueryClient();
  const policies = useQuery({ queryKey: ['sla-policies'], queryFn: slaApi.policies });
  const currency = useShopCurrency();
  const [editing, setEditing] = useState<SlaPolicyT | 'new' | null>(null);
  const { save, status } = useFormSave(['sla-policies']);
  const items = policies.data?.items ?? [];
  const reorder = (i: number, d: number) => {
    const next = moved(items, i, d);
    if (next === items) return;
    qc.setQueryData(['sla-policies'], { items: next });
    void save(() => slaApi.reorderPolicies(next.map((p) => p.id)), 'Order saved');
  };
  return (
    <div className="stack">
      <p className="muted">Checked from the top; the first active policy that matches a ticket applies.</p>
      {status}
      <ol className="sla-list" aria-label="SLA policies">
        {items.map((p, i) => (
          <li key={p.id} data-policy={p.name}>
            <span className="muted">{i + 1}.</span>
            <span className="grow">
              <strong>{p.name}</strong>
              {p.active ? '' : ' (off)'}
              <br />
              <span className="small muted">{summary(p, currency ?? 'EUR')}</span>
            </span>
            <button
              type="button"
              className="ghost"
              aria-label={`Move ${p.name} up`}
              disabled={i === 0}
              onClick={() => reorder(i, -1)}
            >
              ↑
            </button>
            <button
              type="button"
              className="ghost"
              aria-label={`Move ${p.name} down`}
              disabled={i === items.length - 1}
              onClick={() => reorder(i, 1)}
            >
              ↓
            </button>
            <button type="button" onClick={() => setEditing(p)}>
              Edit
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => void save(() => slaApi.deletePolicy(p.id), `${p.name} deleted`)}
            >
              Delete
            </button>
          </li>
        ))}
      </ol>
      {items.length === 0 && policies.isSuccess && (
        <p className="muted">No SLA policies yet: no ticket has targets.</p>
      )}
      {currency === null ? null : editing === null ? (
        <div>
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New policy
          </button>
        </div>
      ) : (
        <PolicyForm
          key={editing === 'new' ? 'new' : editing.id}
          policy={editing === 'new' ? undefined : editing}
          currency={currency}
          onDone={() => setEditing(null)}
        />
      )}
    </div>
  );
}

function PolicyForm({
  policy,
  currency,
  onDone,
}: {
  policy?: SlaPolicyT;
  currency: string;
  onDone: () => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(currency, policy));
  const channels = useChannels();
  const { save, errors, status } = useFormSave(['sla-policies']);
  const setTarget = (k: MetricKey, t: Partial<TargetDraft>) =>
    setD((x) => ({ ...x, targets: { ...x.targets, [k]: { ...x.targets[k], ...t } } }));
  return (
    <form
      className="sla-form"
      aria-label={policy ? `Edit policy ${policy.name}` : 'New SLA policy'}
      onSubmit={(e) => {
        e.preventDefault();
        void save(
          () =>
            policy
              ? slaApi.updatePolicy(policy.id, bodyOf(d, currency))
              : slaApi.createPolicy(bodyOf(d, currency)),
          policy ? 'Policy saved' : 'Policy added',
        ).then((r) => r && onDone());
      }}
    >
      <h3>{policy ? `Edit ${policy.name}` : 'New policy'}</h3>
      <div className="row">
        <Field label="Policy name" errors={errors} path="name">
          <input
            value={d.name}
            onChange={(e) => setD({ ...d, name: e.target.value })}
            {...invalid(errors, 'name')}
          />
        </Field>
        <label className="inline">
          <input
            type="checkbox"
            checked={d.active}
            onChange={(e) => setD({ ...d, active: e.target.checked })}
          />
          Active
        </label>
      </div>
      <fieldset>
        <legend>Applies to (empty: every ticket)</legend>
        <fieldset className="row" aria-label="Channels">
          <span className="muted">Channels:</span>
          {[...new Set([...channels.names, ...d.channels])].map((c) => (
            <label key={c} className="inline">
              <input
                type="checkbox"
                checked={d.channels.includes(c)}
                onChange={(e) => setD({ ...d, channels: toggle(d.channels, c, e.target.checked) })}
              />
              {channels.label(c)}
            </label>
          ))}
        </fieldset>
        <fieldset className="row" aria-label="Priorities">
          <span className="muted">Priorities:</span>
          {PRIORITIES.map((p) => (
            <label key={p} className="inline">
              <input
                type="checkbox"
                checked={d.priorities.includes(p)}
                onChange={(e) => setD({ ...d, priorities: toggle(d.priorities, p, e.target.checked) })}
              />
              {p}
            </label>
          ))}
        </fieldset>
        <div className="row">
          <Field label="Ticket tags (any of, comma-separated)" errors={errors} path="match.tags">
            <input value={d.tags} onChange={(e) => setD({ ...d, tags: e.target.value })} />
          </Field>
          <Field label="Customer tiers (e.g. vip)" errors={errors} path="match.tiers">
            <input value={d.tiers} onChange={(e) => setD({ ...d, tiers: e.target.value })} />
          </Field>
          <Field
            label={`Customer has spent at least (${currency})`}
            errors={errors}
            path="match.minLifetimeValue"
          >
            <input
              inputMode="decimal"
              placeholder="e.g. 500"
              value={d.minLifetimeValue}
              onChange={(e) => setD({ ...d, minLifetimeValue: e.target.value })}
              {...invalid(errors, 'match.minLifetimeValue')}
            />
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>Targets</legend>
        {METRICS.map(([k, label]) => {
          const t = d.targets[k];
          return (
            <div key={k} className="row" data-target={k}>
              <label className="inline" style={{ minWidth: 140 }}>
                <input
                  type="checkbox"
                  aria-label={`${label} target`}
                  checked={t.on}
                  onChange={(e) => setTarget(k, { on: e.target.checked, amount: t.amount || '1' })}
                />
                {label}
              </label>
              {t.on && (
                <>
                  <input
                    aria-label={`${label} within`}
                    inputMode="decimal"
                    size={5}
                    value={t.amount}
                    onChange={(e) => setTarget(k, { amount: e.target.value })}
                    {...invalid(errors, `targets.${k}`)}
                  />
                  <select
                    aria-label={`${label} unit`}
                    value={t.unit}
                    onChange={(e) => setTarget(k, { unit: e.target.value as TargetDraft['unit'] })}
                  >
                    <option value="minutes">minutes</option>
                    <option value="hours">hours</option>
                  </select>
                  <select
                    aria-label={`${label} counts`}
                    value={t.business ? 'business' : 'calendar'}
                    onChange={(e) => setTarget(k, { business: e.target.value === 'business' })}
                  >
                    <option value="business">business hours</option>
                    <option value="calendar">calendar time</option>
                  </select>
                </>
              )}
              <FieldError errors={errors} path={`targets.${k}`} />
            </div>
          );
        })}
        <FieldError errors={errors} path="targets" />
      </fieldset>
      <div className="row">
        <span className="muted">Clocks pause while:</span>
        {(['pending', 'on-hold'] as const).map((s) => (
          <label key={s} className="inline">
            <input
              type="checkbox"
              checked={d.pauseStatuses.includes(s)}
              onChange={(e) => setD({ ...d, pauseStatuses: toggle(d.pauseStatuses, s, e.target.checked) })}
            />
            {s}
          </label>
        ))}
        <Field label="Warn at (% of the target used)" errors={errors} path="warnPercent">
          <input
            inputMode="numeric"
            size={4}
            value={d.warnPercent}
            onChange={(e) => setD({ ...d, warnPercent: e.target.value })}
            {...invalid(errors, 'warnPercent')}
          />
        </Field>
      </div>
      {(!policy || policy.appliesFrom) && (
        <label className="inline">
          <input
            type="checkbox"
            checked={d.applyToOpenTickets}
            onChange={(e) => setD({ ...d, applyToOpenTickets: e.target.checked })}
          />
          Apply to open tickets from their start (tickets already waiting longer than the target show as
          breached at once). Otherwise the clocks start when the policy is saved.
        </label>
      )}
      {status}
      <div className="row">
        <button type="submit" className="primary">
          {policy ? 'Save policy' : 'Add policy'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
