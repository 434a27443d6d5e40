import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useAction } from './use-action.tsx';

const TYPES = ['text', 'number', 'boolean', 'select', 'date'] as const;

export default function CustomFieldsPage() {
  const fields = useQuery({ queryKey: ['custom-fields'], queryFn: api.customFields.list });
  const { run, confirmRun, view } = useAction(['custom-fields']);
  const [f, setF] = useState({ key: '', label: '', type: 'text' as (typeof TYPES)[number], options: '' });
  return (
    <div className="stack">
      <h2>Ticket custom fields</h2>
      {view}
      <table className="grid">
        <thead>
          <tr>
            <th>Label</th>
            <th>Key</th>
            <th>Type</th>
            <th>Options</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(fields.data?.items ?? []).map((x) => (
            <tr key={x.id}>
              <td>{x.label}</td>
              <td>
                <code>{x.key}</code>
              </td>
              <td>{x.type}</td>
              <td>{x.options.join(', ')}</td>
              <td>
                <button
                  type="button"
                  className="danger"
                  onClick={() =>
                    void confirmRun(
                      `Delete field ${x.label}?`,
                      'Delete field',
                      () => api.customFields.remove(x.id),
                      `${x.label} deleted`,
                    )
                  }
                >
                  Delete
                </button>
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
            () =>
              api.customFields.create({
                key: f.key,
                label: f.label,
                type: f.type,
                options:
                  f.type === 'select'
                    ? f.options
                        .split(',')
                        .map((o) => o.trim())
                        .filter(Boolean)
                    : [],
              }),
            `${f.label} added`,
          ).then((ok) => ok && setF({ key: '', label: '', type: 'text', options: '' }));
        }}
      >
        <h3>Add a field</h3>
        <label>
          Label
          <input required value={f.label} onChange={(e) => setF({ ...f, label: e.target.value })} />
        </label>
        <label>
          Key (lowercase letters, digits, _)
          <input
            required
            pattern="[a-z][a-z0-9_]{0,63}"
            value={f.key}
            onChange={(e) => setF({ ...f, key: e.target.value })}
          />
        </label>
        <label>
          Type
          <select
            value={f.type}
            onChange={(e) => setF({ ...f, type: e.target.value as (typeof TYPES)[number] })}
          >
            {TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        {f.type === 'select' && (
          <label>
            Options (comma-separated)
            <input value={f.options} onChange={(e) => setF({ ...f, options: e.target.value })} />
          </label>
        )}
        <button type="submit" className="primary">
          Add field
        </button>
      </form>
    </div>
  );
}
