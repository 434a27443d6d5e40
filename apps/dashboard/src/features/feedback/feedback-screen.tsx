import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError } from '../../lib/api.ts';
import { Link, useParams } from '../../lib/router.tsx';
import { feedbackApi, type OverviewT, pct, type SurveyT, verdictLabel } from './feedback-api.ts';
import { Improvements, Inbox, Topics } from './feedback-loop.tsx';
import './feedback.css';

const TABS = [
  ['', 'Overview'],
  ['responses', 'Responses'],
  ['inbox', 'Inbox'],
  ['topics', 'Topics'],
  ['improvements', 'Improvements'],
] as const;

/** Feedback: how customers rate the help (CSAT, NPS, follow-ups), what they say, and what changed. */
export default function FeedbackScreen() {
  const tab = useParams()['*'] ?? '';
  return (
    <div className="page feedback">
      <h1>Feedback</h1>
      <div className="tabs" role="tablist" aria-label="Feedback">
        {TABS.map(([k, label]) => (
          <Link key={k} role="tab" aria-selected={tab === k} to={k ? `/feedback/${k}` : '/feedback'}>
            {label}
          </Link>
        ))}
      </div>
      {tab === '' && <Overview />}
      {tab === 'responses' && <Responses />}
      {tab === 'inbox' && <Inbox />}
      {tab === 'topics' && <Topics />}
      {tab === 'improvements' && <Improvements />}
    </div>
  );
}

function Period({ days, onChange }: { days: number; onChange: (d: number) => void }) {
  return (
    <label className="inline">
      Period{' '}
      <select value={days} onChange={(e) => onChange(Number(e.target.value))}>
        <option value={7}>Last 7 days</option>
        <option value={30}>Last 30 days</option>
        <option value={90}>Last 90 days</option>
        <option value={365}>Last year</option>
      </select>
    </label>
  );
}

function Overview() {
  const [days, setDays] = useState(30);
  const q = useQuery({ queryKey: ['feedback', 'overview', days], queryFn: () => feedbackApi.overview(days) });
  return (
    <section className="stack">
      <Period days={days} onChange={setDays} />
      {q.isLoading && <p className="loading">Loading…</p>}
      {q.isError && (
        <p className="error" role="alert">
          Could not load the figures{q.error instanceof ApiError ? `: ${q.error.message}` : ''}.
        </p>
      )}
      {q.data && <Figures o={q.data} />}
    </section>
  );
}

