// Plain lists with no zod: the dashboard imports them as values (`@shopdesk/contracts/automation-vocabulary`)
// without pulling every schema into its chunk; automations.ts builds the schemas from them.

export const AutomationEvents = [
  'ticket.created',
  'ticket.updated',
  'message.received',
  'sla.warning',
  'sla.breached',
] as const;

export const ConditionFields = [
  'status',
  'priority',
  'channel',
  'tags',
  'subject',
  'assigneeId',
  'teamId',
  'message',
  'hoursSinceCreated',
  'hoursInStatus',
  'businessHoursInStatus',
  'sla.metric',
  'urgency',
] as const;

export const ConditionOps = [
  'is',
  'is_not',
  'in',
  'not_in',
  'contains',
  'not_contains',
  'includes',
  'excludes',
  'gt',
  'gte',
  'lt',
  'lte',
  'present',
  'absent',
] as const;
