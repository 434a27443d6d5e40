import type { AccountLinkInfo } from '@shopdesk/contracts';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api, setCsrfToken } from '../lib/api.ts';
import { navigate } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';

/**
 * The pages an agent opens from an invitation or reset e-mail. The token is the URL's fragment (it never
 * reaches a server log); it is read once and dropped from the address bar.
 */
export function AccountLinkPage({ purpose }: { purpose: 'invite' | 'reset' }) {
  const session = useSession();
  const [token] = useState(() => window.location.hash.slice(1));
  const [info, setInfo] = useState<AccountLinkInfo | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    window.history.replaceState(null, '', window.location.pathname);
    if (!token) return setProblem('This link is incomplete; open it again from the e-mail.');
    api.auth
      .inspectLink(token)
      .then((i) => (i.purpose === purpose ? setInfo(i) : setProblem('This link is for another page.')))
      .catch((e) => setProblem(e instanceof ApiError ? e.message : 'Could not reach the server'));
  }, [token, purpose]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== again) return setProblem('The two passwords are not the same.');
    setBusy(true);
    setProblem(null);
    try {
      if (purpose === 'invite') {
        const r = await api.auth.acceptInvite(token, password);
        setCsrfToken(r.csrfToken);
        await session.refresh();
        // First stop: the profile, where two-factor sign-in is set up.
        navigate('/settings/profile?welcome=1', { replace: true });
      } else {
        await api.auth.resetPassword(token, password);
        setDone(true);
      }
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : 'Could not reach the server');
    } finally {
      setBusy(false);
    }
  };

  const title = purpose === 'invite' ? 'Welcome to Shopdesk' : 'Choose a new password';
  return (
    <main className="signin">
      <div className="signin-card">
        <div className="brand-lg">Shopdesk</div>
        <h1>{title}</h1>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        {done ? (
          <>
            <p role="status">Your password has been changed. Every other session has been signed out.</p>
            <a className="button primary" href="/">
              Sign in
            </a>
          </>
        ) : (
          info && (
            <form onSubmit={(e) => void submit(e)}>
              <p>
                {purpose === 'invite'
                  ? `${info.name}, choose the password you will sign in to ${info.workspace} with.`
                  : `New password for ${info.email} (${info.workspace}).`}
              </p>
              <label>
                Email
                <input type="email" autoComplete="username" readOnly value={info.email} />
              </label>
              <label>
                New password (at least 10 characters)
                <input
                  type="password"
                  autoComplete="new-password"
                  minLength={10}
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              </label>
              <label>
                The same password again
                <input
                  type="password"
                  autoComplete="new-password"
                  minLength={10}
                  required
                  value={again}
                  onChange={(e) => setAgain(e.target.value)}
                />
              </label>
              <button type="submit" className="primary" disabled={busy}>
                {busy ? 'Saving…' : purpose === 'invite' ? 'Set password and sign in' : 'Change password'}
              </button>
            </form>
          )
        )}
      </div>
    </main>
  );
}
