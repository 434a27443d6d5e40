import { useId, useState } from 'react';

/*
 * The survey's words per language (Settings → Surveys & follow-ups): question, one label per point of
 * the scale and the comment prompt. An empty field keeps the built-in wording of that language, so a
 * shop only writes what it wants to change.
 */

export type SurveyTextsT = Record<string, { question: string; labels: string[]; commentPrompt: string }>;

const LANGUAGES: [string, string][] = [
  ['en', 'English'],
  ['de', 'Deutsch'],
  ['fr', 'Français'],
  ['es', 'Español'],
  ['nl', 'Nederlands'],
];

export function SurveyTextsEditor({
  title,
  value,
  points,
  disabled,
  onChange,
}: {
  title: string;
  value: SurveyTextsT;
  /** Labels needed for the scale (5, 3 or 2); 0 for NPS (numbers only). */
  points: number;
  disabled?: boolean;
  onChange: (next: SurveyTextsT) => void;
}) {
  const id = useId();
  const [lang, setLang] = useState('en');
  const cur = value[lang] ?? { question: '', labels: [], commentPrompt: '' };
  const set = (patch: Partial<typeof cur>) => {
    const next = { ...cur, ...patch };
    const copy = { ...value };
    if (!next.question && !next.commentPrompt && !next.labels.length) delete copy[lang];
    else copy[lang] = next;
    onChange(copy);
  };
  const badLabels = cur.labels.length > 0 && points > 0 && cur.labels.length !== points;
  return (
    <fieldset className="survey-texts" aria-label={title}>
      <legend>{title}</legend>
      <label className="field" htmlFor={`${id}-lang`}>
        Language
        <select id={`${id}-lang`} value={lang} onChange={(e) => setLang(e.target.value)}>
          {LANGUAGES.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
              {value[code] ? ' (customised)' : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="field" htmlFor={`${id}-q`}>
        Question (empty: the built-in one)
        <input
          id={`${id}-q`}
          value={cur.question}
          maxLength={300}
          disabled={disabled}
          onChange={(e) => set({ question: e.target.value })}
        />
      </label>
      {points > 0 && (
        <label className="field" htmlFor={`${id}-l`}>
          Labels, one per line, lowest first ({points}; empty: the built-in ones)
          <textarea
            id={`${id}-l`}
            rows={Math.min(points, 5)}
            value={cur.labels.join('\n')}
            disabled={disabled}
            aria-invalid={badLabels || undefined}
            onChange={(e) =>
              set({
                labels: e.target.value
                  .split('\n')
                  .map((l) => l.trim())
                  .filter((l, i, all) => l || i < all.length - 1)
                  .slice(0, 5),
              })
            }
          />
          {badLabels && (
            <span className="error small">
              {cur.labels.length} labels for a {points}-point scale: the built-in labels are used until there
              are {points}.
            </span>
          )}
        </label>
      )}
      <label className="field" htmlFor={`${id}-c`}>
        Comment prompt (empty: the built-in one)
        <input
          id={`${id}-c`}
          value={cur.commentPrompt}
          maxLength={200}
          disabled={disabled}
          onChange={(e) => set({ commentPrompt: e.target.value })}
        />
      </label>
    </fieldset>
  );
}
