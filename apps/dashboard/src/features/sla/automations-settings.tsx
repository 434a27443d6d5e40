import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from '../../lib/router.tsx';
import { moved } from '../../ui/list.ts';
import { ACTION_LABELS, EVENT_LABELS } from './automation-draft.ts';
import { AutomationForm } from './automation-form.tsx';
import { useFormSave } from './form-kit.tsx';
import { type AutomationT, slaApi } from './sla-api.ts';

export default function AutomationsSettings() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['automations'], queryFn: slaApi.automations });
  const [editing, setEditing] = useState<AutomationT | 'new' | null>(null);
  const [log, setLog] = useState<number | null>(null);
  const { save, status } = useFormSave(['automations']);
  const all = list.data?.items ?? [];
  const groups = [
    {
      kind: 'trigger',
      title: 'Triggers — run in this order after each event',
      items: all.filter((a) => a.kind === 'trigger'),
    },
    {
      kind: 'scheduled',
      title: 'Scheduled — checked every hour',
      items: all.filter((a) => a.kind === 'scheduled'),
    },
  ];
  const reorder = (kind: string, i: number, d: number) => {
    const g = groups.find((x) => x.kind === kind)!;
    const next = moved(g.items, i, d);
    if (next === g.items) return;
    const order = groups.flatMap((x) => (x.kind === kind ? next : x.items));
    qc.setQueryData(['automations'], { items: order });
    void save(() => slaApi.reorderAutomations(order.map((a) => a.id)), 'Order saved');
  };
  const setActive = (a: AutomationT, active: boolean) =>
    save(
      () =>
        slaApi.updateAutomation(a.id, {
          name: a.name,
          kind: a.kind,
          events: a.events,
          conditions: a.conditions,
          actions: a.actions,
          active,
        }),
      `${a.name} ${active ? 'enabled' : 'disabled'}`,
    );
  return (
    <div className="stack">
      <h2>Automations</h2>
      {status}
      {groups.map((g) => (
        <section key={g.kind} className="stack">
          <h3>{g.title}</h3>
          {g.items.length === 0 && <p className="muted">None yet.</p>}
          <ol className="sla-list" aria-label={g.kind === 'trigger' ? 'Triggers' : 'Scheduled automations'}>
            {g.items.map((a, i) => (
              <li key={a.id} data-automation={a.name} style={{ flexWrap: 'wrap' }}>
                <span className="muted">{i + 1}.</span>
                <span className="grow">
                  <strong>{a.name}</strong>
                  <br />
                  <span className="small muted">
                    {a.kind === 'trigger'
                      ? a.events.map((e) => EVENT_LABELS[e] ?? e).join(', ')
                      : 'every hour'}{' '}
                    → {a.actions.map((x) => ACTION_LABELS[x.type] ?? x.type).join(', ')}
                  </span>
                </span>
                <label className="inline">
                  <input
                    type="checkbox"
                    aria-label={`${a.name} enabled`}
                    checked={a.active}
                    onChange={(e) => void setActive(a, e.target.checked)}
                  />
                  on
                </label>
                <button
                  type="button"
                  className="ghost"
                  aria-label={`Move ${a.name} up`}
                  disabled={i === 0}
                  onClick={() => reorder(g.kind, i, -1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="ghost"
                  aria-label={`Move ${a.name} down`}
                  disabled={i === g.items.length - 1}
                  onClick={() => reorder(g.kind, i, 1)}
                >
                  ↓
                </button>
                <button type="button" onClick={() => setEditing(a)}>
                  Edit
                </button>
                <button
                  type="button"
                  onClick={() => setLog(log === a.id ? null : a.id)}
                  aria-expanded={log === a.id}
                >
                  Log
                </button>
                <button
                  type="button"
                  className="danger"
                  onClick={() => void save(() => slaApi.deleteAutomation(a.id), `${a.name} deleted`)}
                >
                  Delete
                </button>
                {log === a.id && <RunLog id={a.id} />}
              </li>
            ))}
          </ol>
        </section>
      ))}
      {editing === null ? (
        <div>
          <button type="button" className="primary" onClick={() => setEditing('new')}>
            New automation
          </button>
        </div>
      ) : (
        <AutomationForm
          key={editing === 'new' ? 'new' : editing.id}
          automation={editing === 'new' ? undefined : editing}
          onDone={() => setEditing(null)}
        />
      )}
    </div>
  );
}

function RunLog({ id }: { id: number }) {
  const runs = useQuery({ queryKey: ['automations', id, 'runs'], queryFn: () => slaApi.automationRuns(id) });
  if (runs.isLoading) return <p className="loading">Loading the log…</p>;
  const items = runs.data?.items ?? [];
  return (
    <section style={{ flexBasis: '100%' }} aria-label="Execution log">
      {items.length === 0 ? (
        <p className="muted">It has not run yet.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>When</th>
              <th>Ticket</th>
              <th>On</th>
              <th>Outcome</th>
              <th>Did</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id}>
                <td>{new Date(r.createdAt).toLocaleString()}</td>
                <td>
                  <Link to={`/tickets/${r.ticketId}`}>#{r.ticketId}</Link>
                </td>
                <td>{r.trigger}</td>
                <td className={r.outcome === 'applied' ? '' : 'error'}>
                  {r.outcome}
                  {r.reason ? `: ${r.reason}` : ''}
                </td>
                <td>{r.actions.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
