import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { dateTime } from '../../ui/format.ts';
import { useAction } from './use-action.tsx';

export default function TokensPage() {
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: api.tokens.list });
  const { run, confirmRun, view } = useAction(['tokens']);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  return (
    <div className="stack">
      <h2>API tokens</h2>
      <p className="muted">
        Tokens act as you, with your role. Send them as <code>Authorization: Bearer …</code>. See the{' '}
        <a href="/api/docs">API docs</a>.
      </p>
      {view}
      {created && (
        <div className="card">
          <p>Copy this token now — it is shown once:</p>
          <pre className="codes" data-testid="new-token">
            {created}
          </pre>
        </div>
      )}
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Prefix</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(tokens.data?.items ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td>{dateTime(t.createdAt)}</td>
              <td>{t.lastUsedAt ? dateTime(t.lastUsedAt) : 'never'}</td>
              <td>
                {t.revokedAt ? (
                  'revoked'
                ) : (
                  <button
                    type="button"
                    className="danger"
                    onClick={() =>
                      void confirmRun(
                        `Revoke ${t.name}? Programs using it stop working.`,
                        'Revoke token',
                        () => api.tokens.revoke(t.id),
                        `${t.name} revoked`,
                      )
                    }
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            async () => setCreated((await api.tokens.create({ name })).token),
            `Token ${name} created`,
          ).then((ok) => ok && setName(''));
        }}
      >
        <label className="inline">
          Token name
          <input required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
    </div>
  );
}
