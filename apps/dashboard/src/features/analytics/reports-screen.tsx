import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError, type Query } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link, navigate, useLocation } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';
import { useDirectory } from '../../ui/use-directory.ts';
import {
  analyticsApi,
  barValue,
  daysAgo,
  duration,
  headline,
  type MetricT,
  periodEnd,
  type ReportT,
} from './analytics-api.ts';
import './reports.css';

/** Filters live in the URL (?from&to&period&team&metric&drill), so a view can be shared and reloaded. */
function useFilters() {
  const { search } = useLocation();
  const f = {
    from: search.get('from') ?? daysAgo(29),
    to: search.get('to') ?? daysAgo(0),
    period: search.get('period') ?? 'day',
    team: search.get('team') ?? '',
    channel: search.get('channel') ?? '',
    tag: search.get('tag') ?? '',
    hours: search.get('hours') ?? 'calendar',
    metric: search.get('metric') ?? 'tickets_created',
    drill: search.get('drill') ?? '',
  };
  const set = (ch: Partial<typeof f>) => {
    const next = { ...f, ...ch };
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v) p.set(k, v);
    navigate(`/reports?${p}`, { replace: true });
  };
  return [f, set] as const;
}

/** Reports: how fast the team answers and resolves, per day/week/month, with every figure explained. */
export default function ReportsScreen() {
  const me = useMe();
  const lead = atLeast(me.agent.role, 'lead');
  const dir = useDirectory();
  const [f, set] = useFilters();
  // Filters combine (team × channel × tag); agents narrow their own figures by channel and tag.
  const q: Query = {
    from: f.from,
    to: f.to,
    period: f.period,
    team: lead ? f.team : undefined,
    channel: f.channel || undefined,
    tag: f.tag || undefined,
  };
  const report = useQuery({ queryKey: ['analytics', 'report', q], queryFn: () => analyticsApi.report(q) });
  const presets = [7, 30, 90].map((n) => ({ n, from: daysAgo(n - 1) }));
  return (
    <div className="page reports">
      <h1>Reports</h1>
      <div className="filters">
        <label>
          Date range{' '}
          <select
            aria-label="Date range"
            value={presets.find((p) => p.from === f.from && f.to === daysAgo(0))?.n ?? ''}
            onChange={(e) => set({ from: daysAgo(Number(e.target.value) - 1), to: daysAgo(0), drill: '' })}
          >
            <option value="">Custom</option>
            {presets.map((p) => (
              <option key={p.n} value={p.n}>
                Last {p.n} days
              </option>
            ))}
          </select>
        </label>
        <label>
          From <input type="date" value={f.from} onChange={(e) => set({ from: e.target.value, drill: '' })} />
        </label>
        <label>
          To <input type="date" value={f.to} onChange={(e) => set({ to: e.target.value, drill: '' })} />
        </label>
        <label>
          Group by{' '}
          <select value={f.period} onChange={(e) => set({ period: e.target.value, drill: '' })}>
            <option value="day">Day</option>
            <option value="week">Week</option>
            <option value="month">Month</option>
          </select>
        </label>
        {lead ? (
          <label>
            Team{' '}
            <select value={f.team} onChange={(e) => set({ team: e.target.value, drill: '' })}>
              <option value="">All teams</option>
              {dir.teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p className="muted small">Your own tickets</p>
        )}
        <label>
          Channel{' '}
          <select value={f.channel} onChange={(e) => set({ channel: e.target.value, drill: '' })}>
            <option value="">All channels</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag{' '}
          <input
            type="search"
            size={10}
            defaultValue={f.tag}
            onKeyDown={(e) => e.key === 'Enter' && set({ tag: e.currentTarget.value.trim(), drill: '' })}
            onBlur={(e) =>
              e.currentTarget.value.trim() !== f.tag && set({ tag: e.currentTarget.value.trim(), drill: '' })
            }
          />
        </label>
        <label>
          Durations in{' '}
          <select value={f.hours} onChange={(e) => set({ hours: e.target.value, drill: '' })}>
            <option value="calendar">Calendar hours</option>
            <option value="business">Business hours</option>
          </select>
        </label>
        <a className="button" href={analyticsApi.csvUrl(q)} download>
          Export CSV
        </a>
      </div>
      {lead && <Alerts />}
      {report.isLoading && <p className="loading">Loading…</p>}
      {report.isError && (
        <p className="error" role="alert">
          Could not load the report{report.error instanceof ApiError ? `: ${report.error.message}` : ''}.
        </p>
      )}
      {report.data && <Figures r={report.data} f={f} set={set} q={q} />}
    </div>
  );
}

/** Spike alerts for leads: this week against the average week of the 8 before (server: trends.ts). */
function Alerts() {
  const trends = useQuery({ queryKey: ['analytics', 'trends'], queryFn: () => analyticsApi.trends() });
  const alerts = trends.data?.alerts ?? [];
  if (!alerts.length) return null;
  return (
    <section className="card alerts" aria-label="Trend alerts">
      <h2>This week vs the last {trends.data!.baseline.weeks} weeks</h2>
      <ul>
        {alerts.map((a) => (
          <li key={a.key}>
            <strong>{a.label}</strong>{' '}
            {a.changePercent === null ? '' : `${a.changePercent > 0 ? '+' : ''}${a.changePercent} %`} (
            {a.thisWeek} this week, {a.baseline} a week before)
          </li>
        ))}
      </ul>
    </section>
  );
}

type F = ReturnType<typeof useFilters>[0];
type SetF = ReturnType<typeof useFilters>[1];

const CHANNELS = ['email', 'chat', 'sms', 'whatsapp', 'messenger', 'instagram', 'voice', 'web'];
/** Summaries that are shares (shown with %); the others are counts, scores or ratios. */
const PERCENT = new Set(['csat', 'bot_containment', 'bot_handover_rate']);

function Figures({ r, f, set, q }: { r: ReportT; f: F; set: SetF; q: Query }) {
  // Every duration has a business-hours twin (`…_business`): the toggle shows one of the two.
  const business = f.hours === 'business';
  const shown = r.metrics.filter((m) =>
    m.kind !== 'duration' ? true : m.key.endsWith('_business') === business,
  );
  const metric = shown.find((m) => m.key === f.metric) ?? shown[0]!;
  const data = metric.series.map((s) => ({ period: s.period, value: barValue(metric, s) }));
  const unit = metric.kind === 'duration' ? ' min (median)' : metric.kind === 'rate' ? ' %' : '';
  return (
    <>
      <p className="muted small">
        Days in {r.timeZone}. Hover a figure for its definition; choose one to chart it, then a bar to see the
        tickets behind it.
      </p>
      <div className="tiles">
        {shown.map((m) => (
          <button
            type="button"
            key={m.key}
            className="tile card"
            aria-pressed={m.key === metric.key}
            title={`${m.definition} Counted on ${m.countedOn}.`}
            onClick={() => set({ metric: m.key, drill: '' })}
          >
            <div className="muted small">{m.label}</div>
            <div className="tile-value">{headline(m, m.total)}</div>
            <div className="muted small">{note(m)}</div>
          </button>
        ))}
        {r.summaries.map((s) => (
          <div key={s.key} className="tile card" title={s.definition}>
            <div className="muted small">{s.label}</div>
            <div className="tile-value">
              {s.value === null ? '—' : `${s.value}${PERCENT.has(s.key) ? '%' : ''}`}
            </div>
            <div className="muted small">{s.detail}</div>
          </div>
        ))}
      </div>
      <h2>
        {metric.label} by {r.period}
      </h2>
      <div
        className="chart"
        role="img"
        aria-label={`${metric.label} by ${r.period}: ${data.map((d) => `${d.period} ${d.value ?? '—'}`).join(', ')}`}
      >
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="period" fontSize={12} />
            <YAxis fontSize={12} unit={unit.startsWith(' min') ? ' min' : unit} allowDecimals={false} />
            <Tooltip />
            <Bar
              dataKey="value"
              name={metric.label + unit}
              fill="#1f6feb"
              cursor="pointer"
              isAnimationActive={false}
              onClick={(d: { payload?: { period?: string } }) =>
                d.payload?.period && set({ drill: d.payload.period })
              }
            />
          </BarChart>
        </ResponsiveContainer>
      </div>
      {/* The bars as buttons too: keyboard users and the journey test drill down the same way. */}
      <nav className="periods" aria-label="Drill into a period">
        {metric.series
          .filter((s) => s.n + s.excluded > 0)
          .map((s) => (
            <button type="button" key={s.period} className="link" onClick={() => set({ drill: s.period })}>
              {s.period}: {headline(metric, s)}
            </button>
          ))}
      </nav>
      {f.drill && <Drill metric={metric} period={f.drill} r={r} q={q} />}
    </>
  );
}

function note(m: MetricT): string {
  const t = m.total;
  if (m.kind === 'duration')
    return `avg ${duration(t.avg)} · p90 ${duration(t.p90)} · ${t.n} tickets${t.excluded ? `, ${t.excluded} left out` : ''}`;
  if (m.kind === 'rate') return `${t.n} of ${t.n + t.excluded}`;
  if (m.kind === 'average') return `over ${t.n} tickets`;
  if (m.kind === 'level') return 'open at the end of the range';
  return t.excluded ? `${t.excluded} left out` : ' ';
}

function Drill({ metric, period, r, q }: { metric: MetricT; period: string; r: ReportT; q: Query }) {
  const from = period < r.from ? r.from : period;
  const dq: Query = {
    ...q,
    period: undefined,
    metric: metric.key,
    from,
    to: periodEnd(period, r.period, r.to),
  };
  const drill = useQuery({ queryKey: ['analytics', 'drill', dq], queryFn: () => analyticsApi.drill(dq) });
  return (
    <section className="drill" aria-label="Tickets behind the figure">
      <h2>
        {metric.label}, {from === dq.to ? from : `${from} – ${dq.to}`}: the tickets
      </h2>
      <p className="muted small">
        {metric.definition} <a href={analyticsApi.drillCsvUrl(dq)}>Export these rows (CSV)</a>
      </p>
      {drill.isLoading && <p className="loading">Loading…</p>}
      {drill.data && (
        <table className="table">
          <thead>
            <tr>
              <th>Ticket</th>
              <th>Status</th>
              <th>Counted</th>
              <th>Value</th>
              <th>Why left out</th>
            </tr>
          </thead>
          <tbody>
            {drill.data.items.map((i) => (
              <tr key={`${i.ticketId}-${i.at}`}>
                <td>
                  <Link to={`/tickets/${i.ticketId}`}>
                    #{i.ticketId} {i.subject}
                  </Link>
                </td>
                <td>{i.status}</td>
                <td>{i.included ? 'Counted' : 'Left out'}</td>
                <td>
                  {i.value === null ? '' : metric.kind === 'duration' ? duration(i.value) : String(i.value)}
                </td>
                <td className="reason">{i.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {drill.data?.hasMore && <p className="muted small">More rows: export the CSV.</p>}
    </section>
  );
}
