import type { Job } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../lib/api.ts';
import { dateTime } from '../../ui/format.ts';
import { useAction } from './use-action.tsx';

type JobT = z.output<typeof Job>;

/**
 * Background work that gave up (an email that could not be processed, a reply that could not be sent,
 * a webhook that kept failing), with the reason, so an admin can fix the cause and run it again.
 */
export default function FailedJobsPage() {
  const jobs = useQuery({
    queryKey: ['failed-jobs'],
    queryFn: () => api.get<{ items: JobT[] }>('/api/v1/jobs', { status: 'failed', limit: 200 }),
  });
  const { run, view } = useAction(['failed-jobs']);
  const items = jobs.data?.items ?? [];
  return (
    <div className="stack">
      <h2>Failed jobs</h2>
      <p className="muted">
        Background work that gave up after its retries, newest first. Fix the cause, then run it again.
      </p>
      {view}
      {jobs.isSuccess && !items.length ? (
        <p>No failed jobs.</p>
      ) : (
        <table className="grid" aria-label="Failed jobs">
          <thead>
            <tr>
              <th>Gave up</th>
              <th>Job</th>
              <th>Attempts</th>
              <th>Reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((j) => (
              <tr key={j.id}>
                <td>{dateTime(j.finishedAt ?? j.updatedAt)}</td>
                <td>
                  <code>{j.name}</code> <span className="muted small">#{j.id}</span>
                </td>
                <td>
                  {j.attempts} of {j.maxAttempts}
                </td>
                <td className="small">{j.lastError}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Retry job ${j.id}`}
                    onClick={() =>
                      void run(
                        () => api.post(`/api/v1/jobs/${j.id}/retry`),
                        `Job ${j.name} #${j.id} queued again`,
                      )
                    }
                  >
                    Retry
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
