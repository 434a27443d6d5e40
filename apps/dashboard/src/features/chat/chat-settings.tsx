import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { useMe } from '../../lib/session.tsx';
import { type ChatSettingsT, chatApi, type PrechatFieldT, type UpdateChatSettingsT } from './chat-api.ts';
import './chat.css';
import { useConfirm } from '../../ui/dialog.tsx';
import { Field, fieldErrors } from '../../ui/field.tsx';
import { DAYS, type Draft, type Errors, keyFrom, toDraft } from './chat-settings-draft.ts';
import { DayRow, IdentitySecretSection, InstallSection, Preview, TimeZones } from './chat-settings-parts.tsx';

/**
 * Settings → Channels → Chat: how the widget looks and greets, what it asks before a chat, when the
 * team is there, which sites may embed it, the identity secret (shown once, when issued) and the
 * snippet to paste into the shop's pages. Everything goes through PATCH /api/v1/chat/settings; the
 * server names each invalid field and the form shows the message beside it.
 */

export default function ChatSettingsPage() {
  const q = useQuery({ queryKey: ['chat', 'settings'], queryFn: chatApi.settings });
  if (q.isLoading) return <p className="loading">Loading…</p>;
  if (q.isError || !q.data)
    return (
      <p className="error" role="alert">
        Could not load the chat settings{q.error instanceof ApiError ? `: ${q.error.message}` : ''}.
      </p>
    );
  return <ChatSettingsForm settings={q.data} />;
}

