import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { useMe } from '../../lib/session.tsx';
import { STATUSES } from '../../ui/format.ts';
import { useAction } from './use-action.tsx';

type Macro = {
  id: number;
  name: string;
  body: string;
  shared: boolean;
  usageCount: number;
  actions: { status?: string; addTags?: string[] };
};
const empty = { id: 0, name: '', body: '', shared: true, status: '', tags: '' };

export default function MacrosPage() {
  const me = useMe();
  const lead = atLeast(me.agent.role, 'lead');
  const macros = useQuery({
    queryKey: ['macros'],
    queryFn: () => api.get<{ items: Macro[] }>('/api/v1/macros'),
  });
  const vars = useQuery({
    queryKey: ['macro-variables'],
    queryFn: () =>
      api.get<{ variables: { name: string; description: string }[] }>('/api/v1/macros/variables'),
  });
  const { run, confirmRun, view } = useAction(['macros']);
  const [f, setF] = useState({ ...empty, shared: lead });
  const body = () => ({
    name: f.name,
    body: f.body,
    shared: f.shared,
    actions: {
      ...(f.status ? { status: f.status } : {}),
      ...(f.tags.trim()
        ? {
            addTags: f.tags
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : {}),
    },
  });
  return (
    <div className="stack">
      <h2>Macros</h2>
      <p className="muted">Canned replies with variables, inserted from the composer's Macros menu.</p>
      {view}
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Text</th>
            <th>Also</th>
            <th>Used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(macros.data?.items ?? []).map((m) => (
            <tr key={m.id}>
              <td>
                {m.name} <span className="muted small">{m.shared ? 'shared' : 'personal'}</span>
              </td>
              <td className="small pre">{m.body.slice(0, 160)}</td>
              <td className="small">
                {[
                  m.actions.status && `status ${m.actions.status}`,
                  m.actions.addTags?.length && `tags ${m.actions.addTags.join(', ')}`,
                ]
                  .filter(Boolean)
                  .join('; ')}
              </td>
              <td>{m.usageCount}</td>
              <td className="row">
                {(lead || !m.shared) && (
                  <>
                    <button
                      type="button"
                      onClick={() =>
                        setF({
                          id: m.id,
                          name: m.name,
                          body: m.body,
                          shared: m.shared,
                          status: m.actions.status ?? '',
                          tags: (m.actions.addTags ?? []).join(', '),
                        })
                      }
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() =>
                        void confirmRun(
                          `Delete ${m.name}?`,
                          'Delete macro',
                          () => api.del(`/api/v1/macros/${m.id}`),
                          `${m.name} deleted`,
                        )
                      }
                    >
                      Delete
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            () => (f.id ? api.patch(`/api/v1/macros/${f.id}`, body()) : api.post('/api/v1/macros', body())),
            f.id ? `${f.name} saved` : `${f.name} created`,
          ).then((ok) => ok && setF({ ...empty, shared: lead }));
        }}
      >
        <h3>{f.id ? `Edit ${f.name}` : 'New macro'}</h3>
        <label>
          Name
          <input required value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
        </label>
        <label>
          Text
          <textarea required rows={6} value={f.body} onChange={(e) => setF({ ...f, body: e.target.value })} />
        </label>
        <p className="muted small">
          Variables:{' '}
          {(vars.data?.variables ?? []).map((v) => (
            <button
              key={v.name}
              type="button"
              className="link var"
              title={v.description}
              onClick={() => setF({ ...f, body: `${f.body}{{${v.name}}}` })}
            >
              {`{{${v.name}}}`}
            </button>
          ))}{' '}
          — add a fallback with <code>{'{{customer.first_name | there}}'}</code>.
        </p>
        <label>
          Set status when sent
          <select value={f.status} onChange={(e) => setF({ ...f, status: e.target.value })}>
            <option value="">unchanged</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Add tags (comma-separated)
          <input value={f.tags} onChange={(e) => setF({ ...f, tags: e.target.value })} />
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={f.shared}
            disabled={!lead}
            onChange={(e) => setF({ ...f, shared: e.target.checked })}
          />
          Shared with the team {lead ? '' : '(leads and admins only)'}
        </label>
        <div className="row">
          <button type="submit" className="primary">
            {f.id ? 'Save macro' : 'Create macro'}
          </button>
          {f.id > 0 && (
            <button type="button" onClick={() => setF({ ...empty, shared: lead })}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </div>
  );
}
