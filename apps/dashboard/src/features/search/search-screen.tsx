import { useQuery } from '@tanstack/react-query';
import DOMPurify from 'dompurify';
import { api } from '../../lib/api.ts';
import { Link, useLocation } from '../../lib/router.tsx';
import { ago } from '../../ui/format.ts';

// The server escapes snippets and adds only <mark>; we still allow nothing else, as a second line.
const snippet = (html: string) => DOMPurify.sanitize(html, { ALLOWED_TAGS: ['mark'], ALLOWED_ATTR: [] });

export default function SearchScreen() {
  const q = useLocation().search.get('q')?.trim() ?? '';
  const r = useQuery({ queryKey: ['search', q], queryFn: () => api.search(q, 50), enabled: q.length > 0 });
  return (
    <div className="page search-page">
      <h1>Search{q && <>: “{q}”</>}</h1>
      {!q && <p className="muted">Type in the search box above (press / to jump there).</p>}
      {r.isLoading && <p className="loading">Searching…</p>}
      {r.data && (
        <>
          <section aria-label="Contacts">
            <h2>Contacts ({r.data.contacts.length})</h2>
            <ul className="result-list">
              {r.data.contacts.map((c) => (
                <li key={c.id}>
                  <Link to={`/search?q=${encodeURIComponent(c.email ?? c.name ?? '')}`}>
                    {c.name ?? c.email}
                  </Link>{' '}
                  <span className="muted">{c.email}</span>
                </li>
              ))}
            </ul>
          </section>
          <section aria-label="Tickets">
            <h2>Tickets and messages ({r.data.tickets.length})</h2>
            <ul className="result-list">
              {r.data.tickets.map((h) => (
                <li key={`${h.ticketId}-${h.messageId ?? 's'}`} className="hit">
                  <Link to={`/tickets/${h.ticketId}`}>
                    #{h.ticketId} {h.subject}
                  </Link>{' '}
                  <span className={`status status-${h.status}`}>{h.status}</span>{' '}
                  <span className="muted small">
                    {h.contactName} · {ago(h.lastMessageAt)}
                  </span>
                  {/* biome-ignore lint/security/noDangerouslySetInnerHtml: escaped by the server, sanitised to <mark> only */}
                  <p className="snippet" dangerouslySetInnerHTML={{ __html: snippet(h.highlight) }} />
                </li>
              ))}
            </ul>
          </section>
          {r.data.tickets.length === 0 && r.data.contacts.length === 0 && (
            <p className="empty-state">Nothing found.</p>
          )}
        </>
      )}
    </div>
  );
}
