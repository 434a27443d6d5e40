import { useQuery } from '@tanstack/react-query';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { api } from '../../lib/api.ts';
import { Link } from '../../lib/router.tsx';
import { ago } from '../../ui/format.ts';

export default function PastTicketsSection({ contact, ticket }: CustomerSectionProps) {
  const q = useQuery({
    queryKey: ['tickets', 'contact', contact.id],
    queryFn: () => api.contacts.tickets(contact.id, { limit: 20 }),
  });
  const items = (q.data?.items ?? []).filter((t) => t.id !== ticket?.id);
  if (q.isLoading) return <p className="loading">Loading…</p>;
  if (!items.length) return <p className="muted small">No other tickets.</p>;
  return (
    <ul className="past-tickets">
      {items.map((t) => (
        <li key={t.id}>
          <Link to={`/tickets/${t.id}`}>
            #{t.id} {t.subject}
          </Link>
          <span className="muted small">
            {' '}
            {t.status} · {ago(t.lastMessageAt)}
          </span>
        </li>
      ))}
    </ul>
  );
}
