import { useQuery } from '@tanstack/react-query';
import { useMe } from '../../lib/session.tsx';
import { useAction } from '../settings/use-action.tsx';
import { slaApi } from './sla-api.ts';

const HELP: Record<string, string> = {
  online: 'You get new tickets up to your capacity.',
  away: 'You keep your tickets but get no new ones.',
  offline: 'No new tickets; your open chats go back to the queue for someone else.',
};

/** The agent status switch (online / away / offline) used by routing. */
export default function StatusPage() {
  const me = useMe();
  const agents = useQuery({ queryKey: ['routing-agents'], queryFn: slaApi.routingAgents });
  const { run, view } = useAction(['routing-agents']);
  const mine = agents.data?.items.find((a) => a.agentId === me?.agent.id);
  return (
    <div className="stack">
      <h2>My status</h2>
      {view}
      <div className="row">
        {(['online', 'away', 'offline'] as const).map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={mine?.status === s}
            className={mine?.status === s ? 'primary' : undefined}
            onClick={() => void run(() => slaApi.setMyStatus(s), `You are ${s}`)}
          >
            {s[0]!.toUpperCase() + s.slice(1)}
          </button>
        ))}
      </div>
      {mine && <p className="muted">{HELP[mine.status]}</p>}
      {mine && (
        <p className="muted">
          Open tickets now:{' '}
          {Object.entries(mine.load)
            .map(([ch, n]) => `${ch} ${n}`)
            .join(', ') || 'none'}
        </p>
      )}
    </div>
  );
}
