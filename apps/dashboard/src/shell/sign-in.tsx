import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../lib/api.ts';
import { useSession } from '../lib/session.tsx';

/** Password then (if enrolled) TOTP. With `expired`, it is the dialog shown over the still-mounted app. */
export function SignIn({ expired = false }: { expired?: boolean }) {
  const session = useSession();
  const [step, setStep] = useState<'password' | 'totp' | 'forgot' | 'asked'>(
    session.stage === 'mfa' ? 'totp' : 'password',
  );
  const [email, setEmail] = useState(session.me?.agent.email ?? '');
  const [password, setPassword] = useState('');
  const [workspace, setWorkspace] = useState(session.me?.workspace.slug ?? '');
  const [showWorkspace, setShowWorkspace] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (e: FormEvent, fn: () => Promise<void>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      const msg = err instanceof ApiError ? err.message : 'Could not reach the server';
      if (err instanceof ApiError && /workspace/i.test(err.message)) setShowWorkspace(true);
      setError(msg);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <div className="signin-card">
        <div className="brand-lg">Shopdesk</div>
        <h1 id="expired-title">
          {expired
            ? 'Your session has ended'
            : step === 'totp'
              ? 'Two-factor check'
              : step === 'forgot' || step === 'asked'
                ? 'Reset your password'
                : 'Sign in'}
        </h1>
        {expired && <p className="muted">Sign in again to carry on. Your unsent replies are kept.</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {step === 'password' ? (
          <form
            onSubmit={(e) =>
              run(e, async () => {
                const r = await session.signIn(email, password, workspace);
                if (r === 'mfa') setStep('totp');
              })
            }
          >
            <EmailField value={email} onChange={setEmail} />
            <label>
              Password
              <input
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </label>
            {showWorkspace ? (
              <label>
                Workspace
                <input value={workspace} onChange={(e) => setWorkspace(e.target.value)} />
              </label>
            ) : (
              <button type="button" className="link" onClick={() => setShowWorkspace(true)}>
                Sign in to a specific workspace
              </button>
            )}
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <button type="button" className="link" onClick={() => setStep('forgot')}>
              Forgot your password?
            </button>
          </form>
        ) : step === 'forgot' ? (
          <form
            onSubmit={(e) =>
              run(e, async () => {
                await api.auth.forgotPassword(email, workspace || undefined);
                setStep('asked');
              })
            }
          >
            <p>We will e-mail you a link to choose a new one. It works once, for an hour.</p>
            <EmailField value={email} onChange={setEmail} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Sending…' : 'Send the link'}
            </button>
            <button type="button" className="link" onClick={() => setStep('password')}>
              Back to sign-in
            </button>
          </form>
        ) : step === 'asked' ? (
          <div>
            <p role="status">
              If {email} belongs to an agent, a link to choose a new password is on its way. Check your inbox
              (and spam folder).
            </p>
            <button type="button" className="link" onClick={() => setStep('password')}>
              Back to sign-in
            </button>
          </div>
        ) : (
          <form onSubmit={(e) => run(e, () => session.verifyTotp(code.trim()))}>
            <label>
              Code from your authenticator app (or a recovery code)
              <input
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                // biome-ignore lint/a11y/noAutofocus: the only field on this step
                autoFocus
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Checking…' : 'Verify'}
            </button>
          </form>
        )}
      </div>
    </main>
  );
}

function EmailField({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  return (
    <label>
      Email
      <input
        type="email"
        autoComplete="username"
        required
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
