import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from '../../lib/router.tsx';
import { dateTime } from '../../ui/format.ts';
import { callbacksApi, outcomeWords, reasonWords } from './callbacks-api.ts';

/** Callbacks due (soonest first), only the overdue ones, or the latest done with their outcome. */
export default function CallbacksScreen() {
  const [filter, setFilter] = useState<'due' | 'overdue' | 'done'>('due');
  const q = useQuery({
    queryKey: ['callbacks', 'list', filter],
    queryFn: () =>
      callbacksApi.list(
        filter === 'done'
          ? 'status=done&limit=100'
          : `status=open&limit=100${filter === 'overdue' ? '&overdue=true' : ''}`,
      ),
  });
  const items = q.data?.items ?? [];
  return (
    <section className="page" data-testid="callbacks-screen">
      <h1>Callbacks</h1>
      <div className="row">
        <label>
          Show{' '}
          <select value={filter} onChange={(e) => setFilter(e.target.value as typeof filter)}>
            <option value="due">Callbacks due</option>
            <option value="overdue">Overdue</option>
            <option value="done">Done</option>
          </select>
        </label>
      </div>
      {q.isLoading && <p className="loading">Loading callbacks…</p>}
      {!q.isLoading && !items.length && <p className="muted">No callbacks here.</p>}
      {items.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th>Ticket</th>
              <th>Why</th>
              <th>Phone</th>
              <th>{filter === 'done' ? 'Done' : 'Due'}</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => (
              <tr key={t.id} data-testid={`callback-row-${t.id}`}>
                <td>
                  <Link to={`/tickets/${t.ticketId}`}>{t.ticketSubject}</Link>
                </td>
                <td>{reasonWords[t.reason] ?? t.reason}</td>
                <td>{t.phone ?? '—'}</td>
                <td className={t.overdue ? 'error' : undefined}>
                  {dateTime(t.status === 'done' && t.completedAt ? t.completedAt : t.dueAt)}
                  {t.overdue ? ' (overdue)' : ''}
                </td>
                <td>{t.outcome ? (outcomeWords[t.outcome] ?? t.outcome) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
