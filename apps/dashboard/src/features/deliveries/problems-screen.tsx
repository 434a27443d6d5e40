import { formatMoney } from '@shopdesk/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiError } from '../../lib/api.ts';
import { Link, navigate, useParams } from '../../lib/router.tsx';
import { deliveriesApi, type NoticeOutcomeT } from './deliveries-api.ts';

const ids = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => Number.parseInt(x.replace('#', ''), 10))
    .filter((n) => Number.isSafeInteger(n) && n > 0);

/** Problems: one cause behind many tickets, answered and solved for everyone at once. */
export default function ProblemsScreen() {
  const rest = useParams()['*'] ?? '';
  const id = Number.parseInt(rest, 10);
  return (
    <section className="page" data-testid="problems-screen">
      {Number.isSafeInteger(id) && id > 0 ? <ProblemDetail id={id} /> : <ProblemList />}
    </section>
  );
}

function ProblemList() {
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['problems'], queryFn: deliveriesApi.problems });
  const [title, setTitle] = useState('');
  const [cause, setCause] = useState('');
  const [tickets, setTickets] = useState('');
  const [keywords, setKeywords] = useState('');
  const create = useMutation({
    mutationFn: () =>
      deliveriesApi.create({
        title,
        cause,
        ticketIds: ids(tickets),
        keywords: keywords
          .split(',')
          .map((k) => k.trim())
          .filter((k) => k.length >= 2),
      }),
    onSuccess: (p) => {
      void qc.invalidateQueries({ queryKey: ['problems'] });
      navigate(`/problems/${p.id}`);
    },
  });
  return (
    <>
      <h1>Problems</h1>
      <table className="table" aria-label="Problems">
        <thead>
          <tr>
            <th>Problem</th>
            <th>Status</th>
            <th>Tickets</th>
            <th>Updates sent</th>
            <th>Since</th>
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((p) => (
            <tr key={p.id}>
              <td>
                <Link to={`/problems/${p.id}`}>{p.title}</Link>
                {p.cause && <div className="muted">{p.cause}</div>}
              </td>
              <td>{p.status === 'open' ? 'Open' : 'Solved'}</td>
              <td>{p.ticketCount}</td>
              <td>{p.updatesSent}</td>
              <td>{new Date(p.createdAt).toLocaleDateString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && !list.data.items.length && <p className="muted">No problems.</p>}
      <h2>New problem</h2>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <label>
          Title <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
        </label>
        <label>
          Cause <input value={cause} onChange={(e) => setCause(e.target.value)} maxLength={2000} />
        </label>
        <label>
          Tickets (numbers){' '}
          <input value={tickets} onChange={(e) => setTickets(e.target.value)} placeholder="12, 15, 40" />
        </label>
        <label>
          Link new tickets whose subject names (comma-separated){' '}
          <input
            value={keywords}
            onChange={(e) => setKeywords(e.target.value)}
            placeholder="leipzig, dhl delay"
          />
        </label>
        {create.error && <p className="error">{(create.error as ApiError).message}</p>}
        <button type="submit" className="primary" disabled={create.isPending || !title.trim()}>
          Create problem
        </button>
      </form>
    </>
  );
}

function Outcomes({ items, dryRun }: { items: NoticeOutcomeT[]; dryRun: boolean }) {
  const told = items.filter((i) => i.status !== 'skipped');
  return (
    <div className="note" role="status">
      {dryRun
        ? `Would tell ${told.length} of ${items.length} customers`
        : `${told.length} of ${items.length} customers told`}
      {items.length > told.length && (
        <ul>
          {items
            .filter((i) => i.status === 'skipped')
            .map((i) => (
              <li key={i.ticketId}>
                #{i.ticketId}: not told ({i.reason?.replace(/_/g, ' ')})
              </li>
            ))}
        </ul>
      )}
    </div>
  );
}

function ProblemDetail({ id }: { id: number }) {
  const qc = useQueryClient();
  const p = useQuery({ queryKey: ['problems', id], queryFn: () => deliveriesApi.problem(id) });
  const impact = useQuery({ queryKey: ['problems', id, 'impact'], queryFn: () => deliveriesApi.impact(id) });
  const timeline = useQuery({
    queryKey: ['problems', id, 'timeline'],
    queryFn: () => deliveriesApi.timeline(id),
  });
  const [text, setText] = useState('');
  const [solveTickets, setSolveTickets] = useState(true);
  const [more, setMore] = useState('');
  const [outcome, setOutcome] = useState<{ items: NoticeOutcomeT[]; dryRun: boolean } | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: ['problems'] });
  const notify = useMutation({
    mutationFn: (dryRun: boolean) => deliveriesApi.notify(id, text, dryRun).then((r) => ({ ...r, dryRun })),
    onSuccess: (r) => {
      setOutcome(r);
      if (!r.dryRun) refresh();
    },
  });
  const solve = useMutation({
    mutationFn: () => deliveriesApi.solve(id, text, solveTickets),
    onSuccess: (r) => {
      setOutcome({ items: r.items, dryRun: false });
      refresh();
    },
  });
  const link = useMutation({
    mutationFn: () => deliveriesApi.link(id, ids(more)),
    onSuccess: () => {
      setMore('');
      refresh();
    },
  });
  if (!p.data) return p.error ? <p className="error">{(p.error as ApiError).message}</p> : null;
  const d = p.data;
  const error = (notify.error ?? solve.error ?? link.error) as ApiError | null;
  return (
    <>
      <p>
        <Link to="/problems">← Problems</Link>
      </p>
      <h1>{d.title}</h1>
      <p>
        {d.status === 'open' ? 'Open' : `Solved ${new Date(d.solvedAt!).toLocaleString()}`}
        {d.cause ? ` · ${d.cause}` : ''}
      </p>
      {impact.data && (
        <p data-testid="problem-impact">
          <strong>Impact:</strong> {impact.data.tickets} tickets ({impact.data.openTickets} open),{' '}
          {impact.data.orders} orders
          {impact.data.atStake.map((m) => `, ${formatMoney(m.amount, m.currency)} at stake`).join('')}
        </p>
      )}
      {d.keywords.length > 0 && <p className="muted">Links new tickets naming: {d.keywords.join(', ')}</p>}
      <h2>Linked tickets</h2>
      <p>
        {(d.ticketIds ?? []).map((t) => (
          <Link key={t} to={`/tickets/${t}`} className="chip">
            #{t}
          </Link>
        ))}
      </p>
      {d.status === 'open' && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            link.mutate();
          }}
        >
          <input
            aria-label="Ticket numbers to link"
            value={more}
            onChange={(e) => setMore(e.target.value)}
            placeholder="More tickets: 12, 15"
          />
          <button type="submit" disabled={!ids(more).length}>
            Link
          </button>
        </form>
      )}
      {d.status === 'open' && (
        <>
          <h2>Tell everyone</h2>
          <textarea
            aria-label="Update for every linked customer"
            rows={4}
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={5000}
          />
          <div className="row">
            <button
              type="button"
              disabled={!text.trim() || notify.isPending}
              onClick={() => notify.mutate(true)}
            >
              Preview who would be told
            </button>
            <button
              type="button"
              className="primary"
              disabled={!text.trim() || notify.isPending}
              onClick={() => notify.mutate(false)}
            >
              Send update
            </button>
            <label>
              <input
                type="checkbox"
                checked={solveTickets}
                onChange={(e) => setSolveTickets(e.target.checked)}
              />{' '}
              Solve their tickets
            </label>
            <button type="button" disabled={!text.trim() || solve.isPending} onClick={() => solve.mutate()}>
              Solve and tell everyone
            </button>
          </div>
        </>
      )}
      {error && <p className="error">{error.message}</p>}
      {outcome && <Outcomes {...outcome} />}
      <h2>Timeline</h2>
      <ul data-testid="problem-timeline">
        {(timeline.data?.items ?? []).map((e) => (
          <li key={`${e.at}${e.what}`}>
            {new Date(e.at).toLocaleString()} — {e.what}
            {e.text && <div className="muted">“{e.text}”</div>}
          </li>
        ))}
      </ul>
    </>
  );
}
