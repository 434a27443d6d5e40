import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { type ImprovementT, loopApi, type TopicT } from './feedback-api.ts';

/*
 * The feedback loop's tabs on the Feedback screen: the Inbox (what shoppers said on the site), Topics
 * (grouped by keywords, with what no topic covers yet) and Improvements (done → the people who raised it
 * are told, once).
 */

const RATING: Record<number, string> = { 1: '🙂 Good', 0: '😐 Okay', [-1]: '🙁 Bad' };
const errorText = (e: unknown) => (e instanceof ApiError ? e.message : 'Something went wrong');

export function Inbox() {
  const [rating, setRating] = useState('');
  const [page, setPage] = useState('');
  const [topicId, setTopicId] = useState('');
  const [days, setDays] = useState(30);
  const topics = useQuery({ queryKey: ['feedback', 'topics', 365], queryFn: () => loopApi.topics(365) });
  const q = useQuery({
    queryKey: ['feedback', 'items', rating, page, topicId, days],
    queryFn: () => loopApi.items({ rating, page, topicId, days }),
  });
  return (
    <section className="stack">
      <div className="row filters">
        <label className="inline">
          Rating{' '}
          <select value={rating} onChange={(e) => setRating(e.target.value)}>
            <option value="">All</option>
            <option value="1">Good</option>
            <option value="0">Okay</option>
            <option value="-1">Bad</option>
          </select>
        </label>
        <label className="inline">
          Topic{' '}
          <select value={topicId} onChange={(e) => setTopicId(e.target.value)}>
            <option value="">All</option>
            {topics.data?.topics.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          Page contains{' '}
          <input value={page} onChange={(e) => setPage(e.target.value)} placeholder="/products/" />
        </label>
        <label className="inline">
          Period{' '}
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={7}>Last 7 days</option>
            <option value={30}>Last 30 days</option>
            <option value={90}>Last 90 days</option>
            <option value={365}>Last year</option>
          </select>
        </label>
      </div>
      {q.isLoading && <p className="loading">Loading…</p>}
      {q.isError && (
        <p className="error" role="alert">
          {errorText(q.error)}
        </p>
      )}
      {q.data?.items.length === 0 && (
        <p className="muted">
          No site feedback in this period. Shoppers leave it with the Feedback tab of the chat widget.
        </p>
      )}
      {!!q.data?.items.length && (
        <table className="grid responses" aria-label="Site feedback">
          <thead>
            <tr>
              <th>When</th>
              <th>Rating</th>
              <th>Comment</th>
              <th>Page · device</th>
              <th>Topic</th>
              <th>From</th>
              <th>Ticket</th>
            </tr>
          </thead>
          <tbody>
            {q.data.items.map((i) => (
              <tr key={i.id}>
                <td>{new Date(i.createdAt).toLocaleString()}</td>
                <td>
                  <span className={`verdict ${i.rating < 0 ? 'bad' : i.rating > 0 ? 'good' : ''}`}>
                    {RATING[i.rating]}
                  </span>
                </td>
                <td>{i.comment || <span className="muted">(no comment)</span>}</td>
                <td className="small">
                  {i.pageUrl ? pathOf(i.pageUrl) : '—'} · {i.device ?? '—'}
                </td>
                <td>{i.topic?.name ?? <span className="muted">—</span>}</td>
                <td>{i.email ?? <span className="muted">anonymous</span>}</td>
                <td>{i.ticketId ? <Link to={`/tickets/${i.ticketId}`}>#{i.ticketId}</Link> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function pathOf(url: string) {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

export function Topics() {
  const qc = useQueryClient();
  const canEdit = atLeast(useMe().agent.role, 'lead');
  const q = useQuery({ queryKey: ['feedback', 'topics', 90], queryFn: () => loopApi.topics(90) });
  const [name, setName] = useState('');
  const [keywords, setKeywords] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['feedback'] });
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setMsg(null);
    try {
      await fn();
      setMsg({ ok: true, text: ok });
      await refresh();
    } catch (e) {
      setMsg({ ok: false, text: errorText(e) });
    }
  };
  const words = (s: string) =>
    s
      .split(',')
      .map((w) => w.trim().toLowerCase())
      .filter((w) => w.length >= 2);
  return (
    <section className="stack">
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      {q.isLoading && <p className="loading">Loading…</p>}
      {q.data && q.data.topics.length === 0 && (
        <p className="muted">No topics yet: create one from the words below.</p>
      )}
      <div className="topics">
        {q.data?.topics.map((t) => (
          <TopicCard key={t.id} t={t} all={q.data.topics} canEdit={canEdit} run={run} />
        ))}
      </div>
      {!!q.data?.emerging.length && (
        <section>
          <h2>Frequent in negative comments, not in a topic yet</h2>
          <ul className="reasons">
            {q.data.emerging.map((e) => (
              <li key={e.word}>
                {e.word} <span className="muted">({e.count})</span>{' '}
                {canEdit && (
                  <button
                    type="button"
                    className="link"
                    onClick={() => setKeywords((k) => (k ? `${k}, ${e.word}` : e.word))}
                  >
                    add to new topic
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {canEdit && (
        <form
          className="row filters"
          aria-label="New topic"
          onSubmit={(e) => {
            e.preventDefault();
            void run(
              () => loopApi.createTopic(name.trim(), words(keywords)),
              `Topic “${name.trim()}” created`,
            ).then(() => {
              setName('');
              setKeywords('');
            });
          }}
        >
          <label className="inline">
            New topic <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={80} />
          </label>
          <label className="inline">
            Keywords{' '}
            <input value={keywords} onChange={(e) => setKeywords(e.target.value)} placeholder="size, chart" />
          </label>
          <button type="submit" className="primary">
            Create topic
          </button>
        </form>
      )}
    </section>
  );
}

function TopicCard({
  t,
  all,
  canEdit,
  run,
}: {
  t: TopicT;
  all: TopicT[];
  canEdit: boolean;
  run: (fn: () => Promise<unknown>, ok: string) => Promise<void>;
}) {
  const [into, setInto] = useState('');
  const [name, setName] = useState(t.name);
  const max = Math.max(1, ...t.weekly.map((w) => w.count));
  return (
    <article className="card topic" aria-label={`Topic ${t.name}`}>
      <h3>
        {t.name}{' '}
        <span className="muted small">
          {t.volume} mentions · {t.negative} negative
        </span>
      </h3>
      <p className="muted small">Keywords: {t.keywords.join(', ') || '—'}</p>
      <div
        className="spark"
        role="img"
        aria-label={`Mentions per week: ${t.weekly.map((w) => w.count).join(', ')}`}
      >
        {t.weekly.map((w) => (
          <span
            key={w.week}
            title={`${w.week}: ${w.count}`}
            style={{ height: `${4 + (w.count / max) * 36}px` }}
          />
        ))}
      </div>
      <ul className="examples">
        {t.examples.map((e) => (
          <li key={`${e.source}${e.id}`}>“{e.text}”</li>
        ))}
      </ul>
      {canEdit && (
        <div className="row filters">
          <input
            aria-label={`Name of ${t.name}`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={80}
          />
          {name.trim() && name.trim() !== t.name && (
            <button
              type="button"
              onClick={() =>
                void run(() => loopApi.updateTopic(t.id, { name: name.trim() }), 'Topic renamed')
              }
            >
              Rename
            </button>
          )}
          <select aria-label={`Merge ${t.name} into`} value={into} onChange={(e) => setInto(e.target.value)}>
            <option value="">Merge into…</option>
            {all
              .filter((x) => x.id !== t.id)
              .map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
          </select>
          {into && (
            <button
              type="button"
              onClick={() =>
                void run(() => loopApi.updateTopic(t.id, { mergeInto: Number(into) }), 'Topics merged')
              }
            >
              Merge
            </button>
          )}
          <button
            type="button"
            className="primary"
            onClick={() =>
              void run(
                () =>
                  loopApi.createImprovement({ title: `Improve: ${t.name}`, changeText: '', topicId: t.id }),
                `Improvement created from “${t.name}” — see Improvements`,
              )
            }
          >
            Turn into improvement
          </button>
        </div>
      )}
    </article>
  );
}

export function Improvements() {
  const canEdit = atLeast(useMe().agent.role, 'lead');
  const q = useQuery({ queryKey: ['feedback', 'improvements'], queryFn: () => loopApi.improvements() });
  return (
    <section className="stack">
      <p className="muted">
        When an improvement is marked done, every customer linked to it is told once on their conversation
        (“You told us …; we changed …”), in their language, unless they opted out.
      </p>
      {q.isLoading && <p className="loading">Loading…</p>}
      {q.data?.items.length === 0 && <p className="muted">No improvements yet: turn a topic into one.</p>}
      {q.data?.items.map((i) => (
        <ImprovementCard key={i.id} i={i} canEdit={canEdit} />
      ))}
    </section>
  );
}

function ImprovementCard({ i, canEdit }: { i: ImprovementT; canEdit: boolean }) {
  const qc = useQueryClient();
  const [title, setTitle] = useState(i.title);
  const [change, setChange] = useState(i.changeText);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const people = new Set(i.links.map((l) => l.contactId).filter((c) => c !== null)).size;
  const save = async (status?: string) => {
    setMsg(null);
    try {
      await loopApi.updateImprovement(i.id, { title, changeText: change, ...(status ? { status } : {}) });
      setMsg({ ok: true, text: status === 'done' ? `Done — telling ${people} customer(s)` : 'Saved' });
      await qc.invalidateQueries({ queryKey: ['feedback', 'improvements'] });
    } catch (e) {
      setMsg({ ok: false, text: errorText(e) });
    }
  };
  return (
    <article className="card improvement" aria-label={`Improvement ${i.title}`}>
      <div className="row filters">
        <span className={`status-pill ${i.status}`}>{i.status}</span>
        <span className="muted small">
          {i.links.length} linked · {people} customer(s) · told {i.notices.sent}
          {i.notices.skipped ? ` · ${i.notices.skipped} not reachable or opted out` : ''}
        </span>
      </div>
      <label className="field">
        Title
        <input
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          disabled={!canEdit || i.status === 'done'}
        />
      </label>
      <label className="field">
        What we changed (sent to the customers)
        <textarea
          value={change}
          onChange={(e) => setChange(e.target.value)}
          rows={2}
          disabled={!canEdit || i.status === 'done'}
        />
      </label>
      <ul className="examples">
        {i.links.slice(0, 5).map((l) => (
          <li key={`${l.source}${l.id}`}>
            “{l.said}”{' '}
            <span className="muted small">
              ({l.source} {l.id})
            </span>
          </li>
        ))}
      </ul>
      {canEdit && i.status !== 'done' && (
        <div className="row filters">
          <button type="button" onClick={() => void save()}>
            Save
          </button>
          {i.status === 'planned' && (
            <button type="button" onClick={() => void save('in-progress')}>
              Start
            </button>
          )}
          <button type="button" className="primary" onClick={() => void save('done')}>
            Mark done and tell customers
          </button>
        </div>
      )}
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
    </article>
  );
}
