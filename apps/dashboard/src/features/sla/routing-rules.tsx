import type { RoutingRule } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { z } from 'zod';
import { request } from '../../lib/api.ts';
import { useChannels } from '../../ui/use-channels.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import { FieldError, invalid, useFormSave } from './form-kit.tsx';

type RuleT = z.output<typeof RoutingRule>;
type Row = { channel: string; inboxId: string; teamId: string };

const rulesApi = {
  list: () => request<{ items: RuleT[] }>('GET', '/api/v1/routing/rules'),
  put: (rules: unknown) => request<{ items: RuleT[] }>('PUT', '/api/v1/routing/rules', { rules }),
  inboxes: () =>
    request<{ items: { id: number; name: string; address: string }[] }>('GET', '/api/v1/email/inboxes'),
};

const rowOf = (r: RuleT): Row => ({
  channel: r.channel,
  inboxId: r.inboxId === null ? '' : String(r.inboxId),
  teamId: String(r.teamId),
});

/**
 * Which team gets the new tickets of a channel, or of one email inbox; that team's mode then routes them.
 * Saved as a whole list, so the server checks every row together and names the bad one.
 */
export function RoutingRulesForm() {
  const rules = useQuery({ queryKey: ['routing-rules'], queryFn: rulesApi.list });
  return rules.isSuccess ? <RulesForm initial={rules.data.items.map(rowOf)} /> : null;
}

function RulesForm({ initial }: { initial: Row[] }) {
  const dir = useDirectory();
  const channels = useChannels();
  const inboxes = useQuery({ queryKey: ['email-inboxes'], queryFn: rulesApi.inboxes });
  const [rows, setRows] = useState<Row[]>(initial);
  const { save, errors, status } = useFormSave(['routing-rules']);
  const set = (i: number, patch: Partial<Row>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const body = () =>
    rows.map((r) => ({
      channel: r.channel,
      inboxId: r.channel === 'email' && r.inboxId ? Number(r.inboxId) : null,
      teamId: Number(r.teamId),
    }));
  return (
    <form
      className="sla-form"
      aria-label="Team by channel and inbox"
      onSubmit={(e) => {
        e.preventDefault();
        void save(() => rulesApi.put(body()), 'Team rules saved');
      }}
    >
      <p className="muted">
        New tickets without a team get one here (a specific inbox before its whole channel); that team's
        routing mode then applies.
      </p>
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id until saved; order is the identity
        <div className="row" key={i} data-rule={i}>
          <select
            aria-label={`Channel of rule ${i + 1}`}
            value={r.channel}
            onChange={(e) => set(i, { channel: e.target.value, inboxId: '' })}
            {...invalid(errors, `rules.${i}.channel`)}
          >
            {[...new Set([...channels.names, r.channel])].map((c) => (
              <option key={c} value={c}>
                {channels.label(c)}
              </option>
            ))}
          </select>
          {r.channel === 'email' && (
            <select
              aria-label={`Inbox of rule ${i + 1}`}
              value={r.inboxId}
              onChange={(e) => set(i, { inboxId: e.target.value })}
              {...invalid(errors, `rules.${i}.inboxId`)}
            >
              <option value="">every inbox</option>
              {(inboxes.data?.items ?? []).map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name} ({x.address})
                </option>
              ))}
            </select>
          )}
          <span>→</span>
          <select
            aria-label={`Team of rule ${i + 1}`}
            value={r.teamId}
            onChange={(e) => set(i, { teamId: e.target.value })}
            {...invalid(errors, `rules.${i}.teamId`)}
          >
            <option value="">choose a team</option>
            {dir.teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
          <button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            Remove
          </button>
          <FieldError errors={errors} path={`rules.${i}.channel`} />
          <FieldError errors={errors} path={`rules.${i}.inboxId`} />
          <FieldError errors={errors} path={`rules.${i}.teamId`} />
          {/* The row as a whole (another rule covers the same channel and inbox). */}
          {errors[`rules.${i}`] && (
            <span className="field-error" role="alert">
              {errors[`rules.${i}`]}
            </span>
          )}
        </div>
      ))}
      {status}
      <div className="row">
        <button
          type="button"
          onClick={() => setRows([...rows, { channel: 'email', inboxId: '', teamId: '' }])}
        >
          + rule
        </button>
        <button type="submit" className="primary">
          Save team rules
        </button>
      </div>
    </form>
  );
}
