import { AVATAR_CONTENT_TYPES, AVATAR_MAX_BYTES } from '@shopdesk/contracts/avatar';
import { useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../../lib/api.ts';
import { useLocation } from '../../lib/router.tsx';
import { useMe, useSession } from '../../lib/session.tsx';
import { Avatar } from '../../shell/layout.tsx';

const readBase64 = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });

export default function ProfilePage() {
  const me = useMe();
  const session = useSession();
  // Arrived from an accepted invitation: the second factor is the next step.
  const welcome = useLocation().search.get('welcome') === '1';
  const [enrol, setEnrol] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [pw, setPw] = useState({ current: '', next: '' });
  const qc = useQueryClient();
  const [uploading, setUploading] = useState(false);

  const avatarChanged = async (text: string) => {
    await session.refresh();
    void qc.invalidateQueries({ queryKey: ['agents'] });
    setMsg({ ok: true, text });
  };
  const uploadAvatar = (file: File) =>
    attempt(null, async () => {
      // Checked here for a quick answer; the server checks the same (and the file's real type).
      if (!(AVATAR_CONTENT_TYPES as readonly string[]).includes(file.type))
        throw new Error('Choose a PNG, JPEG or WebP image.');
      if (file.size > AVATAR_MAX_BYTES)
        throw new Error(`That image is larger than ${AVATAR_MAX_BYTES / 1024} KB; choose a smaller one.`);
      setUploading(true);
      try {
        await api.agents.setAvatar(me.agent.id, {
          contentType: file.type,
          contentBase64: await readBase64(file),
        });
      } finally {
        setUploading(false);
      }
      await avatarChanged('Avatar updated. Shoppers see it beside your chat replies.');
    });

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
      {welcome && !me.agent.totpEnabled && (
        <p className="success" role="status">
          Your password is set and you are signed in. Protect your account now: set up two-factor
          authentication below with an authenticator app.
        </p>
      )}
      <p>
        {me.agent.name} · {me.agent.email} · role <strong>{me.agent.role}</strong>
      </p>
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role="status">
          {msg.text}
        </p>
      )}
      <section className="card" aria-label="Avatar">
        <h3>Avatar</h3>
        <p className="muted small">
          Shoppers see it beside your name in the chat widget; teammates in the ticket view. PNG, JPEG or
          WebP, up to {AVATAR_MAX_BYTES / 1024} KB.
        </p>
        <div className="row">
          <Avatar name={me.agent.name} url={me.agent.avatarUrl} size={64} />
          <label>
            {me.agent.avatarUrl ? 'Upload a new picture' : 'Upload a picture'}
            <input
              type="file"
              accept={AVATAR_CONTENT_TYPES.join(',')}
              disabled={uploading}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) void uploadAvatar(file);
              }}
            />
          </label>
          {me.agent.avatarUrl && (
            <button
              type="button"
              onClick={() =>
                attempt(null, async () => {
                  await api.agents.removeAvatar(me.agent.id);
                  await avatarChanged('Avatar removed.');
                })
              }
            >
              Remove avatar
            </button>
          )}
        </div>
      </section>
      <section className="card">
        <h3>Two-factor authentication</h3>
        {/* First: the codes just made, shown once (the refreshed session already says 2FA is on). */}
        {recovery ? (
          <div>
            <p>Two-factor is on. Keep these one-time recovery codes somewhere safe; they are shown once:</p>
            <pre className="codes">{recovery.join('\n')}</pre>
            <button type="button" onClick={() => setRecovery(null)}>
              I have saved them
            </button>
          </div>
        ) : me.agent.totpEnabled ? (
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
            <p>Scan this code with your authenticator app, then enter the code it shows.</p>
            <TotpQr url={enrol.otpauthUrl} />
            <p className="muted small">
              Cannot scan? Type this key instead: <code data-testid="totp-secret">{enrol.secret}</code> ·{' '}
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

/**
 * The otpauth:// URL as a QR code, drawn in the browser by `qrcode` (the well-kept encoder; only this
 * lazily loaded settings chunk carries it): the secret never leaves the page for an image service.
 */
function TotpQr({ url }: { url: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then((s) => {
      if (live) setSvg(s);
    });
    return () => {
      live = false;
    };
  }, [url]);
  if (!svg) return null;
  return (
    <img
      className="totp-qr"
      alt="QR code for your authenticator app"
      width={180}
      height={180}
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
    />
  );
}
