import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link, useParams } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { useDirectory } from '../../ui/use-directory.ts';
import { qualityApi, type ReviewT, type SampledT, scoreText, statusLabel } from './quality-api.ts';
import { ReviewForm } from './review-form.tsx';
import './quality.css';

/**
 * Quality: conversation reviews with a scorecard. Agents see the reviews of their own work and
 * acknowledge or dispute them; leads pick conversations to review (random or where money moved),
 * score them and follow the quality score (IQS) per agent and category.
 */
export default function QualityScreen() {
  const rest = useParams()['*'] ?? '';
  const me = useMe();
  const lead = atLeast(me.agent.role, 'lead');
  const [first, second] = rest.split('/');
  const tabs = [
    ['', 'Reviews'],
    ['scores', 'Scores'],
    ...(lead ? [['sample', 'To review']] : []),
    ['scorecards', 'Scorecards'],
  ] as const;
  return (
    <div className="page quality">
      <h1>Quality</h1>
      <div className="tabs" role="tablist" aria-label="Quality">
        {tabs.map(([k, label]) => (
          <Link key={k} role="tab" aria-selected={first === k} to={k ? `/quality/${k}` : '/quality'}>
            {label}
          </Link>
        ))}
      </div>
      {first === '' && <Reviews />}
      {first === 'reviews' && second && <ReviewDetail id={Number(second)} />}
      {first === 'review' && second && <ReviewForm ticketId={Number(second)} />}
      {first === 'scores' && <Scores />}
      {first === 'sample' && lead && <Sample />}
      {first === 'scorecards' && <Scorecards />}
    </div>
  );
}

const errorText = (e: unknown) => (e instanceof ApiError ? e.message : 'Something went wrong');

