import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { ApiError } from '../../lib/api.ts';
import { useRealtimeEvent } from '../../lib/realtime-hooks.tsx';
import { dateTime } from '../../ui/format.ts';
import { type CallbackTaskT, callbacksApi, OUTCOMES, outcomeWords, reasonWords } from './callbacks-api.ts';

/**
 * Beside a phone ticket: its callback tasks with their due time; "Call back" rings the agent's own phone
 * through Twilio and connects them to the customer; the agent closes the task with an outcome and a note.
 */
export default function CallbacksSection({ ticket }: CustomerSectionProps) {
  const qc = useQueryClient();
  const ticketId = ticket?.id;
  const q = useQuery({
    queryKey: ['callbacks', 'ticket', ticketId],
    queryFn: () => callbacksApi.list(`status=all&ticketId=${ticketId}`),
    enabled: !!ticketId,
  });
  useRealtimeEvent((e) => {
    if ((e as { ticketId?: number }).ticketId === ticketId)
      void qc.invalidateQueries({ queryKey: ['callbacks'] });
  });
  const [error, setError] = useState<string | null>(null);
  if (!ticketId) return null;
  if (q.isLoading) return <p className="loading">Loading callbacks…</p>;
  if (q.isError) return <p className="error">Could not load callbacks.</p>;
  const items = q.data?.items ?? [];
  const promise = async () => {
    setError(null);
    try {
      await callbacksApi.create(ticketId, {});
      await qc.invalidateQueries({ queryKey: ['callbacks'] });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong');
    }
  };
  return (
    <div className="callbacks" data-testid="callbacks-section">
      {!items.length && <p className="muted small">No call back promised on this ticket.</p>}
      {items.map((t) => (
        <TaskCard key={t.id} task={t} />
      ))}
      {!items.some((t) => t.status === 'open') && (
        <button type="button" onClick={promise}>
          Promise a call back
        </button>
      )}
      {error && <p className="error">{error}</p>}
    </div>
  );
}

function TaskCard({ task: t }: { task: CallbackTaskT }) {
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState('answered');
  const [note, setNote] = useState('');
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await qc.invalidateQueries({ queryKey: ['callbacks'] });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong');
    } finally {
      setBusy(false);
    }
  };
  const last = t.calls.at(-1);
  return (
    <article className="order-card" data-testid={`callback-${t.id}`}>
      <p>
        <strong>{reasonWords[t.reason] ?? t.reason}</strong>
        {t.phone ? ` · ${t.phone}` : ''} ·{' '}
        <span className={t.overdue ? 'badge danger' : 'badge'} data-testid="callback-status">
          {t.status === 'done'
            ? `Done: ${outcomeWords[t.outcome ?? ''] ?? t.outcome}`
            : t.overdue
              ? `Overdue since ${dateTime(t.dueAt)}`
              : `Due ${dateTime(t.dueAt)}`}
        </span>
      </p>
      {t.note && <p className="small">{t.note}</p>}
      {last && (
        <p className="small" data-testid="callback-call">
          Last call {dateTime(last.createdAt)}:{' '}
          {last.outcome ? (outcomeWords[last.outcome] ?? last.outcome) : `${last.status}…`}
          {last.error ? ` — ${last.error}` : ''}
        </p>
      )}
      {t.status === 'open' && (
        <>
          <MyPhone />
          <button
            type="button"
            disabled={busy || !t.phone}
            onClick={() => run(() => callbacksApi.call(t.id))}
          >
            Call back
          </button>
          <fieldset className="stack small">
            <legend>Close with the outcome</legend>
            <label>
              Outcome{' '}
              <select value={outcome} onChange={(e) => setOutcome(e.target.value)}>
                {OUTCOMES.map(([v, label]) => (
                  <option key={v} value={v}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Note
              <textarea rows={2} value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
            </label>
            <button
              type="button"
              disabled={busy}
              onClick={() => run(() => callbacksApi.complete(t.id, { outcome, note }))}
            >
              Mark callback done
            </button>
          </fieldset>
        </>
      )}
      {error && <p className="error">{error}</p>}
    </article>
  );
}

/** The agent's own phone, which click-to-call rings first. */
function MyPhone() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['callbacks', 'my-phone'], queryFn: callbacksApi.myPhone });
  const [value, setValue] = useState('');
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (q.isLoading) return null;
  const phone = q.data?.phone ?? null;
  if (phone && !editing)
    return (
      <p className="small">
        Rings your phone {phone}{' '}
        <button
          type="button"
          className="link"
          onClick={() => {
            setValue(phone);
            setEditing(true);
          }}
        >
          change
        </button>
      </p>
    );
  const save = async () => {
    setError(null);
    try {
      await callbacksApi.setMyPhone(value.trim() || null);
      setEditing(false);
      await qc.invalidateQueries({ queryKey: ['callbacks', 'my-phone'] });
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Something went wrong');
    }
  };
  return (
    <div className="small">
      <label>
        Your phone (rung first, then connected to the customer){' '}
        <input
          type="tel"
          placeholder="+14155550100"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>{' '}
      <button type="button" onClick={save}>
        Save my phone
      </button>
      {error && <p className="error">{error}</p>}
    </div>
  );
}
