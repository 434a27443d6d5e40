import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { type ArticleT, hcApi } from './helpcenter-api.ts';

/** Views, helpful votes with comments, the searches that led here, and tickets filed after reading it. */
export function ArticleStats({ article }: { article: ArticleT }) {
  const [days, setDays] = useState(30);
  const stats = useQuery({
    queryKey: ['hc', 'stats', article.id, days],
    queryFn: () => hcApi.stats(article.id, days),
  });
  const s = stats.data;
  const votes = s ? s.helpful + s.notHelpful : 0;
  const figure = (label: string, value: number | string, hint?: string) => (
    <div className="card hc-figure">
      <div className="hc-figure-value">{value}</div>
      <div className="small">{label}</div>
      {hint && <div className="muted small">{hint}</div>}
    </div>
  );
  return (
    <section aria-label="Article stats">
      <label className="inline">
        Period
        <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={7}>Last 7 days</option>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
          <option value={365}>Last year</option>
        </select>
      </label>
      {stats.isLoading && <p className="loading">Loading…</p>}
      {s && (
        <>
          <div className="hc-figures">
            {figure('Views', s.views)}
            {figure(
              'Helpful',
              `${s.helpful} yes · ${s.notHelpful} no`,
              votes ? `${Math.round((100 * s.helpful) / votes)} % found it helpful` : 'no votes yet',
            )}
            {figure('Opened from search', s.searchClicks)}
            {figure('Suggested', s.suggested, 'by the contact form or the bot')}
            {figure(
              'Tickets after viewing',
              s.ticketsAfterView,
              'tickets within 24 h of reading it (contact form; chat or e-mail from an address the reader gave the help center)',
            )}
          </div>
          <div className="hc-stats-lists">
            <section>
              <h2>Searches that led here</h2>
              {s.topQueries.length === 0 ? (
                <p className="muted">None yet.</p>
              ) : (
                <ul>
                  {s.topQueries.map((q) => (
                    <li key={q.query}>
                      “{q.query}” <span className="muted small">×{q.count}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section>
              <h2>Comments</h2>
              {s.comments.length === 0 ? (
                <p className="muted">No comments yet.</p>
              ) : (
                <ul className="hc-comments">
                  {s.comments.map((c) => (
                    <li key={`${c.createdAt}-${c.comment.slice(0, 20)}`}>
                      <span className={c.helpful ? 'hc-published' : 'hc-draft'}>
                        {c.helpful ? '👍' : '👎'}
                      </span>{' '}
                      {c.comment}{' '}
                      <span className="muted small">{new Date(c.createdAt).toLocaleDateString()}</span>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        </>
      )}
    </section>
  );
}
