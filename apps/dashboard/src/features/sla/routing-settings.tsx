import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { atLeast } from '../../lib/roles.ts';
import { useMe } from '../../lib/session.tsx';
import { useChannels } from '../../ui/use-channels.ts';
import { useDirectory } from '../../ui/use-directory.ts';
import { Field, FieldError, invalid, splitList, useFormSave } from './form-kit.tsx';
import { RoutingRulesForm } from './routing-rules.tsx';
import { type AgentRoutingT, type RoutingConfigT, slaApi } from './sla-api.ts';

const MODES = [
  ['manual', 'Manual (agents pick tickets)'],
  ['round_robin', 'Round-robin (take turns)'],
  ['least_loaded', 'Least loaded (fewest open tickets)'],
] as const;

type Draft = { mode: string; capacity: Record<string, string>; skillTags: string; matchLanguage: boolean };

function draftOf(c: RoutingConfigT | undefined): Draft {
  const cap = c?.defaultCapacity ?? { chat: 3, email: 20, '*': 20 };
  return {
    mode: c?.mode ?? 'manual',
    capacity: Object.fromEntries(Object.entries(cap).map(([k, v]) => [k, String(v)])),
    skillTags: (c?.skillTags ?? []).join(', '),
    matchLanguage: c?.matchLanguage ?? true,
  };
}

/** Numbers typed per channel; empty fields are left out (the "*" fallback applies). */
const capacityOf = (m: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(m)
      .filter(([, v]) => v.trim() !== '')
      .map(([k, v]) => [k, Number(v)]),
  );

