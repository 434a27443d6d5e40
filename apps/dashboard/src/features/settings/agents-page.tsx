import type { AccountLink, Role } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useMe } from '../../lib/session.tsx';
import { useAction } from './use-action.tsx';

const ROLES: Role[] = ['admin', 'lead', 'agent', 'read-only'];

export default function AgentsPage() {
  const me = useMe();
  const agents = useQuery({ queryKey: ['agents'], queryFn: api.agents.list });
  const teams = useQuery({ queryKey: ['teams'], queryFn: api.teams.list });
  const { run, view } = useAction(['agents'], ['teams']);
  const [form, setForm] = useState({ name: '', email: '', role: 'agent' as Role, password: '' });
  // The invitation just made: shown so the admin can hand the link on when the e-mail could not go.
  const [invited, setInvited] = useState<(AccountLink & { name: string }) | null>(null);
  const sendInvite = (id: number, name: string) =>
    run(async () => setInvited({ ...(await api.agents.invite(id)), name }), `Invitation for ${name} made`);
  return (
    <div className="stack">
      <h2>Agents</h2>
      {view}
      {invited && (
        <section className="card stack" aria-label="Invitation link">
          <p>
            {invited.mailed
              ? `${invited.name} has been e-mailed an invitation.`
              : `The invitation e-mail for ${invited.name} was not sent: ${invited.mailError}. Hand them this link yourself.`}{' '}
            It works once, until {new Date(invited.expiresAt).toLocaleString()}.
          </p>
          <label>
            Invitation link
            <input readOnly value={invited.url} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <button type="button" onClick={() => setInvited(null)}>
            Done
          </button>
        </section>
      )}
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Teams</th>
            <th>2FA</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {(agents.data?.items ?? []).map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>{a.email}</td>
              <td>
                <select
                  aria-label={`Role of ${a.name}`}
                  value={a.role}
                  disabled={a.id === me.agent.id}
                  onChange={(e) =>
                    void run(
                      () => api.agents.update(a.id, { role: e.target.value as Role }),
                      `${a.name} is now ${e.target.value}`,
                    )
                  }
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>
                {/* Checkboxes, not a multi-select list box: one click adds or removes one team. */}
                <fieldset className="team-checks" aria-label={`Teams of ${a.name}`}>
                  {(teams.data?.items ?? []).map((t) => (
                    <label key={t.id} className="inline">
                      <input
                        type="checkbox"
                        checked={a.teamIds.includes(t.id)}
                        onChange={(e) =>
                          void run(
                            () =>
                              api.agents.update(a.id, {
                                teamIds: e.target.checked
                                  ? [...a.teamIds, t.id]
                                  : a.teamIds.filter((x) => x !== t.id),
                              }),
                            `${a.name} ${e.target.checked ? 'added to' : 'removed from'} ${t.name}`,
                          )
                        }
                      />
                      {t.name}
                    </label>
                  ))}
                  {(teams.data?.items ?? []).length === 0 && (
                    <span className="muted small">No teams yet</span>
                  )}
                </fieldset>
              </td>
              <td>{a.totpEnabled ? 'on' : 'off'}</td>
              <td>
                {a.invitePending && a.active && (
                  <>
                    <span className="muted small">Invited · </span>
                    <button type="button" onClick={() => void sendInvite(a.id, a.name)}>
                      Send invitation again
                    </button>{' '}
                  </>
                )}
                {a.id !== me.agent.id && (
                  <button
                    type="button"
                    className={a.active ? 'danger' : ''}
                    onClick={() =>
                      void run(
                        () => api.agents.update(a.id, { active: !a.active }),
                        a.active ? `${a.name} deactivated` : `${a.name} reactivated`,
                      )
                    }
                  >
                    {a.active ? 'Deactivate' : 'Reactivate'}
                  </button>
                )}
                {a.id === me.agent.id && 'you'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          const { name, password } = form;
          void run(async () => {
            const a = await api.agents.create({ ...form, password: password || undefined });
            // Without a password of the admin's choosing, the new agent chooses one from the invitation.
            if (!password) setInvited({ ...(await api.agents.invite(a.id)), name });
          }, `${name} added`).then(
            (ok) => ok && setForm({ name: '', email: '', role: 'agent', password: '' }),
          );
        }}
      >
        <h3>Invite an agent</h3>
        <label>
          Name
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label>
          Email
          <input
            type="email"
            required
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </label>
        <label>
          Role
          <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Or set their first password yourself (optional, at least 10 characters; no invitation is sent)
          <input
            type="password"
            minLength={10}
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </label>
        <button type="submit" className="primary">
          Invite
        </button>
      </form>
    </div>
  );
}