function ChatSettingsForm({ settings }: { settings: ChatSettingsT }) {
  const [ask, askDialog] = useConfirm();
  const me = useMe();
  const qc = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState<Draft>(() => toDraft(settings));
  const [errors, setErrors] = useState<Errors>({});
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [newOrigin, setNewOrigin] = useState('');
  // Keys of fields added in this session follow their label until saved (stored keys never change).
  const [freshKeys, setFreshKeys] = useState<Set<number>>(new Set());

  useEffect(() => setDraft(toDraft(settings)), [settings]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const setHours = (patch: Partial<Draft['businessHours']>) =>
    setDraft((d) => ({ ...d, businessHours: { ...d.businessHours, ...patch } }));
  const setField = (i: number, patch: Partial<PrechatFieldT>) =>
    setDraft((d) => {
      const fields = d.prechatFields.map((f, j) => (j === i ? { ...f, ...patch } : f));
      if (patch.label !== undefined && freshKeys.has(i))
        fields[i] = {
          ...fields[i]!,
          key: keyFrom(
            patch.label,
            fields.filter((_, j) => j !== i).map((f) => f.key),
          ),
        };
      return { ...d, prechatFields: fields };
    });
  const moveField = (i: number, by: -1 | 1) =>
    setDraft((d) => {
      const fields = [...d.prechatFields];
      const j = i + by;
      if (j < 0 || j >= fields.length) return d;
      [fields[i], fields[j]] = [fields[j]!, fields[i]!];
      setFreshKeys((s) => new Set([...s].map((x) => (x === i ? j : x === j ? i : x))));
      return { ...d, prechatFields: fields };
    });
  const removeField = (i: number) => {
    setDraft((d) => ({ ...d, prechatFields: d.prechatFields.filter((_, j) => j !== i) }));
    setFreshKeys((s) => new Set([...s].filter((x) => x !== i).map((x) => (x > i ? x - 1 : x))));
  };
  const addField = () => {
    setFreshKeys((s) => new Set([...s, draft.prechatFields.length]));
    set('prechatFields', [
      ...draft.prechatFields,
      {
        key: keyFrom(
          'field',
          draft.prechatFields.map((f) => f.key),
        ),
        label: '',
        type: 'text',
        required: false,
        options: [],
      },
    ]);
  };
  const addOrigin = () => {
    const o = newOrigin.trim().replace(/\/+$/, '');
    if (!o) return;
    if (!draft.allowedOrigins.includes(o)) set('allowedOrigins', [...draft.allowedOrigins, o]);
    setNewOrigin('');
  };

  const save = async (body: UpdateChatSettingsT, ok: string) => {
    setBusy(true);
    setMsg(null);
    try {
      const saved = await chatApi.update(body);
      setErrors({});
      setFreshKeys(new Set());
      if (saved.identitySecret) setSecret(saved.identitySecret);
      qc.setQueryData(['chat', 'settings'], saved);
      setMsg({ ok: true, text: ok });
    } catch (e) {
      const r = fieldErrors(e);
      setErrors(r.fields);
      setMsg({ ok: false, text: r.general });
    } finally {
      setBusy(false);
    }
  };

  const err = (path: string) => errors[path];
  const errUnder = (prefix: string) =>
    Object.entries(errors).find(([k]) => k === prefix || k.startsWith(`${prefix}.`))?.[1];
  const input = (
    k: 'title' | 'color' | 'emailFallbackAfterSeconds',
    label: string,
    extra: { type?: string; hint?: ReactNode } = {},
  ) => (
    <Field label={label} id={`${id}-${k}`} error={err(k)} hint={extra.hint}>
      <input
        id={`${id}-${k}`}
        type={extra.type ?? 'text'}
        value={String(draft[k])}
        aria-invalid={err(k) ? true : undefined}
        onChange={(e) =>
          set(k, (k === 'emailFallbackAfterSeconds' ? Number(e.target.value) : e.target.value) as never)
        }
      />
    </Field>
  );
  const presence = (k: 'nameField' | 'emailField', label: string) => (
    <Field label={label} id={`${id}-${k}`} error={err(k)}>
      <select id={`${id}-${k}`} value={draft[k]} onChange={(e) => set(k, e.target.value as Draft[K])}>
        <option value="off">not asked</option>
        <option value="optional">optional</option>
        <option value="required">required</option>
      </select>
    </Field>
  );
  type K = 'nameField' | 'emailField';

  const hours = draft.businessHours;
  return (
    <div className="stack chat-settings">
      {askDialog}
      <h2>Live chat</h2>
      <p className="muted small">
        The chat widget on your shop's pages. Changes reach open widgets within a minute (new page views at
        once).
      </p>
      <form
        className="chat-form"
        aria-label="Chat settings"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(draft, 'Chat settings saved');
        }}
      >
        <fieldset>
          <legend>Look and greeting</legend>
          <div className="chat-look">
            <div className="stack">
              <label className="check">
                <input
                  type="checkbox"
                  checked={draft.enabled}
                  onChange={(e) => set('enabled', e.target.checked)}
                />
                Chat is switched on
              </label>
              <Field label="Colour" id={`${id}-color`} error={err('color')}>
                <div className="row">
                  <input
                    type="color"
                    aria-label="Pick a colour"
                    value={/^#[0-9a-f]{6}$/i.test(draft.color) ? draft.color : '#000000'}
                    onChange={(e) => set('color', e.target.value)}
                  />
                  <input
                    id={`${id}-color`}
                    className="chat-hex"
                    value={draft.color}
                    aria-invalid={err('color') ? true : undefined}
                    onChange={(e) => set('color', e.target.value.trim())}
                  />
                </div>
              </Field>
              {input('title', 'Title (the widget header)')}
              <Field label="Greeting" id={`${id}-greeting`} error={err('greeting')}>
                <textarea
                  id={`${id}-greeting`}
                  rows={2}
                  value={draft.greeting}
                  aria-invalid={err('greeting') ? true : undefined}
                  onChange={(e) => set('greeting', e.target.value)}
                />
              </Field>
              <Field
                label="Away message (outside business hours)"
                id={`${id}-away`}
                error={err('awayMessage')}
              >
                <textarea
                  id={`${id}-away`}
                  rows={2}
                  value={draft.awayMessage}
                  onChange={(e) => set('awayMessage', e.target.value)}
                />
              </Field>
            </div>
            <Preview draft={draft} />
          </div>
        </fieldset>

        <fieldset>
          <legend>Before the chat (pre-chat form)</legend>
          <div className="row">
            {presence('nameField', 'Name')}
            {presence('emailField', 'E-mail')}
          </div>
          <p className="muted small">
            Outside business hours the e-mail address is always asked for, so the reply can reach the shopper.
          </p>
          {draft.prechatFields.length > 0 && (
            <ol className="chat-prechat" aria-label="Pre-chat fields">
              {draft.prechatFields.map((f, i) => {
                const p = `prechatFields.${i}`;
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are identified by position while edited
                  <li key={i} className="chat-prechat-row" data-testid={`prechat-field-${i}`}>
                    <Field label="Label" id={`${id}-pf-${i}-label`} error={err(`${p}.label`)}>
                      <input
                        id={`${id}-pf-${i}-label`}
                        value={f.label}
                        aria-invalid={err(`${p}.label`) ? true : undefined}
                        onChange={(e) => setField(i, { label: e.target.value })}
                      />
                    </Field>
                    <Field label="Type" id={`${id}-pf-${i}-type`} error={err(`${p}.type`)}>
                      <select
                        id={`${id}-pf-${i}-type`}
                        value={f.type}
                        onChange={(e) => setField(i, { type: e.target.value as PrechatFieldT['type'] })}
                      >
                        <option value="text">Text</option>
                        <option value="textarea">Long text</option>
                        <option value="tel">Phone</option>
                        <option value="select">Choice</option>
                      </select>
                    </Field>
                    {f.type === 'select' && (
                      <Field
                        label="Choices (comma-separated)"
                        id={`${id}-pf-${i}-options`}
                        error={errUnder(`${p}.options`)}
                      >
                        <input
                          id={`${id}-pf-${i}-options`}
                          value={f.options.join(', ')}
                          onChange={(e) =>
                            setField(i, {
                              options: e.target.value.split(',').map((o) => o.trimStart()),
                            })
                          }
                          onBlur={() =>
                            setField(i, { options: f.options.map((o) => o.trim()).filter(Boolean) })
                          }
                        />
                      </Field>
                    )}
                    <label className="check">
                      <input
                        type="checkbox"
                        checked={f.required}
                        onChange={(e) => setField(i, { required: e.target.checked })}
                      />
                      Required
                    </label>
                    <span className="muted small" title="Stored answers are kept under this key">
                      key <code>{f.key}</code>
                      {err(`${p}.key`) && (
                        <span className="error" role="alert">
                          {' '}
                          {err(`${p}.key`)}
                        </span>
                      )}
                    </span>
                    <span className="row chat-prechat-actions">
                      <button
                        type="button"
                        className="plain"
                        aria-label={`Move ${f.label || 'field'} up`}
                        disabled={i === 0}
                        onClick={() => moveField(i, -1)}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        className="plain"
                        aria-label={`Move ${f.label || 'field'} down`}
                        disabled={i === draft.prechatFields.length - 1}
                        onClick={() => moveField(i, 1)}
                      >
                        ↓
                      </button>
                      <button
                        type="button"
                        className="plain danger"
                        aria-label={`Remove ${f.label || 'field'}`}
                        onClick={() => removeField(i)}
                      >
                        Remove
                      </button>
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
          {err('prechatFields') && (
            <p className="error small" role="alert">
              {err('prechatFields')}
            </p>
          )}
          <div>
            <button type="button" onClick={addField} disabled={draft.prechatFields.length >= 10}>
              Add a question
            </button>
          </div>
        </fieldset>

        <fieldset>
          <legend>Business hours</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={hours.enabled}
              onChange={(e) => setHours({ enabled: e.target.checked })}
            />
            Only say we are here during these hours (otherwise the team counts as always available)
          </label>
          {hours.enabled && (
            <>
              <Field
                label="Time zone"
                id={`${id}-tz`}
                error={err('businessHours.timezone')}
                hint="An IANA name such as Europe/Berlin or America/New_York"
              >
                <input
                  id={`${id}-tz`}
                  value={hours.timezone}
                  list={`${id}-tz-list`}
                  aria-invalid={err('businessHours.timezone') ? true : undefined}
                  onChange={(e) => setHours({ timezone: e.target.value })}
                />
                <TimeZones id={`${id}-tz-list`} />
              </Field>
              <table className="chat-hours">
                <tbody>
                  {DAYS.map(([d, name]) => (
                    <DayRow
                      key={d}
                      day={d}
                      name={name}
                      intervals={hours.days[d] ?? []}
                      error={errUnder(`businessHours.days.${d}`)}
                      onChange={(v) => setHours({ days: { ...hours.days, [d]: v } })}
                    />
                  ))}
                </tbody>
              </table>
              <Field
                label="Closed on (dates, comma-separated)"
                id={`${id}-holidays`}
                error={errUnder('businessHours.holidays')}
                hint="YYYY-MM-DD, e.g. 2026-12-25, 2027-01-01"
              >
                <input
                  id={`${id}-holidays`}
                  value={hours.holidays.join(', ')}
                  onChange={(e) =>
                    setHours({
                      holidays: e.target.value
                        .split(',')
                        .map((s) => s.trim())
                        .filter(Boolean),
                    })
                  }
                />
              </Field>
            </>
          )}
        </fieldset>

        <fieldset>
          <legend>Where the widget may run</legend>
          <p className="muted small">
            With no sites listed, any website may embed your widget. Otherwise only these (and this server's
            own pages); <code>https://*.example.com</code> allows every subdomain.
          </p>
          <ul className="chat-origins" aria-label="Allowed sites">
            {draft.allowedOrigins.map((o, i) => (
              <li key={o}>
                <code>{o}</code>
                {err(`allowedOrigins.${i}`) && (
                  <span className="error small" role="alert">
                    {err(`allowedOrigins.${i}`)}
                  </span>
                )}
                <button
                  type="button"
                  className="plain danger"
                  aria-label={`Remove ${o}`}
                  onClick={() =>
                    set(
                      'allowedOrigins',
                      draft.allowedOrigins.filter((x) => x !== o),
                    )
                  }
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <div className="row">
            <input
              aria-label="Site to allow"
              placeholder="https://your-shop.com"
              value={newOrigin}
              onChange={(e) => setNewOrigin(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addOrigin();
                }
              }}
            />
            <button type="button" onClick={addOrigin}>
              Add site
            </button>
          </div>
          {err('allowedOrigins') && (
            <p className="error small" role="alert">
              {err('allowedOrigins')}
            </p>
          )}
        </fieldset>

        <fieldset>
          <legend>Replies by e-mail and signed-in shoppers</legend>
          {input('emailFallbackAfterSeconds', 'Send an unread reply by e-mail after (seconds)', {
            type: 'number',
            hint: 'Only when the shopper left an e-mail address; at once when they have closed the page.',
          })}
          <label className="check">
            <input
              type="checkbox"
              checked={draft.requireIdentity}
              onChange={(e) => set('requireIdentity', e.target.checked)}
            />
            Only signed-in shoppers (verified with the identity secret) may chat
          </label>
        </fieldset>

        {msg && (
          <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
            {msg.text}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save chat settings'}
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setDraft(toDraft(settings));
              setErrors({});
              setMsg(null);
            }}
          >
            Discard changes
          </button>
        </div>
      </form>
      <IdentitySecretSection
        settings={settings}
        secret={secret}
        busy={busy}
        ask={ask}
        onRotate={() => void save({ rotateIdentitySecret: true }, 'New identity secret issued')}
      />
      <InstallSection settings={settings} workspaceSlug={me.workspace.slug} />
    </div>
  );
}
