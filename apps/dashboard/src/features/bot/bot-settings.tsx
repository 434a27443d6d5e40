import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { useMe } from '../../lib/session.tsx';
import { Field, fieldErrors } from '../../ui/field.tsx';
import { type BotSettingsT, botApi } from './bot-api.ts';
import './bot.css';

/**
 * Settings → Bot: where the bot answers (chat widget, the help center's "ask" page, messaging), what it
 * says first, what it may do, when it hands over to a human — and how many conversations it resolved
 * without one (containment). Admins edit (the bot API allows only them); everyone else reads. The
 * server's errors are shown beside their field (details `{path: 'body.handover.…', message}`).
 */

const CHANNELS = [
  ['chat', 'Chat widget'],
  ['portal', 'Help center “Ask a question” page'],
  ['messaging', 'Messaging channels'],
] as const;
const INTENTS = [
  ['answer', 'Answer questions from help center articles'],
  ['orderStatus', 'Order status (after the shopper proves the order is theirs)'],
  ['returns', 'Start a return request'],
  ['cancel', 'Start a cancellation request'],
  ['change', 'Take order changes (address, size, item) for the team'],
] as const;

export default function BotSettingsPage() {
  const q = useQuery({ queryKey: ['bot', 'settings'], queryFn: botApi.settings });
  return (
    <div className="stack">
      <h2>Bot</h2>
      {q.isLoading ? (
        <p className="loading">Loading…</p>
      ) : q.isError || !q.data ? (
        <p className="error" role="alert">
          Could not load the bot settings{q.error instanceof ApiError ? `: ${q.error.message}` : ''}.
        </p>
      ) : (
        <BotForm settings={q.data} />
      )}
      <Containment />
    </div>
  );
}

function BotForm({ settings }: { settings: BotSettingsT }) {
  const qc = useQueryClient();
  const id = useId();
  const canEdit = atLeast(useMe().agent.role, 'lead');
  const [draft, setDraft] = useState<BotSettingsT>(() => structuredClone(settings));
  // Numbers are edited as text so a half-typed value can be sent and named by the server.
  const [failed, setFailed] = useState(String(settings.handover.afterFailedAnswers));
  const [confidence, setConfidence] = useState(String(settings.handover.minAnswerConfidence));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setDraft(structuredClone(settings));
    setFailed(String(settings.handover.afterFailedAnswers));
    setConfidence(String(settings.handover.minAnswerConfidence));
  }, [settings]);

  const save = async () => {
    setBusy(true);
    setMsg(null);
    try {
      const saved = await botApi.update({
        enabled: draft.enabled,
        greeting: draft.greeting,
        intents: draft.intents,
        handover: {
          onRequest: draft.handover.onRequest,
          onAngry: draft.handover.onAngry,
          afterFailedAnswers: Number(failed),
          minAnswerConfidence: Number(confidence),
        },
      });
      setErrors({});
      qc.setQueryData(['bot', 'settings'], saved);
      setMsg({ ok: true, text: 'Bot settings saved' });
    } catch (e) {
      const r = fieldErrors(e);
      setErrors(r.fields);
      setMsg({ ok: false, text: r.general });
    } finally {
      setBusy(false);
    }
  };
  const err = (k: string) => errors[k];

  return (
    <form
      className="bot-form"
      aria-label="Bot settings"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit) void save();
      }}
    >
      {!canEdit && <p className="muted small">Only leads and admins change the bot's settings.</p>}
      <fieldset disabled={!canEdit}>
        <legend>Where the bot answers</legend>
        {CHANNELS.map(([k, label]) => (
          <label className="check" key={k}>
            <input
              type="checkbox"
              checked={draft.enabled[k]}
              onChange={(e) => setDraft((d) => ({ ...d, enabled: { ...d.enabled, [k]: e.target.checked } }))}
            />
            {label}
          </label>
        ))}
        <Field label="Greeting" id={`${id}-greeting`} error={err('greeting')}>
          <textarea
            id={`${id}-greeting`}
            rows={2}
            value={draft.greeting}
            aria-invalid={err('greeting') ? true : undefined}
            onChange={(e) => setDraft((d) => ({ ...d, greeting: e.target.value }))}
          />
        </Field>
      </fieldset>
      <fieldset disabled={!canEdit}>
        <legend>What it may do</legend>
        {INTENTS.map(([k, label]) => (
          <label className="check" key={k}>
            <input
              type="checkbox"
              checked={draft.intents[k]}
              onChange={(e) => setDraft((d) => ({ ...d, intents: { ...d.intents, [k]: e.target.checked } }))}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <fieldset disabled={!canEdit}>
        <legend>Handing over to a human</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.handover.onRequest}
            onChange={(e) =>
              setDraft((d) => ({ ...d, handover: { ...d.handover, onRequest: e.target.checked } }))
            }
          />
          When the shopper asks for a person
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.handover.onAngry}
            onChange={(e) =>
              setDraft((d) => ({ ...d, handover: { ...d.handover, onAngry: e.target.checked } }))
            }
          />
          When the shopper is upset
        </label>
        <Field
          label="After this many answers that did not help"
          id={`${id}-failed`}
          error={err('handover.afterFailedAnswers')}
          hint="1 to 10"
        >
          <input
            id={`${id}-failed`}
            inputMode="numeric"
            value={failed}
            aria-invalid={err('handover.afterFailedAnswers') ? true : undefined}
            onChange={(e) => setFailed(e.target.value)}
          />
        </Field>
        <Field
          label="Minimum answer confidence"
          id={`${id}-confidence`}
          error={err('handover.minAnswerConfidence')}
          hint="0 to 1: below it the bot says it does not know"
        >
          <input
            id={`${id}-confidence`}
            inputMode="decimal"
            value={confidence}
            aria-invalid={err('handover.minAnswerConfidence') ? true : undefined}
            onChange={(e) => setConfidence(e.target.value)}
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
            {busy ? 'Saving…' : 'Save bot settings'}
          </button>
        </div>
      )}
    </form>
  );
}

function Containment() {
  const [days, setDays] = useState(30);
  const q = useQuery({ queryKey: ['bot', 'containment', days], queryFn: () => botApi.containment(days) });
  const c = q.data;
  return (
    <section className="card stack" aria-label="Containment">
      <div className="row">
        <h3 style={{ margin: 0 }}>Resolved without a human</h3>
        <span className="spacer" />
        <select aria-label="Period" value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
        </select>
      </div>
      {q.isError && (
        <p className="error" role="alert">
          Could not load the figures.
        </p>
      )}
      {c && (
        <>
          <div className="bot-figures">
            <span>
              <strong data-testid="containment-rate">
                {c.containmentRate === null ? '—' : `${Math.round(c.containmentRate * 100)} %`}
              </strong>
              containment (resolved of the finished conversations)
            </span>
            <span>
              <strong>{c.conversations}</strong>conversations
            </span>
            <span>
              <strong>{c.resolved}</strong>resolved (the shopper said it helped)
            </span>
            <span>
              <strong>{c.handedOver}</strong>handed over
            </span>
            <span>
              <strong>{c.open}</strong>still open
            </span>
          </div>
          {c.byChannel.length > 0 && (
            <table className="bot-channels">
              <thead>
                <tr>
                  <th>Channel</th>
                  <th>Outcome</th>
                  <th>Conversations</th>
                </tr>
              </thead>
              <tbody>
                {c.byChannel.map((r) => (
                  <tr key={`${r.channel}-${r.outcome}`}>
                    <td>{r.channel}</td>
                    <td>{r.outcome.replace('_', ' ')}</td>
                    <td>{r.n}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
