import { AutomationEvents, ConditionFields, ConditionOps } from '@shopdesk/contracts/automation-vocabulary';
import { splitList } from './form-kit.tsx';
import type { AutomationT } from './sla-api.ts';

/*
 * An automation being edited: the words shown for events, fields, operators and actions, and the
 * conversion between a saved automation, the form's draft (every value a string) and the API body.
 */

export const EVENTS = AutomationEvents;
export const FIELDS = ConditionFields;
export const OPS = ConditionOps;

export const EVENT_LABELS: Record<string, string> = {
  'ticket.created': 'Ticket created',
  'ticket.updated': 'Ticket updated',
  'message.received': 'Customer message received',
  'sla.warning': 'SLA warning',
  'sla.breached': 'SLA breached',
};
export const FIELD_LABELS: Record<string, string> = {
  status: 'Status',
  priority: 'Priority',
  channel: 'Channel',
  tags: 'Tags',
  subject: 'Subject',
  assigneeId: 'Assignee',
  teamId: 'Team',
  message: 'Latest customer message',
  hoursSinceCreated: 'Hours since created',
  hoursInStatus: 'Hours in status',
  businessHoursInStatus: 'Business hours in status',
  'sla.metric': 'SLA target (on SLA events)',
  urgency: 'Urgency score',
};
export const OP_LABELS: Record<string, string> = {
  is: 'is',
  is_not: 'is not',
  in: 'is one of',
  not_in: 'is none of',
  contains: 'contains',
  not_contains: 'does not contain',
  includes: 'includes',
  excludes: 'does not include',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  present: 'is set',
  absent: 'is not set',
};
const NUMERIC = new Set([
  'assigneeId',
  'teamId',
  'hoursSinceCreated',
  'hoursInStatus',
  'businessHoursInStatus',
  'urgency',
]);
export const ACTION_LABELS: Record<string, string> = {
  set_status: 'Set status',
  set_priority: 'Set priority',
  add_tags: 'Add tags',
  remove_tags: 'Remove tags',
  set_field: 'Set custom field',
  assign_agent: 'Assign to agent',
  assign_team: 'Assign to team',
  reply: 'Send reply (template)',
  add_note: 'Add internal note',
  notify: 'Notify agents',
  webhook: 'Call webhook',
};

export type CondDraft = { field: string; custom: string; op: string; value: string };
export type ActionDraft = { type: string; [k: string]: string };
export type Draft = {
  name: string;
  kind: 'trigger' | 'scheduled';
  events: string[];
  all: CondDraft[];
  any: CondDraft[];
  actions: ActionDraft[];
  active: boolean;
};

const condOf = (c: { field: string; op: string; value?: unknown }): CondDraft => ({
  field: c.field.startsWith('custom.') ? 'custom' : c.field,
  custom: c.field.startsWith('custom.') ? c.field.slice(7) : '',
  op: c.op,
  value: Array.isArray(c.value) ? c.value.join(', ') : c.value == null ? '' : String(c.value),
});

function actionOf(a: AutomationT['actions'][number]): ActionDraft {
  const out: ActionDraft = { type: a.type };
  for (const [k, v] of Object.entries(a))
    if (k !== 'type') out[k] = Array.isArray(v) ? v.join(', ') : v == null ? '' : String(v);
  return out;
}

export function draftOf(a?: AutomationT): Draft {
  return {
    name: a?.name ?? '',
    kind: a?.kind ?? 'trigger',
    events: a?.events ?? ['ticket.created'],
    all: (a?.conditions.all ?? []).map(condOf),
    any: (a?.conditions.any ?? []).map(condOf),
    actions: a ? a.actions.map(actionOf) : [{ type: 'add_tags', tags: '' }],
    active: a?.active ?? true,
  };
}

function condBody(c: CondDraft) {
  const field = c.field === 'custom' ? `custom.${c.custom.trim()}` : c.field;
  if (c.op === 'present' || c.op === 'absent') return { field, op: c.op };
  let value: unknown = c.value;
  if (c.op === 'in' || c.op === 'not_in') value = splitList(c.value);
  else if (['gt', 'gte', 'lt', 'lte'].includes(c.op) || (NUMERIC.has(c.field) && c.value.trim() !== ''))
    value = c.value.trim() === '' ? c.value : Number(c.value);
  return { field, op: c.op, value };
}

const idOrNull = (s: string | undefined) => (s ? Number(s) : null);
function actionBody(a: ActionDraft): Record<string, unknown> {
  switch (a.type) {
    case 'set_status':
      return { type: a.type, status: a.status };
    case 'set_priority':
      return { type: a.type, priority: a.priority };
    case 'add_tags':
    case 'remove_tags':
      return { type: a.type, tags: splitList(a.tags ?? '') };
    case 'set_field':
      return { type: a.type, key: a.key ?? '', value: a.value ?? '' };
    case 'assign_agent':
      return { type: a.type, agentId: idOrNull(a.agentId) };
    case 'assign_team':
      return { type: a.type, teamId: idOrNull(a.teamId) };
    case 'notify':
      return {
        type: a.type,
        to: a.to || 'assignee',
        agentIds: splitList(a.agentIds ?? '').map(Number),
        body: a.body ?? '',
      };
    case 'webhook':
      return { type: a.type, url: a.url ?? '' };
    default:
      return { type: a.type, body: a.body ?? '' };
  }
}

export const bodyOf = (d: Draft) => ({
  name: d.name,
  kind: d.kind,
  events: d.kind === 'trigger' ? d.events : [],
  conditions: { all: d.all.map(condBody), any: d.any.map(condBody) },
  actions: d.actions.map(actionBody),
  active: d.active,
});

export const defaults: Record<string, ActionDraft> = {
  set_status: { type: 'set_status', status: 'open' },
  set_priority: { type: 'set_priority', priority: 'high' },
  notify: { type: 'notify', to: 'leads', body: '' },
};
