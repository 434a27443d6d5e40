import { formatMoney } from '@shopdesk/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiError } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { listeningApi, type MentionFilter, type MentionT } from './listening-api.ts';
import './listening.css';

const SOURCES = [
  ['', 'All sources'],
  ['bluesky', 'Bluesky'],
  ['mastodon', 'Mastodon'],
  ['reddit', 'Reddit'],
  ['rss', 'Feeds'],
  ['trustpilot', 'Trustpilot'],
] as const;

/**
 * Mentions: what is said about the shop on Bluesky, Mastodon, Reddit and feeds, with why each one reads
 * as negative or positive, the order it names, and its ticket. Agents open tickets, answer where the
 * source takes replies, and work the recovery queue (unhappy voices nobody has answered).
 */
export default function MentionsScreen() {
  const qc = useQueryClient();
  const canAct = atLeast(useMe().agent.role, 'agent');
  const [f, setF] = useState<MentionFilter>({ source: '', sentiment: '', status: '', recovery: false });
  const [picked, setPicked] = useState<Set<number>>(new Set());
  const list = useQuery({ queryKey: ['mentions', f], queryFn: () => listeningApi.mentions(f) });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['mentions'] });
  const bulk = useMutation({
    mutationFn: (action: 'review' | 'ignore' | 'reopen' | 'create-ticket') =>
      listeningApi.bulk([...picked], action),
    onSuccess: () => {
      setPicked(new Set());
      refresh();
    },
  });
  const items = list.data?.items ?? [];
  const toggle = (id: number) =>
    setPicked((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  return (
    <section className="page social-page" data-testid="mentions-screen">
      <h1>Mentions</h1>
      <fieldset className="social-filters" aria-label="Filters">
        <label>
          Source{' '}
          <select value={f.source} onChange={(e) => setF({ ...f, source: e.target.value })}>
            {SOURCES.map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sentiment{' '}
          <select value={f.sentiment} onChange={(e) => setF({ ...f, sentiment: e.target.value })}>
            <option value="">Any</option>
            <option value="negative">Negative</option>
            <option value="neutral">Neutral</option>
            <option value="positive">Positive</option>
          </select>
        </label>
        <label>
          Status{' '}
          <select value={f.status} onChange={(e) => setF({ ...f, status: e.target.value })}>
            <option value="">Any</option>
            {['new', 'reviewed', 'ticketed', 'replied', 'ignored'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={f.recovery}
            onChange={(e) => setF({ ...f, recovery: e.target.checked })}
          />{' '}
          Recovery queue (unhappy, no ticket)
        </label>
      </fieldset>
      {canAct && picked.size > 0 && (
        <div className="social-bulk" role="toolbar" aria-label="Bulk actions">
          {picked.size} selected:{' '}
          <button type="button" onClick={() => bulk.mutate('create-ticket')}>
            Create tickets
          </button>{' '}
          <button type="button" onClick={() => bulk.mutate('review')}>
            Mark reviewed
          </button>{' '}
          <button type="button" onClick={() => bulk.mutate('ignore')}>
            Ignore
          </button>{' '}
          <button type="button" onClick={() => bulk.mutate('reopen')}>
            Back to new
          </button>
        </div>
      )}
      {list.isLoading && <p className="loading">Loading…</p>}
      {list.data && !items.length && (
        <p className="muted">No mentions here. Sources are set up under Settings → Listening sources.</p>
      )}
      <ul className="social-mentions" aria-label="Mentions">
        {items.map((m) => (
          <MentionRow
            key={m.id}
            m={m}
            canAct={canAct}
            picked={picked.has(m.id)}
            onPick={() => toggle(m.id)}
            onChange={refresh}
          />
        ))}
      </ul>
    </section>
  );
}

function MentionRow(props: {
  m: MentionT;
  canAct: boolean;
  picked: boolean;
  onPick: () => void;
  onChange: () => void;
}) {
  const { m } = props;
  const [reply, setReply] = useState('');
  const [open, setOpen] = useState(false);
  const ticket = useMutation({ mutationFn: () => listeningApi.ticket(m.id), onSuccess: props.onChange });
  const send = useMutation({
    mutationFn: () => listeningApi.reply(m.id, reply),
    onSuccess: () => {
      setReply('');
      props.onChange();
    },
  });
  return (
    <li className={`social-mention ${m.sentiment}`} aria-label={`Mention by ${m.author}`}>
      <div className="social-head">
        {props.canAct && (
          <input
            type="checkbox"
            checked={props.picked}
            onChange={props.onPick}
            aria-label={`Select mention ${m.id}`}
          />
        )}
        <span className="social-source">{m.sourceLabel}</span>
        <strong>{m.author}</strong>
        {m.authorHandle && m.authorHandle !== m.author && <span className="muted">{m.authorHandle}</span>}
        <span className="muted">{new Date(m.postedAt).toLocaleString()}</span>
        {m.language && <span className="muted">{m.language}</span>}
        {m.rating !== null && <span title={`${m.rating} of 5 stars`}>{`${m.rating}/5 ★`}</span>}
        <button
          type="button"
          className={`sentiment-pill ${m.sentiment}`}
          aria-expanded={open}
          title="Why this sentiment"
          onClick={() => setOpen(!open)}
        >
          {m.sentiment} ({m.sentimentScore})
        </button>
        <span className={`status-pill ${m.status}`}>{m.status}</span>
      </div>
      <p className="social-text">{m.text}</p>
      {open && (
        <ul className="social-reasons" aria-label="Why this sentiment">
          {m.sentimentReasons.length ? (
            m.sentimentReasons.map((r) => (
              <li key={r.phrase}>
                {r.phrase} ({r.weight > 0 ? '+' : ''}
                {r.weight})
              </li>
            ))
          ) : (
            <li>No signal words: neutral</li>
          )}
        </ul>
      )}
      <div className="social-meta">
        {m.matchedKeywords.length > 0 && <span>Matched: {m.matchedKeywords.join(', ')}</span>}
        {m.link && (
          <a href={m.link} target="_blank" rel="noopener noreferrer">
            Open on {m.sourceLabel}
          </a>
        )}
        {m.order && (
          <span className="social-order">
            Order {m.order.number}: {formatMoney(m.order.totalMinor, m.order.currency)},{' '}
            {m.order.fulfillmentStatus}
          </span>
        )}
        {m.ticketId ? (
          <Link to={`/tickets/${m.ticketId}`}>Ticket #{m.ticketId}</Link>
        ) : (
          props.canAct && (
            <button type="button" onClick={() => ticket.mutate()} disabled={ticket.isPending}>
              Create ticket
            </button>
          )
        )}
      </div>
      {props.canAct && m.canReply && (
        <form
          className="social-reply"
          onSubmit={(e) => {
            e.preventDefault();
            send.mutate();
          }}
        >
          <label>
            Reply on {m.sourceLabel}{' '}
            <textarea value={reply} onChange={(e) => setReply(e.target.value)} maxLength={300} rows={2} />
          </label>
          <button type="submit" className="primary" disabled={!reply.trim() || send.isPending}>
            Send reply
          </button>
          {send.isSuccess && <span role="status">Reply queued on ticket #{send.data.ticketId}</span>}
          {send.error && <span className="error">{(send.error as ApiError).message}</span>}
        </form>
      )}
      {m.repliedAt && <p className="muted">Replied {new Date(m.repliedAt).toLocaleString()}</p>}
    </li>
  );
}
