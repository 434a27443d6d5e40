import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useAction } from './use-action.tsx';

export default function TagsPage() {
  const tags = useQuery({ queryKey: ['tags'], queryFn: api.tags.list });
  const { run, confirmRun, view } = useAction(['tags']);
  const [name, setName] = useState('');
  const [color, setColor] = useState('#3b82f6');
  return (
    <div className="stack">
      <h2>Tags</h2>
      {view}
      <table className="grid">
        <thead>
          <tr>
            <th>Tag</th>
            <th>Tickets</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(tags.data?.items ?? []).map((t) => (
            <tr key={t.name}>
              <td>
                <span className="tag" style={t.color ? { borderColor: t.color } : undefined}>
                  {t.name}
                </span>
              </td>
              <td>{t.count}</td>
              <td>
                <button
                  type="button"
                  className="danger"
                  onClick={() =>
                    void confirmRun(
                      `Delete tag ${t.name} from every ticket?`,
                      'Delete tag',
                      () => api.tags.remove(t.name),
                      `${t.name} deleted`,
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
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.tags.create({ name, color }), `Tag ${name} saved`).then(
            (ok) => ok && setName(''),
          );
        }}
      >
        <label className="inline">
          Tag
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="inline">
          Colour
          <input type="color" value={color} onChange={(e) => setColor(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Save tag
        </button>
      </form>
    </div>
  );
}