function Figures({ o }: { o: OverviewT }) {
  return (
    <>
      <div className="kpis">
        <Kpi
          label="CSAT"
          value={pct(o.csat.csat)}
          note={`${o.csat.answered} answers · ${o.csat.good} good, ${o.csat.bad} bad`}
        />
        <Kpi label="Response rate" value={pct(o.csat.responseRate)} note={`${o.csat.sent} surveys sent`} />
        <Kpi label="CSAT, agents" value={pct(o.csatHuman.csat)} note={`${o.csatHuman.answered} answers`} />
        <Kpi label="CSAT, bot alone" value={pct(o.csatBot.csat)} note={`${o.csatBot.answered} answers`} />
        <Kpi
          label="NPS"
          value={o.nps.nps === null ? '—' : String(o.nps.nps)}
          note={`${o.nps.promoters} promoters · ${o.nps.passives} passives · ${o.nps.detractors} detractors`}
        />
        <Kpi
          label="Follow-ups"
          value={`${o.followUps.fixed}/${o.followUps.sent}`}
          note={`fixed · ${o.followUps.notFixed} not fixed · ${o.followUps.closed} closed unanswered`}
        />
      </div>
      <h2>CSAT by week</h2>
      <div
        className="chart"
        role="img"
        aria-label={`CSAT by week: ${o.trend.map((t) => `${t.week} ${pct(t.csat)}`).join(', ')}`}
      >
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={o.trend} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="week" fontSize={12} />
            <YAxis domain={[0, 100]} fontSize={12} unit="%" />
            <Tooltip />
            <Line type="monotone" dataKey="csat" name="CSAT %" stroke="#1f6feb" connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div className="columns">
        <Breakdown
          title="By channel"
          rows={o.byChannel.map((r) => ({ key: r.key, csat: r.csat, n: r.answered }))}
        />
        <Breakdown
          title="By agent (when the survey went out)"
          rows={o.byAgent.map((r) => ({ key: r.key, csat: r.csat, n: r.answered }))}
        />
        <section>
          <h2>Reasons given</h2>
          {o.reasons.length === 0 ? (
            <p className="muted">No reasons given yet.</p>
          ) : (
            <ul className="reasons">
              {o.reasons.map((r) => (
                <li key={r.reason}>
                  {r.reason} <span className="muted">({r.count})</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

function Kpi({ label, value, note }: { label: string; value: string; note: string }) {
  return (
    <div className="kpi card">
      <div className="muted small">{label}</div>
      <div className="kpi-value">{value}</div>
      <div className="muted small">{note}</div>
    </div>
  );
}

function Breakdown({
  title,
  rows,
}: {
  title: string;
  rows: { key: string; csat: number | null; n: number }[];
}) {
  return (
    <section>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">No answers yet.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th />
              <th>CSAT</th>
              <th>Answers</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key}>
                <td>{r.key}</td>
                <td>{pct(r.csat)}</td>
                <td>{r.n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Responses() {
  const [kind, setKind] = useState('csat');
  const [verdict, setVerdict] = useState('');
  const [days, setDays] = useState(30);
  const q = useQuery({
    queryKey: ['feedback', 'surveys', kind, verdict, days],
    queryFn: () => feedbackApi.surveys({ kind, verdict: verdict || undefined, status: 'answered', days }),
  });
  const verdicts = kind === 'nps' ? ['promoter', 'passive', 'detractor'] : ['good', 'neutral', 'bad'];
  return (
    <section className="stack">
      <div className="row filters">
        <label className="inline">
          Survey{' '}
          <select
            value={kind}
            onChange={(e) => {
              setKind(e.target.value);
              setVerdict('');
            }}
          >
            <option value="csat">Satisfaction (CSAT)</option>
            <option value="nps">NPS</option>
          </select>
        </label>
        <label className="inline">
          Rating{' '}
          <select value={verdict} onChange={(e) => setVerdict(e.target.value)}>
            <option value="">All</option>
            {verdicts.map((v) => (
              <option key={v} value={v}>
                {verdictLabel[v]}
              </option>
            ))}
          </select>
        </label>
        <Period days={days} onChange={setDays} />
      </div>
      {q.isLoading && <p className="loading">Loading…</p>}
      {q.data?.items.length === 0 && <p className="muted">No answers in this period.</p>}
      {!!q.data?.items.length && (
        <table className="grid responses">
          <thead>
            <tr>
              <th>When</th>
              <th>Customer</th>
              <th>Rating</th>
              <th>Comment</th>
              <th>Agent · channel</th>
              <th>Ticket</th>
            </tr>
          </thead>
          <tbody>
            {q.data.items.map((s) => (
              <ResponseRow key={s.id} s={s} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ResponseRow({ s }: { s: SurveyT }) {
  const of = s.scale === 'nps' ? 10 : s.scale === 'three' ? 3 : s.scale === 'thumbs' ? 2 : 5;
  return (
    <tr>
      <td>{s.answeredAt ? new Date(s.answeredAt).toLocaleString() : ''}</td>
      <td>{s.contact?.name ?? s.contact?.email ?? '—'}</td>
      <td>
        <span className={`verdict ${s.verdict ?? ''}`}>
          {s.score}/{of} {s.verdict ? verdictLabel[s.verdict] : ''}
        </span>
      </td>
      <td>
        {s.reason && <strong>{s.reason}. </strong>}
        {s.comment}
      </td>
      <td>
        {s.snapshot.assigneeName ?? (s.snapshot.human === false ? 'Bot' : '—')} · {s.channel}
        {s.snapshot.orderActions?.length ? ` · ${s.snapshot.orderActions.join(', ')}` : ''}
      </td>
      <td>
        {s.ticketId ? (
          <Link to={`/tickets/${s.ticketId}`}>#{s.ticketId}</Link>
        ) : (
          (s.snapshot.orderNumber ?? '')
        )}
      </td>
    </tr>
  );
}
