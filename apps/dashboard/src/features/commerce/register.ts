import { lazy } from 'react';
import {
  registerCustomerSection,
  registerRoute,
  registerSettingsPage,
  registerTimelineEvent,
} from '../../extensions/index.ts';
import { OrderActionEvent } from './order-action-event.tsx';

registerCustomerSection({
  id: 'orders',
  title: 'Orders',
  order: 20,
  component: lazy(() => import('./orders-section.tsx')),
});
registerRoute({
  id: 'approvals',
  path: '/approvals',
  minRole: 'lead',
  nav: { label: 'Approvals', icon: '✓', order: 40, path: '/approvals' },
  component: lazy(() => import('./approvals-screen.tsx')),
});
registerSettingsPage({
  id: 'stores',
  title: 'Store connections',
  group: 'Commerce',
  minRole: 'lead',
  order: 10,
  component: lazy(() => import('./store-settings.tsx')),
});
registerSettingsPage({
  id: 'commerce-policy',
  title: 'Refund & action policy',
  group: 'Commerce',
  minRole: 'lead',
  order: 20,
  component: lazy(() => import('./policy-settings.tsx')),
});
for (const id of [
  'order_action_started',
  'order_action_requested',
  'order_action_approved',
  'order_action_rejected',
  'order_action_succeeded',
  'order_action_failed',
])
  registerTimelineEvent({ id, component: OrderActionEvent });
