import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useDirectory } from '../../ui/use-directory.ts';
import { Field, FieldError, invalid, useFormSave } from './form-kit.tsx';
import { type CalendarT, slaApi } from './sla-api.ts';

const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;
type Day = (typeof DAYS)[number][0];
type Range = { start: string; end: string };
type Holiday = { date: string; yearly: boolean; name: string };
type Draft = { name: string; timezone: string; weekly: Record<Day, Range[]>; holidays: Holiday[] };

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
const zones = (): string[] => {
  const f = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  const list = f ? f('timeZone') : [];
  return list.includes('UTC') ? list : ['UTC', ...list];
};

function draftOf(c: CalendarT | undefined): Draft {
  const nine = () => [{ start: '09:00', end: '17:00' }];
  if (!c)
    return {
      name: 'Support hours',
      timezone: browserZone(),
      weekly: { mon: nine(), tue: nine(), wed: nine(), thu: nine(), fri: nine(), sat: [], sun: [] },
      holidays: [],
    };
  const weekly = {} as Record<Day, Range[]>;
  for (const [d] of DAYS) weekly[d] = (c.weekly[d] ?? []).map((r) => ({ ...r }));
  return {
    name: c.name,
    timezone: c.timezone,
    weekly,
    holidays: c.holidays.map((h) => ({ date: h.date, yearly: h.yearly ?? false, name: h.name ?? '' })),
  };
}

