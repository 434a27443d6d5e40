import { useQuery } from '@tanstack/react-query';
import { api } from '../lib/api.ts';

/** Agents and teams, cached for the session: names for ids everywhere. */
export function useDirectory() {
  const agents = useQuery({ queryKey: ['agents'], queryFn: api.agents.list, staleTime: 60_000 });
  const teams = useQuery({ queryKey: ['teams'], queryFn: api.teams.list, staleTime: 60_000 });
  const agentList = agents.data?.items ?? [];
  const teamList = teams.data?.items ?? [];
  return {
    agents: agentList,
    /** Who can own a ticket: active agents who may write (read-only accounts cannot work a ticket). */
    assignable: agentList.filter((a) => a.active && a.role !== 'read-only'),
    teams: teamList,
    agentName: (id: number | null | undefined) =>
      id == null ? null : (agentList.find((a) => a.id === id)?.name ?? `Agent ${id}`),
    agentAvatar: (id: number | null | undefined) =>
      id == null ? null : (agentList.find((a) => a.id === id)?.avatarUrl ?? null),
    teamName: (id: number | null | undefined) =>
      id == null ? null : (teamList.find((t) => t.id === id)?.name ?? `Team ${id}`),
  };
}
