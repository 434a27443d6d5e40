import { AutomationInput, BusinessCalendarInput, CreateMacro, SlaPolicyInput } from '@shopdesk/contracts';
import { type Db, sql } from '../platform/db/db.ts';
import { enqueue } from '../platform/jobs/queue.ts';

/**
 * The working parts of the demo desk — what a team sets up in its first week — so the demo shows them at
 * work instead of empty settings pages: macros with customer and order fields, business hours, SLA
 * policies, a few automations and round-robin routing. Each is checked against the same contract the API
 * uses, so the seed can never hold a rule the settings pages could not have saved.
 */
export async function seedDemoDesk(
  tx: Db,
  w: number,
  o: { adminId: number; returnsTeamId: number; now: number },
) {
  const macros = [
    {
      name: 'Where is my order?',
      body: `Hi {{customer.first_name}},

thanks for your patience! Your order {{order.number}} is {{order.fulfillment_status}}: it travels with {{order.carrier}} (tracking number {{order.tracking_number}}) and should arrive by {{order.expected_delivery}}.

You can follow it here: {{order.tracking_url}}

Best,
{{agent.first_name}}`,
      actions: { status: 'pending' },
    },
    {
      name: 'Refund issued',
      body: `Hi {{customer.first_name}},

I have refunded your order {{order.number}} ({{order.total}}). Depending on your bank it shows on your statement within 3–5 working days.

Best,
{{agent.first_name}}`,
      actions: { status: 'solved', addTags: ['refund'] },
    },
    {
      name: 'Exchange: how to send it back',
      body: `Hi {{customer.first_name}},

happy to exchange it! Please send the item(s) from order {{order.number}} ({{order.items}}) back within 30 days; the return label is in your parcel, or print one from our help center. As soon as the parcel is scanned we ship the new size.

Best,
{{agent.first_name}}`,
      actions: { status: 'pending', addTags: ['returns'] },
    },
    {
      name: 'Ask for the order number',
      body: `Hi {{customer.first_name}},

thanks for reaching out! Could you send me your order number (it starts with # and is in your confirmation email)? Then I can look into it right away.

Best,
{{agent.first_name}}`,
      actions: { status: 'pending' },
    },
  ].map((m) => CreateMacro.parse(m));
  for (const m of macros)
    await tx.query(sql`INSERT INTO macros (workspace_id, agent_id, created_by, name, body, actions)
      VALUES (${w}, NULL, ${o.adminId}, ${m.name}, ${m.body}, ${JSON.stringify(m.actions)}::jsonb)`);

  const nineToSix = [{ start: '08:00', end: '18:00' }];
  const hours = BusinessCalendarInput.parse({
    name: 'Support hours',
    timezone: 'Europe/Berlin',
    weekly: { mon: nineToSix, tue: nineToSix, wed: nineToSix, thu: nineToSix, fri: nineToSix },
    holidays: [
      { date: '2026-12-25', yearly: true, name: 'Christmas Day' },
      { date: '2026-01-01', yearly: true, name: "New Year's Day" },
    ],
  });
  await tx.query(sql`INSERT INTO business_calendars (workspace_id, team_id, name, timezone, weekly, holidays)
    VALUES (${w}, NULL, ${hours.name}, ${hours.timezone}, ${JSON.stringify(hours.weekly)}::jsonb, ${JSON.stringify(hours.holidays)}::jsonb)`);

  // The policies "have existed" for two hours: the open tickets show live timers counting down (the
  // urgent ones into their warning within the hour), and none starts out breached — nor sends the leads
  // a burst of breach notices the moment the demo starts.
  const appliesFrom = new Date(o.now - 2 * 3600_000).toISOString();
  const policies = [
    {
      name: 'Urgent and VIP',
      match: { priorities: ['urgent', 'high'] },
      targets: {
        firstResponse: { minutes: 180, business: false },
        nextResponse: { minutes: 240, business: false },
        resolution: { minutes: 24 * 60, business: false },
      },
    },
    {
      name: 'Standard',
      targets: {
        firstResponse: { minutes: 4 * 60, business: true },
        nextResponse: { minutes: 8 * 60, business: true },
        resolution: { minutes: 3 * 24 * 60, business: false },
      },
    },
  ].map((p) => SlaPolicyInput.parse(p));
  for (const [pos, p] of policies.entries())
    await tx.query(sql`INSERT INTO sla_policies (workspace_id, name, active, position, match, targets, pause_statuses, warn_percent, applies_from, created_at)
      VALUES (${w}, ${p.name}, true, ${pos}, ${JSON.stringify(p.match)}::jsonb, ${JSON.stringify(p.targets)}::jsonb,
        ${p.pauseStatuses}::text[], ${p.warnPercent}, ${appliesFrom}::timestamptz, ${appliesFrom}::timestamptz)`);

  const automations = [
    {
      name: 'Returns and exchanges go to the Returns team',
      kind: 'trigger',
      events: ['ticket.created'],
      conditions: {
        any: [
          { field: 'message', op: 'contains', value: 'return' },
          { field: 'message', op: 'contains', value: 'exchange' },
          { field: 'message', op: 'contains', value: 'refund' },
        ],
      },
      actions: [
        { type: 'add_tags', tags: ['returns'] },
        { type: 'assign_team', teamId: o.returnsTeamId },
      ],
    },
    {
      name: 'Damaged or missing parcels are high priority',
      kind: 'trigger',
      events: ['ticket.created', 'message.received'],
      conditions: {
        all: [{ field: 'priority', op: 'in', value: ['low', 'normal'] }],
        any: [
          { field: 'message', op: 'contains', value: 'damaged' },
          { field: 'message', op: 'contains', value: 'broken' },
          { field: 'message', op: 'contains', value: 'never arrived' },
        ],
      },
      actions: [{ type: 'set_priority', priority: 'high' }],
    },
    {
      name: 'Tell the leads about a breached SLA',
      kind: 'trigger',
      events: ['sla.breached'],
      conditions: { all: [] },
      actions: [{ type: 'notify', to: 'leads', body: 'An SLA target was missed on this ticket.' }],
    },
    {
      name: 'Follow up on tickets waiting on the customer for 3 days',
      kind: 'scheduled',
      conditions: {
        all: [
          { field: 'status', op: 'is', value: 'pending' },
          { field: 'hoursInStatus', op: 'gte', value: 72 },
        ],
      },
      actions: [
        { type: 'add_tags', tags: ['follow-up'] },
        {
          type: 'notify',
          to: 'assignee',
          body: 'No answer from the customer for 3 days: follow up or solve.',
        },
      ],
    },
  ].map((a) => AutomationInput.parse(a));
  for (const [pos, a] of automations.entries())
    await tx.query(sql`INSERT INTO automations (workspace_id, name, kind, events, conditions, actions, active, position)
      VALUES (${w}, ${a.name}, ${a.kind}, ${a.events}::text[], ${JSON.stringify(a.conditions)}::jsonb,
        ${JSON.stringify(a.actions)}::jsonb, true, ${pos})`);

  // New tickets go to the agents who are online, in turn.
  await tx.query(
    sql`INSERT INTO routing_configs (workspace_id, team_id, mode) VALUES (${w}, NULL, 'round_robin')`,
  );
  // The SLA clocks of the seeded tickets are computed by the server's job worker once it runs.
  await enqueue(tx, 'sla-recompute-workspace', { workspaceId: w }, { workspaceId: w });
}
