import { useQuery } from '@tanstack/react-query';
import { useAction } from '../settings/use-action.tsx';
import { JsonEditor } from './json-editor.tsx';
import { slaApi } from './sla-api.ts';

export default function RoutingSettings() {
  const configs = useQuery({ queryKey: ['routing-config'], queryFn: slaApi.routingConfigs });
  const agents = useQuery({ queryKey: ['routing-agents'], queryFn: slaApi.routingAgents });
  const { run, view } = useAction(['routing-config'], ['routing-agents']);
  const base = configs.data?.items.find((c) => c.teamId === null);
  return (
    <div className="stack">
      <h2>Routing</h2>
      {view}
      {configs.isSuccess && (
        <JsonEditor
          key={base?.updatedAt ?? 'new'}
          label="Workspace routing (mode: manual, round_robin or least_loaded)"
          initial={
            base
              ? {
                  mode: base.mode,
                  defaultCapacity: base.defaultCapacity,
                  skillTags: base.skillTags,
                  matchLanguage: base.matchLanguage,
                }
              : {
                  mode: 'round_robin',
                  defaultCapacity: { chat: 3, email: 20, '*': 20 },
                  skillTags: [],
                  matchLanguage: true,
                }
          }
          submitLabel="Save routing"
          onSubmit={(v) => run(() => slaApi.putRouting(v), 'Routing saved')}
        />
      )}
      <h2>Agents</h2>
      <table className="grid">
        <thead>
          <tr>
            <th>Agent</th>
            <th>Status</th>
            <th>Open tickets</th>
            <th>Capacity overrides</th>
          </tr>
        </thead>
        <tbody>
          {(agents.data?.items ?? []).map((a) => (
            <tr key={a.agentId}>
              <td>{a.name}</td>
              <td>
                <select
                  aria-label={`Status of ${a.name}`}
                  value={a.status}
                  onChange={(e) =>
                    void run(
                      () => slaApi.setAgent(a.agentId, { status: e.target.value }),
                      `${a.name} is ${e.target.value}`,
                    )
                  }
                >
                  <option value="online">online</option>
                  <option value="away">away</option>
                  <option value="offline">offline</option>
                </select>
              </td>
              <td>
                {Object.entries(a.load)
                  .map(([ch, n]) => `${ch} ${n}`)
                  .join(', ') || '—'}
              </td>
              <td>{JSON.stringify(a.capacity) === '{}' ? 'defaults' : JSON.stringify(a.capacity)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
