import { lazy } from 'react';
import {
  registerCustomerSection,
  registerRoute,
  registerSettingsPage,
  registerTimelineEvent,
} from '../../extensions/index.ts';
import { ReturnEvent } from './return-event.tsx';

registerCustomerSection({
  id: 'returns',
  title: 'Returns',
  order: 25,
  component: lazy(() => import('./returns-section.tsx')),
});
registerRoute({
  id: 'returns',
  path: '/returns',
  minRole: 'agent',
  nav: { label: 'Returns', icon: '↩', order: 45, path: '/returns' },
  component: lazy(() => import('./returns-screen.tsx')),
});
registerSettingsPage({
  id: 'returns',
  title: 'Returns',
  group: 'Commerce',
  minRole: 'lead',
  order: 30,
  component: lazy(() => import('./returns-policy-settings.tsx')),
});
for (const id of [
  'return_requested',
  'return_approved',
  'return_declined',
  'return_received',
  'return_resolved',
  'return_failed',
])
  registerTimelineEvent({ id, component: ReturnEvent });
