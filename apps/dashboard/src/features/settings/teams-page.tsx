import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import { useAction } from './use-action.tsx';

export default function TeamsPage() {
  const teams = useQuery({ queryKey: ['teams'], queryFn: api.teams.list });
  const dir = useDirectory();
  const { run, confirmRun, view } = useAction(['teams'], ['agents']);
  const [name, setName] = useState('');
  return (
    <div className="stack">
      <h2>Teams</h2>
      {view}
      <table className="grid">
        <thead>
          <tr>
            <th>Team</th>
            <th>Members</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(teams.data?.items ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.memberIds.map((id) => dir.agentName(id)).join(', ') || '—'}</td>
              <td>
                <button
                  type="button"
                  className="danger"
                  onClick={() =>
                    void confirmRun(
                      `Delete team ${t.name}?`,
                      'Delete team',
                      () => api.teams.remove(t.id),
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
          void run(() => api.teams.create({ name }), `Team ${name} created`).then((ok) => ok && setName(''));
        }}
      >
        <label className="inline">
          New team
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Create team
        </button>
      </form>
      <p className="muted small">Add people to teams from the Agents page.</p>
    </div>
  );
}
