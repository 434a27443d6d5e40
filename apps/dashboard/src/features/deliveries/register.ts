import { lazy } from 'react';
import { registerRoute } from '../../extensions/index.ts';

registerRoute({
  id: 'deliveries',
  path: '/deliveries',
  minRole: 'agent',
  nav: { label: 'Deliveries', icon: '🚚', order: 46, path: '/deliveries' },
  component: lazy(() => import('./deliveries-screen.tsx')),
});
registerRoute({
  id: 'problems',
  path: '/problems/*',
  minRole: 'agent',
  nav: { label: 'Problems', icon: '⚠', order: 47, path: '/problems' },
  component: lazy(() => import('./problems-screen.tsx')),
});
