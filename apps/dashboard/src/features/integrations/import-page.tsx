import type { ImportRun } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { dateTime } from '../../ui/format.ts';
import { useAction } from '../settings/use-action.tsx';
import { importsApi } from './integrations-api.ts';

const RUNNING = new Set(['queued', 'running']);

/**
 * Settings → Import: bring tickets from Zendesk (API token) or a CSV file; each run's progress, counts and
 * latest errors, refreshed while one runs; cancel and resume from the last checkpoint (docs/integrations.md).
 */
export default function ImportPage() {
  const runs = useQuery({
    queryKey: ['imports'],
    queryFn: importsApi.list,
    refetchInterval: (q) => (q.state.data?.items.some((r) => RUNNING.has(r.status)) ? 2000 : false),
  });
  const { run, view } = useAction(['imports']);
  const [source, setSource] = useState<'zendesk' | 'csv'>('zendesk');
  const [url, setUrl] = useState('');
  const [email, setEmail] = useState('');
  const [token, setToken] = useState('');
  const [file, setFile] = useState<File | null>(null);
  return (
    <div className="stack">
      <h2>Import</h2>
      <p className="muted">
        Bring your history from another helpdesk. Imports run in the background page by page and can be
        resumed; running one again imports only what is missing. Imported tickets trigger no automations,
        notifications, SLAs or webhooks.
      </p>
      {view}
      <table className="grid" aria-label="Imports">
        <thead>
          <tr>
            <th>Source</th>
            <th>State</th>
            <th>Progress</th>
            <th>Started</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(runs.data?.items ?? []).map((r) => (
            <RunRow
              key={r.id}
              r={r}
              onCancel={() => void run(() => importsApi.cancel(r.id), 'Import stopped')}
              onResume={() => void run(() => importsApi.resume(r.id), 'Import resumed')}
            />
          ))}
        </tbody>
      </table>
      {runs.data && !runs.data.items.length && <p className="muted">No imports yet.</p>}
      <form
        className="card stack"
        aria-label="New import"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            if (source === 'zendesk') await importsApi.create({ source, url, email, token });
            else if (file) await importsApi.create({ source, csv: await file.text(), filename: file.name });
          }, 'Import started').then((ok) => {
            if (ok) setToken('');
          });
        }}
      >
        <h3>New import</h3>
        <label>
          From
          <select value={source} onChange={(e) => setSource(e.target.value as 'zendesk' | 'csv')}>
            <option value="zendesk">Zendesk</option>
            <option value="csv">CSV file</option>
          </select>
        </label>
        {source === 'zendesk' ? (
          <>
            <label>
              Zendesk URL
              <input
                required
                type="url"
                placeholder="https://yourshop.zendesk.com"
                value={url}
                onChange={(e) => setUrl(e.target.value)}
              />
            </label>
            <label>
              Admin email
              <input required type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label>
              API token
              <input
                required
                type="password"
                autoComplete="off"
                value={token}
                onChange={(e) => setToken(e.target.value)}
              />
            </label>
          </>
        ) : (
          <label>
            CSV file (one row per message; columns in docs/integrations.md)
            <input
              required
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </label>
        )}
        <div className="row">
          <button type="submit" className="primary">
            Start import
          </button>
        </div>
      </form>
    </div>
  );
}

function RunRow({ r, onCancel, onResume }: { r: ImportRun; onCancel: () => void; onResume: () => void }) {
  const seen = r.ticketsImported + r.ticketsSkipped;
  return (
    <tr>
      <td>
        {r.source === 'zendesk' ? 'Zendesk' : 'CSV'} <span className="muted">{r.label}</span>
      </td>
      <td>
        <span className="badge">{r.status}</span>
        {r.lastError && <div className="error">{r.lastError}</div>}
      </td>
      <td>
        {r.ticketsTotal ? (
          <progress max={r.ticketsTotal} value={seen} aria-label={`Import ${r.id} progress`} />
        ) : null}{' '}
        {r.ticketsImported} imported · {r.ticketsSkipped} skipped · {r.messagesImported} messages
        {r.ticketsTotal ? ` · of ${r.ticketsTotal}` : ''}
        {r.errorCount > 0 && (
          <details>
            <summary>{r.errorCount} errors</summary>
            <ul>
              {r.errors.map((e) => (
                <li key={`${e.at}-${e.item}`}>
                  {e.item ?? '—'}: {e.message}
                </li>
              ))}
            </ul>
          </details>
        )}
      </td>
      <td>{dateTime(r.createdAt)}</td>
      <td className="row">
        {RUNNING.has(r.status) && (
          <button type="button" onClick={onCancel}>
            Stop
          </button>
        )}
        {(r.status === 'failed' || r.status === 'cancelled') && (
          <button type="button" onClick={onResume}>
            Resume
          </button>
        )}
      </td>
    </tr>
  );
}
