import { useQuery } from '@tanstack/react-query';
import { Link, navigate, useLocation } from '../../lib/router.tsx';
import { useDirectory } from '../../ui/use-directory.ts';
import { type SlaTicketStateT, slaApi } from './sla-api.ts';
import { SlaChip } from './sla-list-badge.tsx';

const FILTERS = [
  ['due', 'Due soonest'],
  ['breached', 'Breached'],
] as const;

/**
 * Active tickets with SLA targets, due soonest first, or only the breached ones (GET /api/v1/sla/tickets).
 * The inbox's own list is ordered by activity; this is the view by deadline.
 */
export default function SlaQueueScreen() {
  const dir = useDirectory();
  const { search } = useLocation();
  const filter = search.get('filter') === 'breached' ? 'breached' : 'due';
  const mine = search.get('mine') === '1';
  const q = useQuery({
    queryKey: ['tickets', 'sla-queue', filter, mine],
    queryFn: () => slaApi.dueTickets(filter === 'breached' ? 'breached' : 'all', mine ? 'me' : undefined),
    refetchInterval: 60_000,
  });
  const go = (f: string, m: boolean) => navigate(`/sla?filter=${f}${m ? '&mine=1' : ''}`, { replace: true });
  const items = q.data?.items ?? [];
  return (
    <section className="stack" style={{ padding: 16 }} aria-label="SLA queue">
      <div className="row">
        <h1>SLA queue</h1>
        <span className="spacer" />
        {FILTERS.map(([f, label]) => (
          <button
            key={f}
            type="button"
            className={filter === f ? 'primary' : ''}
            aria-pressed={filter === f}
            onClick={() => go(f, mine)}
          >
            {label}
          </button>
        ))}
        <label className="inline">
          <input type="checkbox" checked={mine} onChange={(e) => go(filter, e.target.checked)} />
          Only mine
        </label>
      </div>
      {q.isLoading && <p className="loading">Loading…</p>}
      {q.isSuccess && items.length === 0 && (
        <p className="empty-state">
          {filter === 'breached' ? 'No breached tickets.' : 'No open tickets with SLA targets.'}
        </p>
      )}
      {items.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Due</th>
              <th>Ticket</th>
              <th>Status</th>
              <th>Priority</th>
              <th>Assignee</th>
            </tr>
          </thead>
          <tbody>
            {items.map((t: SlaTicketStateT) => (
              <tr key={t.id} data-ticket-id={t.id}>
                <td>
                  <SlaChip state={t} />
                </td>
                <td>
                  <Link to={`/tickets/${t.id}`}>
                    #{t.id} {t.subject}
                  </Link>
                </td>
                <td>{t.status}</td>
                <td>{t.priority}</td>
                <td>{dir.agentName(t.assigneeId) ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