/** Business hours of the workspace or of one team: time zone, weekly schedule, holidays. */
export function HoursForm() {
  const dir = useDirectory();
  const calendars = useQuery({ queryKey: ['business-hours'], queryFn: slaApi.calendars });
  const [scope, setScope] = useState<number | null>(null);
  const current = calendars.data?.items.find((c) => c.teamId === scope);
  if (!calendars.isSuccess) return <p className="loading">Loading business hours…</p>;
  return (
    <div className="stack">
      <label className="inline">
        Calendar of
        <select
          aria-label="Calendar of"
          value={scope ?? ''}
          onChange={(e) => setScope(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">the workspace</option>
          {dir.teams.map((t) => (
            <option key={t.id} value={t.id}>
              team {t.name}
              {calendars.data.items.some((c) => c.teamId === t.id) ? '' : ' (uses the workspace hours)'}
            </option>
          ))}
        </select>
      </label>
      {/* Keyed by scope only: saving must not reset the form or hide its message. */}
      <HoursEditor key={String(scope)} scope={scope} calendar={current} />
    </div>
  );
}

function HoursEditor({ scope, calendar }: { scope: number | null; calendar: CalendarT | undefined }) {
  const [d, setD] = useState<Draft>(() => draftOf(calendar));
  const { save, errors, status } = useFormSave(['business-hours']);
  const tzList = useMemo(zones, []);
  const setDay = (day: Day, ranges: Range[]) =>
    setD((x) => ({ ...x, weekly: { ...x.weekly, [day]: ranges } }));
  const setHoliday = (i: number, h: Partial<Holiday>) =>
    setD((x) => ({ ...x, holidays: x.holidays.map((o, j) => (j === i ? { ...o, ...h } : o)) }));
  const body = () => ({
    name: d.name,
    timezone: d.timezone,
    weekly: Object.fromEntries(DAYS.map(([k]) => [k, d.weekly[k]])),
    holidays: d.holidays.map((h) => ({
      date: h.date,
      yearly: h.yearly,
      ...(h.name ? { name: h.name } : {}),
    })),
  });
  return (
    <form
      className="sla-form"
      aria-label="Business hours"
      onSubmit={(e) => {
        e.preventDefault();
        void save(
          () => (scope === null ? slaApi.putCalendar(body()) : slaApi.putTeamCalendar(scope, body())),
          'Business hours saved',
        );
      }}
    >
      <div className="row">
        <Field label="Name" errors={errors} path="name">
          <input
            value={d.name}
            onChange={(e) => setD({ ...d, name: e.target.value })}
            {...invalid(errors, 'name')}
          />
        </Field>
        <Field label="Time zone" errors={errors} path="timezone">
          <select
            value={d.timezone}
            onChange={(e) => setD({ ...d, timezone: e.target.value })}
            {...invalid(errors, 'timezone')}
          >
            {!tzList.includes(d.timezone) && <option value={d.timezone}>{d.timezone}</option>}
            {tzList.map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        </Field>
      </div>
      <fieldset>
        <legend>Weekly schedule</legend>
        <table className="sla-days">
          <tbody>
            {DAYS.map(([k, label]) => {
              const ranges = d.weekly[k];
              return (
                <tr key={k} data-day={k}>
                  <th scope="row">
                    <label className="inline">
                      <input
                        type="checkbox"
                        aria-label={`Open on ${label}`}
                        checked={ranges.length > 0}
                        onChange={(e) =>
                          setDay(k, e.target.checked ? [{ start: '09:00', end: '17:00' }] : [])
                        }
                      />
                      {label}
                    </label>
                  </th>
                  <td>
                    {ranges.length === 0 && <span className="muted">closed</span>}
                    {ranges.map((r, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: ranges have no identity; the inputs are controlled
                      <span key={i} className="row" style={{ marginRight: 8 }}>
                        <input
                          type="time"
                          aria-label={`${label} opens`}
                          value={r.start}
                          onChange={(e) =>
                            setDay(
                              k,
                              ranges.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)),
                            )
                          }
                          {...invalid(errors, `weekly.${k}.${i}`)}
                        />
                        –
                        <input
                          // 24:00 (until midnight) cannot be typed into a time input; a text input takes it.
                          type={r.end === '24:00' ? 'text' : 'time'}
                          size={5}
                          aria-label={`${label} closes`}
                          value={r.end}
                          onChange={(e) =>
                            setDay(
                              k,
                              ranges.map((x, j) => (j === i ? { ...x, end: e.target.value } : x)),
                            )
                          }
                          {...invalid(errors, `weekly.${k}.${i}`)}
                        />
                        <button
                          type="button"
                          className="ghost"
                          aria-label={`Remove ${label} range ${i + 1}`}
                          onClick={() =>
                            setDay(
                              k,
                              ranges.filter((_, j) => j !== i),
                            )
                          }
                        >
                          ✕
                        </button>
                        <FieldError errors={errors} path={`weekly.${k}.${i}`} />
                      </span>
                    ))}
                    {ranges.length > 0 && ranges.length < 8 && (
                      <button
                        type="button"
                        className="ghost"
                        onClick={() => setDay(k, [...ranges, { start: '18:00', end: '20:00' }])}
                      >
                        + range
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p className="muted small">
          Night shifts are two ranges (22:00–24:00 and 00:00–06:00 of the next day).
        </p>
      </fieldset>
      <fieldset>
        <legend>Holidays</legend>
        {d.holidays.length === 0 && <p className="muted">No holidays.</p>}
        {d.holidays.map((h, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: holidays have no identity; the inputs are controlled
          <div key={i} className="row" data-holiday={i}>
            <input
              type="date"
              aria-label={`Holiday ${i + 1} date`}
              value={h.date}
              onChange={(e) => setHoliday(i, { date: e.target.value })}
              {...invalid(errors, `holidays.${i}.date`)}
            />
            <input
              aria-label={`Holiday ${i + 1} name`}
              placeholder="Name (optional)"
              value={h.name}
              onChange={(e) => setHoliday(i, { name: e.target.value })}
            />
            <label className="inline">
              <input
                type="checkbox"
                checked={h.yearly}
                onChange={(e) => setHoliday(i, { yearly: e.target.checked })}
              />
              every year
            </label>
            <button
              type="button"
              className="ghost"
              aria-label={`Remove holiday ${i + 1}`}
              onClick={() => setD((x) => ({ ...x, holidays: x.holidays.filter((_, j) => j !== i) }))}
            >
              ✕
            </button>
            <FieldError errors={errors} path={`holidays.${i}`} />
          </div>
        ))}
        <div>
          <button
            type="button"
            onClick={() =>
              setD((x) => ({ ...x, holidays: [...x.holidays, { date: '', yearly: false, name: '' }] }))
            }
          >
            Add holiday
          </button>
        </div>
        <FieldError errors={errors} path="holidays" />
      </fieldset>
      <FieldError errors={errors} path="weekly" />
      {status}
      <div className="row">
        <button type="submit" className="primary">
          Save hours
        </button>
        {scope !== null && calendar && (
          <button
            type="button"
            className="danger"
            onClick={() =>
              void save(() => slaApi.deleteTeamCalendar(scope), 'The team now uses the workspace hours')
            }
          >
            Use the workspace hours
          </button>
        )}
      </div>
    </form>
  );
}
