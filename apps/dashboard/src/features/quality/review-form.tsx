import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { Link, navigate, useLocation } from '../../lib/router.tsx';
import { useDirectory } from '../../ui/use-directory.ts';
import { negative, qualityApi, scalePoints } from './quality-api.ts';

type Rating = { score: number | null; rootCause: string; comment: string };

/** Scoring one conversation with the scorecard that fits it (chosen by the server from channel and tags). */
export function ReviewForm({ ticketId }: { ticketId: number }) {
  const source = useLocation().search.get('source');
  const ctx = useQuery({
    queryKey: ['quality', 'ticket', ticketId],
    queryFn: () => qualityApi.ticket(ticketId),
  });
  const dir = useDirectory();
  const qc = useQueryClient();
  const [ratings, setRatings] = useState<Record<string, Rating>>({});
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (ctx.isLoading) return <p className="loading">Loading…</p>;
  if (ctx.isError)
    return <p className="error">{ctx.error instanceof ApiError ? ctx.error.message : 'Could not load'}</p>;
  const card = ctx.data?.scorecard;
  if (!card) return <p className="muted">No active scorecard fits this conversation.</p>;
  const set = (key: string, patch: Partial<Rating>) =>
    setRatings((r) => ({ ...r, [key]: { score: null, rootCause: '', comment: '', ...r[key], ...patch } }));
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const review = await qualityApi.create({
        ticketId,
        scorecardId: card.id,
        source: source === 'risk' || source === 'random' ? source : 'manual',
        comment,
        ratings: card.categories.map((c) => {
          const r = ratings[c.key];
          return {
            category: c.key,
            score: r?.score ?? null,
            ...(r?.rootCause ? { rootCause: r.rootCause } : {}),
            ...(r?.comment ? { comment: r.comment } : {}),
          };
        }),
      });
      await qc.invalidateQueries({ queryKey: ['quality'] });
      navigate(`/quality/reviews/${review.id}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not save the review');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="qa-form stack"
      data-testid="qa-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>
        Review <Link to={`/tickets/${ticketId}`}>#{ticketId}</Link> with {card.name}{' '}
        <span className="muted small">v{card.version}</span>
      </h2>
      <p className="muted">
        Agent reviewed: {dir.agentName(ctx.data?.suggestedRevieweeId) ?? 'Bot / nobody'}
        {ctx.data?.moneyActions.length ? ` · money actions: ${ctx.data.moneyActions.join(', ')}` : ''}
      </p>
      {card.categories.map((c) => {
        const r = ratings[c.key];
        return (
          <fieldset key={c.key} className="qa-category">
            <legend>
              {c.name} <span className="muted small">{c.section}</span>
              {c.critical ? <span className="qa-pill qa-critical">critical</span> : null}
            </legend>
            {c.policyCheck && (
              <p className="muted small">
                Check the money actions against the written policy
                {ctx.data?.moneyActions.length
                  ? ` (${ctx.data.moneyActions.join(', ')})`
                  : ' (none on this ticket)'}
                .
              </p>
            )}
            <div className="row" role="radiogroup" aria-label={c.name}>
              {scalePoints(c.scale).map(([v, label]) => (
                <label key={String(v)} className="inline">
                  <input
                    type="radio"
                    name={`qa-${c.key}`}
                    checked={r?.score === v}
                    onChange={() => set(c.key, { score: Number(v), rootCause: '' })}
                  />{' '}
                  {label}
                </label>
              ))}
              <label className="inline">
                <input
                  type="radio"
                  name={`qa-${c.key}`}
                  checked={r === undefined || r.score === null}
                  onChange={() => set(c.key, { score: null, rootCause: '' })}
                />{' '}
                N/A
              </label>
            </div>
            {r?.score != null && negative(c.scale, r.score) && c.rootCauses.length > 0 && (
              <label>
                Root cause{' '}
                <select value={r.rootCause} onChange={(e) => set(c.key, { rootCause: e.target.value })}>
                  <option value="">—</option>
                  {c.rootCauses.map((x) => (
                    <option key={x}>{x}</option>
                  ))}
                </select>
              </label>
            )}
          </fieldset>
        );
      })}
      <label>
        Overall comment
        <textarea value={comment} onChange={(e) => setComment(e.target.value)} rows={3} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          Submit review
        </button>
      </div>
    </form>
  );
}
