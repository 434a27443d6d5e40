import { lazy } from 'react';
import {
  registerCustomerSection,
  registerRoute,
  registerSettingsPage,
  registerTicketBadge,
  registerTopBarItem,
} from '../../extensions/index.ts';
import { ClockIcon } from '../../ui/icons.tsx';

registerTicketBadge({ id: 'sla', placement: 'header', component: lazy(() => import('./sla-badge.tsx')) });
// Rows ask for their SLA state together (sla-batch.ts): one request per page of the inbox.
registerTicketBadge({
  id: 'sla-list',
  placement: 'list',
  component: lazy(() => import('./sla-list-badge.tsx')),
});
registerSettingsPage({
  id: 'status',
  title: 'My status',
  group: 'You',
  minRole: 'agent',
  order: 20,
  component: lazy(() => import('./status-page.tsx')),
});
registerSettingsPage({
  id: 'sla',
  title: 'Business hours & SLA',
  group: 'Automation',
  minRole: 'lead',
  order: 10,
  component: lazy(() => import('./sla-settings.tsx')),
});
registerSettingsPage({
  id: 'routing',
  title: 'Routing',
  group: 'Automation',
  minRole: 'lead',
  order: 20,
  component: lazy(() => import('./routing-settings.tsx')),
});
registerSettingsPage({
  id: 'automations',
  title: 'Automations',
  group: 'Automation',
  minRole: 'lead',
  order: 30,
  component: lazy(() => import('./automations-settings.tsx')),
});
registerRoute({
  id: 'sla-queue',
  path: '/sla',
  minRole: 'read-only',
  nav: { label: 'SLA queue', icon: <ClockIcon />, order: 15, path: '/sla' },
  component: lazy(() => import('./sla-queue-screen.tsx')),
});
registerTopBarItem({
  id: 'agent-status',
  minRole: 'agent',
  order: 10,
  component: lazy(() => import('./status-switch.tsx')),
});
// The ticket's automation log (GET /tickets/:id/automation-runs) beside the ticket.
registerCustomerSection({
  id: 'automation-runs',
  title: 'Automations',
  order: 60,
  component: lazy(() => import('./automation-runs-section.tsx')),
});
