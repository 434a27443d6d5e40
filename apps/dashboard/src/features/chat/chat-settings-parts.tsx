import { useState } from 'react';
import type { useConfirm } from '../../ui/dialog.tsx';
import type { ChatSettingsT } from './chat-api.ts';
import type { Day, Draft } from './chat-settings-draft.ts';

/* Pieces of Settings → Channels → Chat that hold no form state: preview, hours row, secret, snippet. */

/** The launcher and the top of the open widget, in the colours being edited. */
export function Preview({ draft }: { draft: Draft }) {
  const color = /^#[0-9a-f]{6}$/i.test(draft.color) ? draft.color : '#1f6feb';
  return (
    <figure className="chat-preview" aria-label="Widget preview" data-testid="chat-preview">
      <div className="chat-preview-panel">
        <div className="chat-preview-header" style={{ background: color }} data-testid="preview-header">
          {draft.title || 'Chat with us'}
        </div>
        <div className="chat-preview-body">
          <p className="chat-preview-bubble">{draft.greeting || '…'}</p>
        </div>
      </div>
      <div className="chat-preview-launcher" style={{ background: color }} data-testid="preview-launcher">
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
        </svg>
      </div>
      <figcaption className="muted small">
        {draft.enabled ? 'Preview' : 'Preview (chat is switched off)'}
      </figcaption>
    </figure>
  );
}

export function DayRow({
  day,
  name,
  intervals,
  error,
  onChange,
}: {
  day: Day;
  name: string;
  intervals: { open: string; close: string }[];
  error?: string;
  onChange: (v: { open: string; close: string }[]) => void;
}) {
  const on = intervals.length > 0;
  const first = intervals[0] ?? { open: '09:00', close: '17:00' };
  // The form edits one span per day; further spans set through the API are kept as they are.
  const setFirst = (patch: Partial<typeof first>) =>
    onChange([{ ...first, ...patch }, ...intervals.slice(1)]);
  return (
    <tr data-testid={`hours-${day}`}>
      <th scope="row">
        <label className="check">
          <input type="checkbox" checked={on} onChange={(e) => onChange(e.target.checked ? [first] : [])} />
          {name}
        </label>
      </th>
      <td>
        {on ? (
          <>
            <input
              type="time"
              aria-label={`${name} opens`}
              value={first.open}
              onChange={(e) => setFirst({ open: e.target.value })}
            />
            {' – '}
            <input
              type="time"
              aria-label={`${name} closes`}
              value={first.close === '24:00' ? '23:59' : first.close}
              onChange={(e) => setFirst({ close: e.target.value })}
            />
            {intervals.length > 1 && <span className="muted small"> +{intervals.length - 1} more</span>}
          </>
        ) : (
          <span className="muted small">closed</span>
        )}
        {error && (
          <span className="error small" role="alert">
            {' '}
            {error}
          </span>
        )}
      </td>
    </tr>
  );
}

export function TimeZones({ id }: { id: string }) {
  const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.(
    'timeZone',
  );
  return (
    <datalist id={id}>
      {(zones ?? []).map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        void navigator.clipboard
          ?.writeText(text)
          .then(() => setDone(true))
          .catch(() => setDone(false));
        setTimeout(() => setDone(false), 2000);
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** The identity secret's hint and date, the new secret once after issuing, and issuing a new one. */
export function IdentitySecretSection({
  settings,
  secret,
  busy,
  ask,
  onRotate,
}: {
  settings: ChatSettingsT;
  secret: string | null;
  busy: boolean;
  ask: ReturnType<typeof useConfirm>[0];
  onRotate: () => void;
}) {
  return (
    <section className="card stack" aria-label="Identity secret">
      <h3>Identity secret</h3>
      <p className="muted small">
        Your shop's backend signs the signed-in shopper's e-mail with this secret (HMAC-SHA256) and passes the
        signature to <code>Shopdesk.identify()</code>; verified shoppers see their past chats and are linked
        to their orders. For safety it is shown only once, when it is issued.
      </p>
      <p>
        Current secret ends in <code data-testid="secret-hint">…{settings.identitySecretHint}</code>
        {settings.identitySecretRotatedAt &&
          `, issued ${new Date(settings.identitySecretRotatedAt).toLocaleString()}`}
        .
      </p>
      {secret && (
        <div className="notice stack" role="status">
          <span>New identity secret — copy it now, it will not be shown again:</span>
          <code className="chat-secret" data-testid="identity-secret">
            {secret}
          </code>
          <CopyButton text={secret} label="Copy secret" />
        </div>
      )}
      <div>
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            if (
              await ask(
                'Issue a new identity secret? The current one stops working at once, so signed-in shoppers are treated as guests until your shop uses the new one.',
                { confirmLabel: 'Issue new secret' },
              )
            )
              onRotate();
          }}
        >
          Issue a new secret
        </button>
      </div>
    </section>
  );
}

/** The snippet to paste into the shop's pages, and a link to try it on the demo shop. */
export function InstallSection({
  settings,
  workspaceSlug,
}: {
  settings: ChatSettingsT;
  workspaceSlug: string;
}) {
  return (
    <section className="card stack" aria-label="Install">
      <h3>Install on your shop</h3>
      <p className="muted small">
        Paste this before <code>&lt;/body&gt;</code> on every page of your shop.
      </p>
      <pre className="chat-snippet" data-testid="install-snippet">
        {settings.installSnippet}
      </pre>
      <div className="row">
        <CopyButton text={settings.installSnippet} label="Copy snippet" />
        <a
          href={`/demo/shop?workspace=${encodeURIComponent(workspaceSlug)}`}
          target="_blank"
          rel="noreferrer"
        >
          Try it on the demo shop
        </a>
      </div>
    </section>
  );
}
