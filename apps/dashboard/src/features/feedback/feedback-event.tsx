import type { TicketDetailT } from '../../lib/api.ts';

/** One line on the ticket timeline for a survey answer or a follow-up answer. */
export function FeedbackTimelineEvent({
  event,
}: {
  event: TicketDetailT['events'][number];
  ticket: TicketDetailT;
}) {
  const d = event.data as {
    kind?: string;
    score?: number;
    of?: number;
    verdict?: string;
    comment?: string | null;
    reason?: string | null;
    fixed?: boolean;
  };
  if (event.type === 'follow_up_answered')
    return <span>The customer confirmed the follow-up: {d.fixed ? 'fixed' : 'not fixed'}.</span>;
  return (
    <span className={`survey-event ${d.verdict ?? ''}`}>
      {d.kind === 'nps' ? 'NPS answer' : 'Satisfaction rating'}: <strong>{d.score}</strong>
      {d.kind === 'nps' ? '/10' : `/${d.of ?? 5}`}
      {d.reason ? ` — ${d.reason}` : ''}
      {d.comment ? <q> {d.comment}</q> : null}
    </span>
  );
}
