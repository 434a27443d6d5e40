/** Who gets a ticket: pure rules over a snapshot of agents taken under the routing lock. */

export type Mode = 'manual' | 'round_robin' | 'least_loaded';

export interface Rules {
  mode: Mode;
  defaultCapacity: Record<string, number>;
  skillTags: string[];
  matchLanguage: boolean;
}

export interface Candidate {
  id: number;
  skills: string[];
  languages: string[];
  teamIds: number[];
  capacity: Record<string, number>;
  /** Round-robin turn: lowest goes next. */
  seq: number;
  /** Open tickets per channel. */
  load: Record<string, number>;
}

export interface RoutableTicket {
  channel: string;
  teamId: number | null;
  tags: string[];
  language: string | null;
}

const primary = (lang: string) => lang.toLowerCase().split(/[-_]/)[0]!;

export function capacityOf(agent: Pick<Candidate, 'capacity'>, rules: Rules, channel: string): number {
  return (
    agent.capacity[channel] ??
    rules.defaultCapacity[channel] ??
    agent.capacity['*'] ??
    rules.defaultCapacity['*'] ??
    0
  );
}

export function requiredSkills(ticket: RoutableTicket, rules: Rules): string[] {
  const skills = new Set(rules.skillTags.map((s) => s.toLowerCase()));
  return ticket.tags.filter((t) => skills.has(t.toLowerCase()));
}

/** Team member (when the ticket has a team), has every required skill, speaks the language, has room. */
export function isEligible(agent: Candidate, ticket: RoutableTicket, rules: Rules): boolean {
  if (ticket.teamId !== null && !agent.teamIds.includes(ticket.teamId)) return false;
  const mine = new Set(agent.skills.map((s) => s.toLowerCase()));
  if (!requiredSkills(ticket, rules).every((s) => mine.has(s.toLowerCase()))) return false;
  if (rules.matchLanguage && ticket.language) {
    const want = primary(ticket.language);
    if (!agent.languages.some((l) => primary(l) === want)) return false;
  }
  return (agent.load[ticket.channel] ?? 0) < capacityOf(agent, rules, ticket.channel);
}

const total = (load: Record<string, number>) => Object.values(load).reduce((a, b) => a + b, 0);

export function pickAgent(agents: Candidate[], ticket: RoutableTicket, rules: Rules): Candidate | null {
  if (rules.mode === 'manual') return null;
  const fit = agents.filter((a) => isEligible(a, ticket, rules));
  if (!fit.length) return null;
  const byTurn = (a: Candidate, b: Candidate) => a.seq - b.seq || a.id - b.id;
  fit.sort(
    rules.mode === 'round_robin'
      ? byTurn
      : (a, b) =>
          (a.load[ticket.channel] ?? 0) - (b.load[ticket.channel] ?? 0) ||
          total(a.load) - total(b.load) ||
          byTurn(a, b),
  );
  return fit[0]!;
}