function Reviews() {
  const q = useQuery({ queryKey: ['quality', 'reviews'], queryFn: () => qualityApi.reviews() });
  const dir = useDirectory();
  if (q.isLoading) return <p className="loading">Loading…</p>;
  if (q.isError) return <p className="error">Could not load reviews: {errorText(q.error)}</p>;
  const items = q.data?.items ?? [];
  if (!items.length) return <p className="muted">No reviews yet.</p>;
  return (
    <table className="table" data-testid="quality-reviews">
      <thead>
        <tr>
          <th>Conversation</th>
          <th>Agent</th>
          <th>Reviewer</th>
          <th>Score</th>
          <th>Status</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        {items.map((r) => (
          <tr key={r.id}>
            <td>
              <Link to={`/quality/reviews/${r.id}`}>
                #{r.ticketId} {r.ticketSubject}
              </Link>
            </td>
            <td>{dir.agentName(r.revieweeId) ?? 'Bot / nobody'}</td>
            <td>{dir.agentName(r.reviewerId) ?? '—'}</td>
            <td className={r.criticalFailed ? 'qa-critical' : undefined}>{scoreText(r.score)}</td>
            <td>{statusLabel[r.status]}</td>
            <td>{new Date(r.createdAt).toLocaleDateString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReviewDetail({ id }: { id: number }) {
  const q = useQuery({ queryKey: ['quality', 'review', id], queryFn: () => qualityApi.review(id) });
  if (q.isLoading) return <p className="loading">Loading…</p>;
  if (q.isError) return <p className="error">Could not load the review: {errorText(q.error)}</p>;
  return q.data ? <ReviewCard review={q.data} /> : null;
}

/** One review: its ratings by section, comments on messages, and the conversation about it. */
export function ReviewCard({ review: r }: { review: ReviewT }) {
  const me = useMe();
  const dir = useDirectory();
  const qc = useQueryClient();
  const [body, setBody] = useState('');
  const [dispute, setDispute] = useState('');
  const [error, setError] = useState<string | null>(null);
  const mine = r.revieweeId === me.agent.id;
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      setBody('');
      setDispute('');
      await qc.invalidateQueries({ queryKey: ['quality'] });
    } catch (e) {
      setError(errorText(e));
    }
  };
  const sections = [...new Set(r.categories.map((c) => c.section))];
  return (
    <article className="qa-review" data-testid="qa-review">
      <header>
        <h2>
          <Link to={`/tickets/${r.ticketId}`}>
            #{r.ticketId} {r.ticketSubject}
          </Link>
        </h2>
        <p className="muted">
          {dir.agentName(r.revieweeId) ?? 'Bot / nobody'} · reviewed by {dir.agentName(r.reviewerId) ?? '—'} ·{' '}
          {r.scorecardName} v{r.scorecardVersion} ·{' '}
          {r.source === 'manual' ? 'picked by hand' : `${r.source} sample`}
        </p>
        <p className="qa-score" data-testid="qa-score">
          {scoreText(r.score)}
          {r.criticalFailed ? <span className="qa-pill qa-critical"> critical category failed</span> : null}
          <span className="qa-pill">{statusLabel[r.status]}</span>
        </p>
      </header>
      {sections.map((s) => (
        <section key={s}>
          <h3>{s}</h3>
          <ul className="qa-ratings">
            {r.categories
              .filter((c) => c.section === s)
              .map((c) => {
                const rating = r.ratings.find((x) => x.category === c.key);
                return (
                  <li key={c.key}>
                    <strong>{c.name}</strong>{' '}
                    <span>
                      {rating?.score == null
                        ? 'N/A'
                        : c.scale === 'binary'
                          ? rating.score
                            ? 'Pass'
                            : 'Fail'
                          : `${rating.score} / ${c.scale}`}
                    </span>
                    {rating?.rootCause ? <span className="muted"> · {rating.rootCause}</span> : null}
                    {rating?.comment ? <div className="muted small">{rating.comment}</div> : null}
                  </li>
                );
              })}
          </ul>
        </section>
      ))}
      {r.comment && <p className="qa-comment">{r.comment}</p>}
      {r.messageComments.length > 0 && (
        <ul className="small">
          {r.messageComments.map((m) => (
            <li key={`${m.messageId}-${m.body}`}>
              On message {m.messageId}: {m.body}
            </li>
          ))}
        </ul>
      )}
      <h3>Discussion</h3>
      {r.thread.length === 0 && <p className="muted small">No comments yet.</p>}
      <ul className="qa-thread">
        {r.thread.map((c) => (
          <li key={c.id}>
            <strong>{dir.agentName(c.authorId) ?? '—'}</strong>
            {c.kind === 'dispute'
              ? ` disputes “${r.categories.find((x) => x.key === c.category)?.name}”`
              : ''}
            : {c.body}
          </li>
        ))}
      </ul>
      <div className="stack">
        <label>
          Comment
          <textarea value={body} onChange={(e) => setBody(e.target.value)} rows={2} />
        </label>
        {mine && (
          <label>
            Dispute the rating of
            <select value={dispute} onChange={(e) => setDispute(e.target.value)}>
              <option value="">— no dispute —</option>
              {r.categories.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <div className="row">
          <button
            type="button"
            disabled={!body.trim()}
            onClick={() => run(() => qualityApi.comment(r.id, { body, ...(dispute ? { dispute } : {}) }))}
          >
            {dispute ? 'Dispute' : 'Comment'}
          </button>
          {mine && r.status !== 'acknowledged' && (
            <button type="button" className="primary" onClick={() => run(() => qualityApi.acknowledge(r.id))}>
              Acknowledge
            </button>
          )}
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </article>
  );
}

function Scores() {
  const [days, setDays] = useState(90);
  const q = useQuery({ queryKey: ['quality', 'scores', days], queryFn: () => qualityApi.scores(days) });
  const dir = useDirectory();
  return (
    <section className="stack">
      <label className="inline">
        Period{' '}
        <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          <option value={30}>Last 30 days</option>
          <option value={90}>Last 90 days</option>
          <option value={365}>Last year</option>
        </select>
      </label>
      {q.isError && <p className="error">Could not load scores: {errorText(q.error)}</p>}
      {q.data && (
        <>
          <p className="qa-score" data-testid="qa-iqs">
            IQS {scoreText(q.data.iqs)} <span className="muted">over {q.data.reviews} reviews</span>
          </p>
          <div className="columns">
            <ScoreTable
              title="By agent"
              rows={q.data.byAgent.map((a) => ({
                key: a.agentId,
                name: dir.agentName(a.agentId),
                score: a.iqs,
                count: `${a.reviews} reviews`,
              }))}
            />
            <ScoreTable
              title="By category"
              rows={q.data.byCategory.map((c) => ({
                key: c.category,
                name: c.name,
                score: c.score,
                count: `${c.ratings} ratings`,
              }))}
            />
            <ScoreTable
              title="By week"
              rows={q.data.weekly.map((w) => ({
                key: w.week,
                name: w.week,
                score: w.iqs,
                count: `${w.reviews} reviews`,
              }))}
            />
          </div>
        </>
      )}
    </section>
  );
}

/** One breakdown of the scores: a name, its score and what it rests on, a row each. */
function ScoreTable({
  title,
  rows,
}: {
  title: string;
  rows: { key: string | number; name: string | null; score: number | null; count: string }[];
}) {
  return (
    <section>
      <h2>{title}</h2>
      <table className="table">
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.name}</td>
              <td>{scoreText(r.score)}</td>
              <td className="muted">{r.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Sample() {
  const [kind, setKind] = useState<'random' | 'risk'>('risk');
  const [seed, setSeed] = useState(() => new Date().toISOString().slice(0, 10));
  const [items, setItems] = useState<SampledT[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const draw = async () => {
    setError(null);
    try {
      setItems((await qualityApi.sample({ kind, seed, size: 10, days: 30 })).items);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const dir = useDirectory();
  return (
    <section className="stack">
      <div className="row">
        <label className="inline">
          Pick{' '}
          <select value={kind} onChange={(e) => setKind(e.target.value as 'random' | 'risk')}>
            <option value="risk">where money moved or an approval was used</option>
            <option value="random">at random among solved conversations</option>
          </select>
        </label>
        <label className="inline">
          Seed <input value={seed} onChange={(e) => setSeed(e.target.value)} size={12} />
        </label>
        <button type="button" className="primary" onClick={draw} disabled={!seed.trim()}>
          Draw
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items && !items.length && <p className="muted">Nothing left to review in the last 30 days.</p>}
      {items && items.length > 0 && (
        <table className="table" data-testid="qa-sample">
          <tbody>
            {items.map((s) => (
              <tr key={s.ticketId}>
                <td>
                  #{s.ticketId} {s.subject}
                </td>
                <td>{dir.agentName(s.agentId) ?? 'Bot / nobody'}</td>
                <td className="muted">{s.reasons.join(', ')}</td>
                <td>
                  <Link to={`/quality/review/${s.ticketId}?source=${kind}`}>Review</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Scorecards() {
  const q = useQuery({ queryKey: ['quality', 'scorecards'], queryFn: qualityApi.scorecards });
  if (q.isError) return <p className="error">Could not load scorecards: {errorText(q.error)}</p>;
  return (
    <section className="stack">
      {q.data?.items.length === 0 && (
        <p className="muted">
          No scorecard yet: create one with POST /api/v1/quality/scorecards (docs/quality.md).
        </p>
      )}
      {q.data?.items.map((s) => (
        <article key={s.id} className="qa-card">
          <h2>
            {s.name} <span className="muted small">version {s.version}</span>
            {!s.active && <span className="qa-pill">inactive</span>}
          </h2>
          <p className="muted small">
            Used for {s.channels.length ? s.channels.join(', ') : 'every channel'}
            {s.tags.length ? `, tags ${s.tags.join(', ')}` : ''}
          </p>
          <table className="table">
            <thead>
              <tr>
                <th>Section</th>
                <th>Category</th>
                <th>Scale</th>
                <th>Weight</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {s.categories.map((c) => (
                <tr key={c.key}>
                  <td>{c.section}</td>
                  <td>{c.name}</td>
                  <td>{c.scale === 'binary' ? 'pass/fail' : `1–${c.scale}`}</td>
                  <td>{c.weight}</td>
                  <td className="muted small">
                    {[c.critical && 'critical', c.policyCheck && 'checks money actions against policy']
                      .filter(Boolean)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
    </section>
  );
}
