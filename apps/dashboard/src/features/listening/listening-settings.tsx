import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiError } from '../../lib/api.ts';
import { listeningApi, type SourceT } from './listening-api.ts';
import './listening.css';

/** What each kind asks for: settings fields and the one credential (never shown again once saved). */
const FIELDS: Record<
  string,
  { settings: [string, string][]; secret?: [string, string]; keywordsHint: string }
> = {
  bluesky: {
    settings: [
      ['handle', 'Shop account handle (for replies)'],
      ['jetstreamUrl', 'Jetstream URL (wss://…)'],
      ['pdsUrl', 'PDS URL (https://bsky.social)'],
    ],
    secret: ['appPassword', 'App password'],
    keywordsHint: 'Words and names to look for in posts, e.g. Acme Shop, acmeshop.com',
  },
  mastodon: {
    settings: [['instanceUrl', 'Instance URL (https://mastodon.social)']],
    secret: ['accessToken', 'Access token (write:statuses, for replies)'],
    keywordsHint: 'Hashtags to follow, e.g. #acmeshop',
  },
  reddit: {
    settings: [
      ['baseUrl', 'Reddit URL (https://www.reddit.com)'],
      ['subreddit', 'Only this subreddit (optional)'],
    ],
    keywordsHint: 'Search words, e.g. "Acme Shop"',
  },
  rss: { settings: [['feedUrl', 'Feed URL (RSS or Atom)']], keywordsHint: 'Empty: every entry of the feed' },
  trustpilot: {
    settings: [
      ['businessUnitId', 'Business unit id'],
      ['apiUrl', 'API URL (https://api.trustpilot.com)'],
    ],
    secret: ['apiKey', 'API key'],
    keywordsHint: 'Not needed: every review of the business unit is kept',
  },
};
const words = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Settings → Listening sources: where the shop listens, what for, and whether each source works. */
export default function ListeningSettings() {
  const qc = useQueryClient();
  const sources = useQuery({ queryKey: ['listening', 'sources'], queryFn: listeningApi.sources });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['listening', 'sources'] });
  return (
    <div className="stack" data-testid="listening-settings">
      <h2>Listening sources</h2>
      <p className="muted">
        Public posts, comments, feed entries and reviews that name the shop land in Mentions. Each source is
        checked every few minutes (Bluesky streams continuously); a source that fails says why here.
      </p>
      <table className="table" aria-label="Listening sources">
        <thead>
          <tr>
            <th>Source</th>
            <th>Keywords</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(sources.data?.items ?? []).map((s) => (
            <SourceRow key={s.id} s={s} onChange={refresh} />
          ))}
        </tbody>
      </table>
      {sources.data && !sources.data.items.length && <p className="muted">No sources yet.</p>}
      <NewSource onCreated={refresh} />
    </div>
  );
}

function SourceRow({ s, onChange }: { s: SourceT; onChange: () => void }) {
  const [kw, setKw] = useState(s.keywords.join(', '));
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) => listeningApi.updateSource(s.id, body),
    onSuccess: onChange,
  });
  const remove = useMutation({ mutationFn: () => listeningApi.removeSource(s.id), onSuccess: onChange });
  return (
    <tr aria-label={`Source ${s.name}`}>
      <td>
        <strong>{s.name}</strong>
        <div className="muted">
          {s.label}
          {s.canReply ? ', replies from the desk' : ''}
        </div>
      </td>
      <td>
        <input
          aria-label={`Keywords of ${s.name}`}
          value={kw}
          onChange={(e) => setKw(e.target.value)}
          onBlur={() => kw !== s.keywords.join(', ') && save.mutate({ keywords: words(kw) })}
        />
      </td>
      <td>
        {s.enabled ? 'On' : 'Off'}
        {s.lastPolledAt && <div className="muted">Checked {new Date(s.lastPolledAt).toLocaleString()}</div>}
        {s.pausedUntil && (
          <div className="muted">Paused until {new Date(s.pausedUntil).toLocaleString()}</div>
        )}
        {s.lastError && (
          <div className="source-error" role="alert">
            {s.lastError}
          </div>
        )}
        {save.error && <div className="error">{(save.error as ApiError).message}</div>}
      </td>
      <td>
        <button type="button" onClick={() => save.mutate({ enabled: !s.enabled })}>
          {s.enabled ? 'Turn off' : 'Turn on'}
        </button>{' '}
        <button type="button" onClick={() => remove.mutate()}>
          Remove
        </button>
      </td>
    </tr>
  );
}

function NewSource({ onCreated }: { onCreated: () => void }) {
  const [kind, setKind] = useState('bluesky');
  const [name, setName] = useState('');
  const [kw, setKw] = useState('');
  const [settings, setSettings] = useState<Record<string, string>>({});
  const [secret, setSecret] = useState('');
  const f = FIELDS[kind]!;
  const create = useMutation({
    mutationFn: () =>
      listeningApi.createSource({
        kind,
        name: name || kind,
        enabled: true,
        keywords: words(kw),
        settings: Object.fromEntries(
          Object.entries(settings).filter(([k, v]) => v && f.settings.some(([n]) => n === k)),
        ),
        ...(f.secret && secret ? { secrets: { [f.secret[0]]: secret } } : {}),
      }),
    onSuccess: () => {
      setName('');
      setKw('');
      setSettings({});
      setSecret('');
      onCreated();
    },
  });
  return (
    <form
      className="stack"
      aria-label="New source"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h3>Add a source</h3>
      <label>
        Kind{' '}
        <select value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="bluesky">Bluesky</option>
          <option value="mastodon">Mastodon</option>
          <option value="reddit">Reddit</option>
          <option value="rss">RSS / Atom feed</option>
          <option value="trustpilot">Trustpilot reviews</option>
        </select>
      </label>
      <label>
        Name <input value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
      </label>
      <label>
        Keywords <input value={kw} onChange={(e) => setKw(e.target.value)} placeholder={f.keywordsHint} />
      </label>
      {f.settings.map(([key, label]) => (
        <label key={key}>
          {label}{' '}
          <input
            value={settings[key] ?? ''}
            onChange={(e) => setSettings({ ...settings, [key]: e.target.value })}
          />
        </label>
      ))}
      {f.secret && (
        <label>
          {f.secret[1]}{' '}
          <input
            type="password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            autoComplete="off"
          />
        </label>
      )}
      {create.error && <p className="error">{(create.error as ApiError).message}</p>}
      <button type="submit" className="primary" disabled={create.isPending}>
        Add source
      </button>
    </form>
  );
}
