import { lazy } from 'react';
import { registerRoute } from '../../extensions/index.ts';

registerRoute({
  id: 'reports',
  path: '/reports',
  minRole: 'agent',
  nav: { label: 'Reports', icon: '▤', order: 44, path: '/reports' },
  component: lazy(() => import('./reports-screen.tsx')),
});
