import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../lib/api.ts';
import { useMe, useSession } from '../../lib/session.tsx';

export default function ProfilePage() {
  const me = useMe();
  const session = useSession();
  const [enrol, setEnrol] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [pw, setPw] = useState({ current: '', next: '' });

  const attempt = async (e: FormEvent | null, fn: () => Promise<void>) => {
    e?.preventDefault();
    setMsg(null);
    try {
      await fn();
    } catch (err) {
      setMsg({ ok: false, text: err instanceof ApiError ? err.message : String(err) });
    }
  };

  return (
    <div className="stack">
      <h2>Profile</h2>
      <p>
        {me.agent.name} · {me.agent.email} · role <strong>{me.agent.role}</strong>
      </p>
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role="status">
          {msg.text}
        </p>
      )}
      <section className="card">
        <h3>Two-factor authentication</h3>
        {me.agent.totpEnabled ? (
          <form
            onSubmit={(e) =>
              attempt(e, async () => {
                await api.auth.disableTotp(code);
                setCode('');
                await session.refresh();
                setMsg({ ok: true, text: 'Two-factor authentication is off.' });
              })
            }
          >
            <p>Two-factor authentication is on.</p>
            <label>
              Current code to turn it off
              <input value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" required />
            </label>
            <button type="submit">Turn off</button>
          </form>
        ) : recovery ? (
          <div>
            <p>Two-factor is on. Keep these one-time recovery codes somewhere safe; they are shown once:</p>
            <pre className="codes">{recovery.join('\n')}</pre>
          </div>
        ) : enrol ? (
          <form
            onSubmit={(e) =>
              attempt(e, async () => {
                const r = await api.auth.confirmTotp(code);
                setRecovery(r.recoveryCodes);
                setCode('');
                await session.refresh();
              })
            }
          >
            <p>
              Add this key to your authenticator app, then enter the code it shows. Key:{' '}
              <code data-testid="totp-secret">{enrol.secret}</code>
            </p>
            <p className="muted small">
              <a href={enrol.otpauthUrl}>Open in authenticator app</a>
            </p>
            <label>
              Code
              <input value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" required />
            </label>
            <button type="submit" className="primary">
              Confirm
            </button>
          </form>
        ) : (
          <button
            type="button"
            onClick={() => attempt(null, async () => setEnrol(await api.auth.enrolTotp()))}
          >
            Set up two-factor authentication
          </button>
        )}
      </section>
      <section className="card">
        <h3>Password</h3>
        <form
          onSubmit={(e) =>
            attempt(e, async () => {
              await api.post('/api/v1/auth/password', pw);
              setPw({ current: '', next: '' });
              setMsg({ ok: true, text: 'Password changed.' });
            })
          }
        >
          <label>
            Current password
            <input
              type="password"
              autoComplete="current-password"
              value={pw.current}
              onChange={(e) => setPw({ ...pw, current: e.target.value })}
              required
            />
          </label>
          <label>
            New password (at least 10 characters)
            <input
              type="password"
              autoComplete="new-password"
              minLength={10}
              value={pw.next}
              onChange={(e) => setPw({ ...pw, next: e.target.value })}
              required
            />
          </label>
          <button type="submit">Change password</button>
        </form>
      </section>
      <section className="card">
        <h3>Browser notifications</h3>
        <p>
          Get a desktop notification when you are mentioned or assigned while Shopdesk is in the background.
        </p>
        <button
          type="button"
          disabled={typeof Notification === 'undefined'}
          onClick={() =>
            void Notification.requestPermission().then((p) =>
              setMsg({ ok: p === 'granted', text: `Browser notifications: ${p}` }),
            )
          }
        >
          Allow browser notifications
        </button>
      </section>
    </div>
  );
}
