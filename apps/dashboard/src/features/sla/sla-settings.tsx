import { useQuery } from '@tanstack/react-query';
import { useAction } from '../settings/use-action.tsx';
import { JsonEditor } from './json-editor.tsx';
import { metricLabel, slaApi } from './sla-api.ts';

const weekday = [{ start: '09:00', end: '17:00' }];
const exampleHours = {
  name: 'Support hours',
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  weekly: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
  holidays: [{ date: '2025-12-25', yearly: true, name: 'Christmas' }],
};
const examplePolicy = {
  name: 'Urgent email',
  match: { channels: ['email'], priorities: ['urgent'] },
  targets: {
    firstResponse: { minutes: 60, business: true },
    nextResponse: { minutes: 120, business: true },
    resolution: { minutes: 960, business: true },
  },
  pauseStatuses: ['pending', 'on-hold'],
  warnPercent: 75,
};

export default function SlaSettings() {
  const calendars = useQuery({ queryKey: ['business-hours'], queryFn: slaApi.calendars });
  const policies = useQuery({ queryKey: ['sla-policies'], queryFn: slaApi.policies });
  const { run, view } = useAction(['business-hours'], ['sla-policies']);
  const workspace = calendars.data?.items.find((c) => c.teamId === null);
  return (
    <div className="stack">
      <h2>Business hours</h2>
      {view}
      {calendars.isSuccess && (
        <JsonEditor
          key={workspace?.updatedAt ?? 'new'}
          label="Workspace calendar (time zone, weekly hours, holidays)"
          initial={
            workspace
              ? {
                  name: workspace.name,
                  timezone: workspace.timezone,
                  weekly: workspace.weekly,
                  holidays: workspace.holidays,
                }
              : exampleHours
          }
          submitLabel="Save hours"
          onSubmit={(v) => run(() => slaApi.putCalendar(v), 'Business hours saved')}
        />
      )}
      <h2>SLA policies</h2>
      <p className="muted">Checked in order; the first active policy that matches a ticket applies.</p>
      <table className="grid">
        <thead>
          <tr>
            <th>Policy</th>
            <th>Applies to</th>
            <th>Targets</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(policies.data?.items ?? []).map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td>{JSON.stringify(p.match) === '{}' ? 'all tickets' : JSON.stringify(p.match)}</td>
              <td>
                {Object.entries(p.targets)
                  .filter(([, t]) => t)
                  .map(
                    ([k, t]) =>
                      `${metricLabel(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))} ${t!.minutes}m${t!.business ? ' (business)' : ''}`,
                  )
                  .join(' · ')}
              </td>
              <td>
                <button
                  type="button"
                  className="danger"
                  onClick={() => void run(() => slaApi.deletePolicy(p.id), `${p.name} deleted`)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <JsonEditor
        label="New policy"
        initial={examplePolicy}
        submitLabel="Add policy"
        onSubmit={(v) => run(() => slaApi.createPolicy(v), 'Policy added')}
      />
    </div>
  );
}