export default function RoutingSettings() {
  const dir = useDirectory();
  const configs = useQuery({ queryKey: ['routing-config'], queryFn: slaApi.routingConfigs });
  const [scope, setScope] = useState<number | null>(null);
  const current = configs.data?.items.find((c) => c.teamId === scope);
  return (
    <div className="stack">
      <h2>Routing</h2>
      <p className="muted">
        How new unassigned tickets find an agent: per team (or the workspace default for tickets without a
        team). Only online agents with room get tickets; the rest wait in the queue, most urgent SLA first.
      </p>
      <label className="inline">
        Rules for
        <select
          aria-label="Rules for"
          value={scope ?? ''}
          onChange={(e) => setScope(e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">tickets without a team (workspace default)</option>
          {dir.teams.map((t) => (
            <option key={t.id} value={t.id}>
              team {t.name}
            </option>
          ))}
        </select>
      </label>
      {/* Keyed by scope only: saving must not reset the form or hide its message. */}
      {configs.isSuccess && <RoutingForm key={String(scope)} scope={scope} config={current} />}
      <h2>Team by channel and inbox</h2>
      <RoutingRulesForm />
      <h2>Agents</h2>
      <AgentsTable />
    </div>
  );
}

function RoutingForm({ scope, config }: { scope: number | null; config: RoutingConfigT | undefined }) {
  const [d, setD] = useState<Draft>(() => draftOf(config));
  const { save, errors, status } = useFormSave(['routing-config']);
  // Usable channels, plus any that already has a capacity set; '*' covers the rest.
  const channels = useChannels();
  const capKeys = [...new Set([...channels.names, ...Object.keys(d.capacity).filter((k) => k !== '*')]), '*'];
  const capLabel = (k: string) => (k === '*' ? 'any other channel' : channels.label(k));
  const body = () => ({
    mode: d.mode,
    defaultCapacity: capacityOf(d.capacity),
    skillTags: splitList(d.skillTags),
    matchLanguage: d.matchLanguage,
  });
  return (
    <form
      className="sla-form"
      aria-label="Routing rules"
      onSubmit={(e) => {
        e.preventDefault();
        void save(
          () => (scope === null ? slaApi.putRouting(body()) : slaApi.putTeamRouting(scope, body())),
          'Routing saved',
        );
      }}
    >
      <Field label="Mode" errors={errors} path="mode">
        <select
          value={d.mode}
          onChange={(e) => setD({ ...d, mode: e.target.value })}
          {...invalid(errors, 'mode')}
        >
          {MODES.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </Field>
      <fieldset>
        <legend>Capacity per agent (open tickets per channel)</legend>
        <div className="row">
          {capKeys.map((k) => (
            <label key={k} className="stack" style={{ gap: 2 }}>
              <span className="small">{capLabel(k)}</span>
              <input
                inputMode="numeric"
                size={4}
                aria-label={`Capacity ${capLabel(k)}`}
                value={d.capacity[k] ?? ''}
                onChange={(e) => setD({ ...d, capacity: { ...d.capacity, [k]: e.target.value } })}
                {...invalid(errors, `defaultCapacity.${k}`)}
              />
              <FieldError errors={errors} path={`defaultCapacity.${k}`} />
            </label>
          ))}
        </div>
        <FieldError errors={errors} path="defaultCapacity" />
      </fieldset>
      <Field
        label="Skill tags (a ticket with one goes only to agents with that skill)"
        errors={errors}
        path="skillTags"
      >
        <input
          value={d.skillTags}
          placeholder="e.g. returns, b2b"
          onChange={(e) => setD({ ...d, skillTags: e.target.value })}
          {...invalid(errors, 'skillTags')}
        />
      </Field>
      <label className="inline">
        <input
          type="checkbox"
          checked={d.matchLanguage}
          onChange={(e) => setD({ ...d, matchLanguage: e.target.checked })}
        />
        Match the ticket's language to the languages agents speak
      </label>
      {status}
      <div>
        <button type="submit" className="primary">
          Save routing
        </button>
      </div>
    </form>
  );
}

function AgentsTable() {
  const me = useMe();
  const isAdmin = atLeast(me.agent.role, 'admin');
  const agents = useQuery({ queryKey: ['routing-agents'], queryFn: slaApi.routingAgents });
  const dir = useDirectory();
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>Agent</th>
          <th>Status</th>
          <th>Open tickets</th>
          <th>Capacity overrides</th>
          <th>Skills and languages</th>
        </tr>
      </thead>
      <tbody>
        {(agents.data?.items ?? []).map((a) => (
          <AgentRow
            // Re-mounts once the directory has loaded, so the skill fields start from the profile.
            key={`${a.agentId}:${dir.agents.length}`}
            a={a}
            profile={dir.agents.find((x) => x.id === a.agentId)}
            canEditProfile={isAdmin}
          />
        ))}
      </tbody>
    </table>
  );
}

function AgentRow({
  a,
  profile,
  canEditProfile,
}: {
  a: AgentRoutingT;
  profile?: { skills: string[]; languages: string[] };
  canEditProfile: boolean;
}) {
  const { save, errors, status } = useFormSave(['routing-agents'], ['agents']);
  const [cap, setCap] = useState(() =>
    Object.entries(a.capacity)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
  );
  const [skills, setSkills] = useState((profile?.skills ?? []).join(', '));
  const [langs, setLangs] = useState((profile?.languages ?? []).join(', '));
  const parseCap = () =>
    Object.fromEntries(
      splitList(cap).map((p) => {
        const [k, v] = p.split('=').map((x) => x.trim());
        return [k ?? '', Number(v)];
      }),
    );
  return (
    <tr data-agent={a.name}>
      <td>{a.name}</td>
      <td>
        <select
          aria-label={`Status of ${a.name}`}
          value={a.status}
          onChange={(e) =>
            void save(
              () => slaApi.setAgent(a.agentId, { status: e.target.value }),
              `${a.name} is ${e.target.value}`,
            )
          }
        >
          <option value="online">online</option>
          <option value="away">away</option>
          <option value="offline">offline</option>
        </select>
        {a.lapsedAt && a.status !== 'offline' && (
          <span className="small muted" title={`Since ${new Date(a.lapsedAt).toLocaleString()}`}>
            {' '}
            not connected — gets no tickets
          </span>
        )}
        {status}
      </td>
      <td>
        {Object.entries(a.load)
          .map(([ch, n]) => `${ch} ${n}`)
          .join(', ') || '—'}
      </td>
      <td>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void save(
              () => slaApi.setAgent(a.agentId, { capacity: parseCap() }),
              `Capacity of ${a.name} saved`,
            );
          }}
        >
          <input
            aria-label={`Capacity overrides of ${a.name}`}
            placeholder="chat=2, email=10"
            size={16}
            value={cap}
            onChange={(e) => setCap(e.target.value)}
            {...invalid(errors, 'capacity')}
          />
          <button type="submit">Set</button>
          <FieldError errors={errors} path="capacity" />
        </form>
      </td>
      <td>
        {canEditProfile ? (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void save(
                () =>
                  api.agents.update(a.agentId, { skills: splitList(skills), languages: splitList(langs) }),
                `Skills of ${a.name} saved`,
              );
            }}
          >
            <input
              aria-label={`Skills of ${a.name}`}
              placeholder="skills"
              size={12}
              value={skills}
              onChange={(e) => setSkills(e.target.value)}
              {...invalid(errors, 'skills')}
            />
            <input
              aria-label={`Languages of ${a.name}`}
              placeholder="de, en"
              size={8}
              value={langs}
              onChange={(e) => setLangs(e.target.value)}
              {...invalid(errors, 'languages')}
            />
            <button type="submit">Save</button>
            <FieldError errors={errors} path="skills" />
            <FieldError errors={errors} path="languages" />
          </form>
        ) : (
          <span className="muted">
            {[...(profile?.skills ?? []), ...(profile?.languages ?? [])].join(', ') || '—'}
          </span>
        )}
      </td>
    </tr>
  );
}
