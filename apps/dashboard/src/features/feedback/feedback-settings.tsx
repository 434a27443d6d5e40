import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { atLeast } from '../../lib/roles.ts';
import { useMe } from '../../lib/session.tsx';
import { Field, fieldErrors } from '../../ui/field.tsx';
import { type FeedbackSettingsT, feedbackApi } from './feedback-api.ts';
import { SurveyTextsEditor } from './survey-texts.tsx';
import './feedback.css';

const list = (s: string) =>
  s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Settings → Surveys & follow-ups: when a solved ticket gets "did this fix it?", who is asked for a
 * rating (delay, cooldown, sampling, rules), the scale and words, what a low score does, NPS after
 * delivery, and the site's Feedback tab. Leads and admins edit; everyone reads.
 */
export default function FeedbackSettingsPage() {
  const q = useQuery({ queryKey: ['feedback', 'settings'], queryFn: feedbackApi.settings });
  return (
    <div className="stack">
      <h2>Surveys & follow-ups</h2>
      {q.isLoading && <p className="loading">Loading…</p>}
      {q.isError && (
        <p className="error" role="alert">
          Could not load the settings.
        </p>
      )}
      {q.data && <SettingsForm settings={q.data} />}
    </div>
  );
}

function SettingsForm({ settings }: { settings: FeedbackSettingsT }) {
  const qc = useQueryClient();
  const id = useId();
  const canEdit = atLeast(useMe().agent.role, 'lead');
  const [d, setD] = useState(() => structuredClone(settings));
  const [text, setText] = useState(() => textsOf(settings));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    setD(structuredClone(settings));
    setText(textsOf(settings));
  }, [settings]);
  const csat = (patch: Partial<FeedbackSettingsT['csat']>) =>
    setD((x) => ({ ...x, csat: { ...x.csat, ...patch } }));
  const follow = (patch: Partial<FeedbackSettingsT['followUp']>) =>
    setD((x) => ({ ...x, followUp: { ...x.followUp, ...patch } }));
  const nps = (patch: Partial<FeedbackSettingsT['nps']>) =>
    setD((x) => ({ ...x, nps: { ...x.nps, ...patch } }));
  const widget = (patch: Partial<FeedbackSettingsT['widget']>) =>
    setD((x) => ({ ...x, widget: { ...x.widget, ...patch } }));
  const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));

  const save = async () => {
    setMsg(null);
    try {
      const saved = await feedbackApi.updateSettings({
        followUp: {
          enabled: d.followUp.enabled,
          delayHours: num(text.followDelay),
          closeAfterHours: num(text.followClose),
        },
        csat: {
          enabled: d.csat.enabled,
          delayMinutes: Math.round(num(text.delayHours) * 60),
          answerWindowDays: num(text.window),
          cooldownDays: num(text.cooldown),
          samplePercent: num(text.sample),
          channels: list(text.channels),
          includeTags: list(text.includeTags),
          excludeTags: list(text.excludeTags),
          botResolutions: d.csat.botResolutions,
          scale: d.csat.scale,
          style: d.csat.style,
          reasons: list(text.reasons),
          texts: d.csat.texts,
          lowScore: d.csat.lowScore,
        },
        nps: {
          enabled: d.nps.enabled,
          delayDays: num(text.npsDelay),
          throttleDays: num(text.npsThrottle),
          texts: d.nps.texts,
        },
        widget: d.widget,
      });
      setErrors({});
      qc.setQueryData(['feedback', 'settings'], saved);
      setMsg({ ok: true, text: 'Survey settings saved' });
    } catch (e) {
      const r = fieldErrors(e);
      setErrors(r.fields);
      setMsg({ ok: false, text: r.general });
    }
  };
  const err = (k: string) => errors[k];
  const input = (key: keyof typeof text, label: string, field: string, hint?: string) => (
    <Field label={label} id={`${id}-${key}`} error={err(field)} hint={hint}>
      <input
        id={`${id}-${key}`}
        value={text[key]}
        aria-invalid={err(field) ? true : undefined}
        onChange={(e) => setText((t) => ({ ...t, [key]: e.target.value }))}
      />
    </Field>
  );
  const check = (checked: boolean, label: string, on: (v: boolean) => void) => (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => on(e.target.checked)} />
      {label}
    </label>
  );

  return (
    <form
      className="feedback-form"
      aria-label="Survey settings"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (canEdit) void save();
      }}
    >
      {!canEdit && <p className="muted small">Only leads and admins change these settings.</p>}
      <fieldset disabled={!canEdit}>
        <legend>Follow-up after a ticket is solved</legend>
        {check(d.followUp.enabled, 'Ask “Did this fix it?” on the ticket’s channel', (v) =>
          follow({ enabled: v }),
        )}
        {input('followDelay', 'Hours after solving', 'followUp.delayHours')}
        {input(
          'followClose',
          'Close the ticket when there is no answer after (hours)',
          'followUp.closeAfterHours',
        )}
      </fieldset>
      <fieldset disabled={!canEdit}>
        <legend>Satisfaction survey (CSAT)</legend>
        {check(d.csat.enabled, 'Ask for a rating after each resolution', (v) => csat({ enabled: v }))}
        {input('delayHours', 'Hours after solving', 'csat.delayMinutes')}
        {input('window', 'Answers taken (and changeable) for this many days', 'csat.answerWindowDays')}
        {input('cooldown', 'Ask one customer at most once in this many days', 'csat.cooldownDays')}
        {input('sample', 'Share of resolutions asked (%)', 'csat.samplePercent')}
        {input(
          'channels',
          'Only these channels (empty: all)',
          'csat.channels',
          'comma-separated, e.g. email, chat',
        )}
        {input('includeTags', 'Only tickets with one of these tags (empty: all)', 'csat.includeTags')}
        {input('excludeTags', 'Never tickets with these tags', 'csat.excludeTags')}
        <Field label="Tickets the bot resolved alone" id={`${id}-bot`}>
          <select
            id={`${id}-bot`}
            value={d.csat.botResolutions}
            onChange={(e) => csat({ botResolutions: e.target.value as 'survey' | 'skip' })}
          >
            <option value="survey">Ask, and report them apart</option>
            <option value="skip">Do not ask</option>
          </select>
        </Field>
        <Field label="Scale" id={`${id}-scale`}>
          <select
            id={`${id}-scale`}
            value={d.csat.scale}
            onChange={(e) => csat({ scale: e.target.value as FeedbackSettingsT['csat']['scale'] })}
          >
            <option value="five">5 points</option>
            <option value="three">3 points</option>
            <option value="thumbs">Thumbs up / down</option>
          </select>
        </Field>
        <Field label="Shown as" id={`${id}-style`}>
          <select
            id={`${id}-style`}
            value={d.csat.style}
            onChange={(e) => csat({ style: e.target.value as FeedbackSettingsT['csat']['style'] })}
          >
            <option value="emoji">Faces</option>
            <option value="stars">Stars</option>
            <option value="numbers">Numbers</option>
          </select>
        </Field>
        <SurveyTextsEditor
          title="Survey wording per language"
          value={d.csat.texts}
          points={d.csat.scale === 'five' ? 5 : d.csat.scale === 'three' ? 3 : 2}
          disabled={!canEdit}
          onChange={(texts) => csat({ texts })}
        />
        <Field
          label="Reasons offered on a low rating"
          id={`${id}-reasons`}
          error={err('csat.reasons')}
          hint="one per line"
        >
          <textarea
            id={`${id}-reasons`}
            rows={4}
            value={text.reasons}
            onChange={(e) => setText((t) => ({ ...t, reasons: e.target.value }))}
          />
        </Field>
        <Field label="A rating this low or lower is low (5-point scale)" id={`${id}-threshold`}>
          <select
            id={`${id}-threshold`}
            value={d.csat.lowScore.threshold}
            onChange={(e) => csat({ lowScore: { ...d.csat.lowScore, threshold: Number(e.target.value) } })}
          >
            {[1, 2, 3].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
        {check(d.csat.lowScore.reopen, 'On a low rating, reopen the ticket with a higher priority', (v) =>
          csat({ lowScore: { ...d.csat.lowScore, reopen: v } }),
        )}
        {check(d.csat.lowScore.notifyLead, 'Notify the team leads', (v) =>
          csat({ lowScore: { ...d.csat.lowScore, notifyLead: v } }),
        )}
        {check(
          d.csat.lowScore.recoveryTask,
          'Open a recovery task (assigned to a lead, high priority)',
          (v) => csat({ lowScore: { ...d.csat.lowScore, recoveryTask: v } }),
        )}
      </fieldset>
      <fieldset disabled={!canEdit}>
        <legend>NPS after delivery</legend>
        {check(d.nps.enabled, 'Ask “How likely are you to recommend us?” after an order is delivered', (v) =>
          nps({ enabled: v }),
        )}
        {input('npsDelay', 'Days after delivery', 'nps.delayDays')}
        {input('npsThrottle', 'Ask one person at most once in this many days', 'nps.throttleDays')}
        <SurveyTextsEditor
          title="NPS wording per language"
          value={d.nps.texts}
          points={0}
          disabled={!canEdit}
          onChange={(texts) => nps({ texts })}
        />
      </fieldset>
      <fieldset disabled={!canEdit}>
        <legend>Feedback tab on the shop’s site</legend>
        {check(d.widget.enabled, 'Show a Feedback tab in the chat widget', (v) => widget({ enabled: v }))}
        {check(
          d.widget.negativeCreatesTicket,
          'Negative feedback with an e-mail address becomes a ticket',
          (v) => widget({ negativeCreatesTicket: v }),
        )}
      </fieldset>
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      {canEdit && (
        <div className="row">
          <button type="submit" className="primary">
            Save survey settings
          </button>
        </div>
      )}
    </form>
  );
}

function textsOf(s: FeedbackSettingsT) {
  return {
    followDelay: String(s.followUp.delayHours),
    followClose: String(s.followUp.closeAfterHours),
    delayHours: String(Math.round((s.csat.delayMinutes / 60) * 100) / 100),
    window: String(s.csat.answerWindowDays),
    cooldown: String(s.csat.cooldownDays),
    sample: String(s.csat.samplePercent),
    channels: s.csat.channels.join(', '),
    includeTags: s.csat.includeTags.join(', '),
    excludeTags: s.csat.excludeTags.join(', '),
    reasons: s.csat.reasons.join('\n'),
    npsDelay: String(s.nps.delayDays),
    npsThrottle: String(s.nps.throttleDays),
  };
}
