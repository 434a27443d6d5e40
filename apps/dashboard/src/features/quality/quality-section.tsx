import { useQuery } from '@tanstack/react-query';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { qualityApi, scoreText, statusLabel } from './quality-api.ts';

/** Beside a ticket: the reviews of this conversation you may see, and (leads) a link to review it. */
export default function QualitySection({ ticket }: CustomerSectionProps) {
  const me = useMe();
  const q = useQuery({
    queryKey: ['quality', 'ticket', ticket?.id],
    queryFn: () => qualityApi.ticket(ticket!.id),
    enabled: !!ticket && atLeast(me.agent.role, 'agent'),
  });
  if (!ticket) return <p className="muted small">Open a ticket to review it.</p>;
  if (q.isError) return <p className="error small">Could not load reviews.</p>;
  const reviews = q.data?.reviews ?? [];
  return (
    <div className="qa-section" data-testid="qa-section">
      {reviews.length === 0 && <p className="muted small">Not reviewed yet.</p>}
      <ul className="small">
        {reviews.map((r) => (
          <li key={r.id}>
            <Link to={`/quality/reviews/${r.id}`}>
              {scoreText(r.score)} · {statusLabel[r.status]}
            </Link>
          </li>
        ))}
      </ul>
      {atLeast(me.agent.role, 'lead') && q.data?.scorecard && (
        <Link to={`/quality/review/${ticket.id}`}>Review this conversation</Link>
      )}
    </div>
  );
}
