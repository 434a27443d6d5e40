/**
 * A ticket event as one sentence a support agent reads: who (an agent, or what acted for nobody —
 * an automation, routing, the bot) and what changed, with names instead of ids and never raw JSON.
 */
type Event = { type: string; actorAgentId: number | null; data: unknown };
type Names = {
  agentName: (id: number | null) => string | null;
  teamName: (id: number | null) => string | null;
};

const SYSTEM: Record<string, string> = {
  routing: 'Routing',
  sla: 'SLA',
  urgency: 'Urgency detection',
  bot: 'The bot',
};

const status = (s: unknown) => String(s).replace('-', ' ');

/** The actor of an event: an agent, else the system actor it was recorded with (`via`). */
export function actorOf(e: Event, names: Names): string {
  const agent = names.agentName(e.actorAgentId);
  if (agent) return agent;
  const via = (e.data as { via?: { kind?: string; name?: string } } | null)?.via;
  if (via?.kind === 'automation') return via.name ? `Automation “${via.name}”` : 'An automation';
  if (via?.kind) return via.name && via.kind !== 'bot' ? via.name : (SYSTEM[via.kind] ?? 'Shopdesk');
  return 'Shopdesk';
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** A plain value for a sentence; objects and lists of objects are left out rather than shown as JSON. */
const plain = (v: unknown): string | null => {
  if (v === null || v === undefined || v === '') return null;
  if (Array.isArray(v)) return v.every((x) => typeof x !== 'object') ? v.join(', ') : null;
  if (typeof v === 'object') return null;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
};

const words = (key: string) =>
  key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[._]/g, ' ')
    .toLowerCase();

export function eventText(e: Event, names: Names): string {
  const by = actorOf(e, names);
  const d = (e.data ?? {}) as Record<string, unknown>;
  switch (e.type) {
    case 'status_changed':
    case 'status':
      return `${by} changed the status ${d.from ? `from ${status(d.from)} ` : ''}to ${status(d.to ?? d.status)}`;
    case 'reopened':
      return e.actorAgentId ? `${by} reopened the ticket` : 'Reopened by a new customer message';
    case 'priority_changed':
      return `${by} changed the priority ${d.from ? `from ${d.from} ` : ''}to ${d.to}`;
    case 'assigned':
    case 'assignee_changed': {
      const to = d.to ?? d.assigneeId;
      return to
        ? `${by} assigned the ticket to ${names.agentName(Number(to))}`
        : `${by} unassigned the ticket`;
    }
    case 'team_changed':
      return d.to
        ? `${by} moved the ticket to team ${names.teamName(Number(d.to))}`
        : `${by} removed the team`;
    case 'subject_changed':
      return `${by} renamed the ticket to “${d.to}”`;
    case 'tags_changed': {
      const from = list(d.from);
      const to = list(d.to);
      const added = to.filter((x) => !from.includes(x));
      const removed = from.filter((x) => !to.includes(x));
      const parts = [
        added.length ? `added the tag${added.length > 1 ? 's' : ''} ${added.join(', ')}` : '',
        removed.length ? `removed the tag${removed.length > 1 ? 's' : ''} ${removed.join(', ')}` : '',
      ].filter(Boolean);
      return `${by} ${parts.join(' and ') || 'changed the tags'}`;
    }
    case 'merged':
    case 'merged_into':
      return `${by} merged ${d.sourceId ? `#${d.sourceId} into this ticket` : `this ticket into #${d.targetId ?? d.into}`}`;
    case 'linked':
      return `${by} linked ticket #${d.ticketId}${d.kind && d.kind !== 'related' ? ` (${words(String(d.kind))})` : ''}`;
    case 'follow_up_of':
      return `Follow-up of ticket #${d.ticketId}`;
    default: {
      const details = Object.entries(d)
        .filter(([k]) => k !== 'via')
        .map(([k, v]) => [words(k), plain(v)] as const)
        .filter(([, v]) => v !== null)
        .slice(0, 4)
        .map(([k, v]) => `${k}: ${v}`);
      const what = words(e.type);
      return `${what.charAt(0).toUpperCase()}${what.slice(1)} by ${by}${details.length ? ` · ${details.join(' · ')}` : ''}`;
    }
  }
}
