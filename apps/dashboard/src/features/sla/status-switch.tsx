import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMe } from '../../lib/session.tsx';
import { slaApi } from './sla-api.ts';
import './sla.css';

const STATES = ['online', 'away', 'offline'] as const;
const LABEL = { online: 'Online', away: 'Away', offline: 'Offline' } as const;

/**
 * The agent's routing status, always one click away in the top bar: routing only offers tickets to
 * agents who are online, and going offline hands open chats back to the queue.
 */
export default function StatusSwitch() {
  const me = useMe();
  const qc = useQueryClient();
  const agents = useQuery({ queryKey: ['routing-agents'], queryFn: slaApi.routingAgents });
  const mine = agents.data?.items.find((a) => a.agentId === me.agent.id);
  const change = useMutation({
    mutationFn: (s: (typeof STATES)[number]) => slaApi.setMyStatus(s),
    onSettled: () => qc.invalidateQueries({ queryKey: ['routing-agents'] }),
  });
  if (!mine) return null;
  const status = (change.isPending ? change.variables : mine.status) as (typeof STATES)[number];
  return (
    <label
      className={`status-switch status-${status}`}
      title={change.error ? String(change.error) : undefined}
    >
      <span className="status-dot" aria-hidden="true" />
      <span className="sr">Availability</span>
      <select
        value={status}
        disabled={change.isPending}
        onChange={(e) => change.mutate(e.target.value as (typeof STATES)[number])}
      >
        {STATES.map((s) => (
          <option key={s} value={s}>
            {LABEL[s]}
          </option>
        ))}
      </select>
    </label>
  );
}
