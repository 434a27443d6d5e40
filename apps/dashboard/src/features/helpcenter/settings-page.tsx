import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { useMe } from '../../lib/session.tsx';
import { Field, fieldErrors } from '../../ui/field.tsx';
import { hcApi, LANGUAGE_NAMES, languageName, type SettingsT } from './helpcenter-api.ts';
import './helpcenter.css';

/**
 * Settings → Help center: switched on or off, title, theme (logo, colour), the shop's own domain,
 * languages and the contact form's topics. Leads and admins edit; others see the same form read-only.
 * Saves go through PATCH /api/v1/helpcenter/settings; each error the server names is shown beside its
 * field (details `{path: 'body.<field>', message}`).
 */

type Draft = {
  enabled: boolean;
  title: string;
  logoUrl: string;
  primaryColor: string;
  customDomain: string;
  locales: string[];
  defaultLocale: string;
  contactTopics: string;
};

const toDraft = (s: SettingsT): Draft => ({
  enabled: s.enabled,
  title: s.title,
  logoUrl: s.logoUrl ?? '',
  primaryColor: s.primaryColor,
  customDomain: s.customDomain ?? '',
  locales: s.locales,
  defaultLocale: s.defaultLocale,
  contactTopics: s.contactTopics.join('\n'),
});

export default function HelpCenterSettingsPage() {
  const q = useQuery({ queryKey: ['helpcenter', 'settings'], queryFn: hcApi.settings });
  if (q.isLoading) return <p className="loading">Loading…</p>;
  if (q.isError || !q.data)
    return (
      <p className="error" role="alert">
        Could not load the help center settings{q.error instanceof ApiError ? `: ${q.error.message}` : ''}.
      </p>
    );
  return <SettingsForm settings={q.data} />;
}

function SettingsForm({ settings }: { settings: SettingsT }) {
  const qc = useQueryClient();
  const id = useId();
  const canEdit = atLeast(useMe().agent.role, 'lead');
  const [draft, setDraft] = useState<Draft>(() => toDraft(settings));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [newLang, setNewLang] = useState('');
  useEffect(() => setDraft(toDraft(settings)), [settings]);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const err = (k: string) => errors[k];

  const save = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const saved = await hcApi.updateSettings({
        enabled: draft.enabled,
        title: draft.title,
        logoUrl: draft.logoUrl.trim() || null,
        primaryColor: draft.primaryColor,
        customDomain: draft.customDomain.trim() || null,
        locales: draft.locales,
        defaultLocale: draft.defaultLocale,
        contactTopics: draft.contactTopics
          .split('\n')
          .map((t) => t.trim())
          .filter(Boolean),
      });
      setErrors({});
      qc.setQueryData(['helpcenter', 'settings'], saved);
      setMsg({ ok: true, text: 'Help center settings saved' });
    } catch (e) {
      const r = fieldErrors(e, { topLevel: true });
      setErrors(r.fields);
      setMsg({ ok: false, text: r.general });
    } finally {
      setBusy(false);
    }
  };

  const text = (k: 'title' | 'logoUrl' | 'customDomain', label: string, hint?: string) => (
    <Field label={label} id={`${id}-${k}`} error={err(k)} hint={hint}>
      <input
        id={`${id}-${k}`}
        value={draft[k]}
        readOnly={!canEdit}
        aria-invalid={err(k) ? true : undefined}
        onChange={(e) => set(k, e.target.value)}
      />
    </Field>
  );
  const addLang = () => {
    const l = newLang.trim().toLowerCase();
    if (l && !draft.locales.includes(l)) set('locales', [...draft.locales, l]);
    setNewLang('');
  };

  return (
    <div className="stack">
      <h2>Help center</h2>
      <p className="muted small">
        Where shoppers find answers: <a href={settings.url}>{settings.url}</a>
        {canEdit ? '' : ' — only leads and admins change these settings.'}
      </p>
      <form
        className="hc-settings-form"
        aria-label="Help center settings"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (canEdit) void save();
        }}
      >
        <fieldset disabled={!canEdit}>
          <legend>Look</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => set('enabled', e.target.checked)}
            />
            The help center is public
          </label>
          {text('title', 'Title')}
          {text('logoUrl', 'Logo URL', 'https://… or a path on this site; leave empty for none')}
          <Field label="Primary colour" id={`${id}-primaryColor`} error={err('primaryColor')}>
            <div className="row">
              <input
                type="color"
                aria-label="Pick a colour"
                value={/^#[0-9a-f]{6}$/i.test(draft.primaryColor) ? draft.primaryColor : '#000000'}
                onChange={(e) => set('primaryColor', e.target.value)}
              />
              <input
                id={`${id}-primaryColor`}
                value={draft.primaryColor}
                aria-invalid={err('primaryColor') ? true : undefined}
                onChange={(e) => set('primaryColor', e.target.value.trim())}
              />
            </div>
          </Field>
        </fieldset>
        <fieldset disabled={!canEdit}>
          <legend>Address and languages</legend>
          {text(
            'customDomain',
            'Own domain',
            'e.g. help.yourshop.com, pointed at Shopdesk; empty: the address above',
          )}
          <Field label="Languages" id={`${id}-locales`} error={err('locales')}>
            <div className="hc-langs" id={`${id}-locales`}>
              {draft.locales.map((l) => (
                <span key={l} className="row">
                  {languageName(l)} ({l})
                  <button
                    type="button"
                    className="ghost"
                    aria-label={`Remove ${languageName(l)}`}
                    disabled={draft.locales.length === 1}
                    onClick={() =>
                      set(
                        'locales',
                        draft.locales.filter((x) => x !== l),
                      )
                    }
                  >
                    ×
                  </button>
                </span>
              ))}
            </div>
          </Field>
          <div className="row">
            <input
              aria-label="Language to add"
              list={`${id}-known`}
              placeholder="e.g. fr"
              value={newLang}
              onChange={(e) => setNewLang(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addLang();
                }
              }}
            />
            <datalist id={`${id}-known`}>
              {Object.entries(LANGUAGE_NAMES).map(([code, name]) => (
                <option key={code} value={code}>
                  {name}
                </option>
              ))}
            </datalist>
            <button type="button" onClick={addLang}>
              Add language
            </button>
          </div>
          <Field label="Default language" id={`${id}-defaultLocale`} error={err('defaultLocale')}>
            <select
              id={`${id}-defaultLocale`}
              value={draft.defaultLocale}
              aria-invalid={err('defaultLocale') ? true : undefined}
              onChange={(e) => set('defaultLocale', e.target.value)}
            >
              {[...new Set([...draft.locales, draft.defaultLocale])].map((l) => (
                <option key={l} value={l}>
                  {languageName(l)}
                </option>
              ))}
            </select>
          </Field>
          <Field
            label="Contact form topics"
            id={`${id}-contactTopics`}
            error={err('contactTopics')}
            hint="One per line"
          >
            <textarea
              id={`${id}-contactTopics`}
              rows={5}
              value={draft.contactTopics}
              aria-invalid={err('contactTopics') ? true : undefined}
              onChange={(e) => set('contactTopics', e.target.value)}
            />
          </Field>
        </fieldset>
        {msg && (
          <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
            {msg.text}
          </p>
        )}
        {canEdit && (
          <div className="row">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save help center settings'}
            </button>
          </div>
        )}
      </form>
    </div>
  );
}
