import { lazy } from 'react';
import { registerCustomerSection, registerRoute } from '../../extensions/index.ts';

registerRoute({
  id: 'quality',
  path: '/quality/*',
  minRole: 'read-only',
  nav: { label: 'Quality', icon: '✓', order: 47, path: '/quality' },
  component: lazy(() => import('./quality-screen.tsx')),
});
registerCustomerSection({
  id: 'quality',
  title: 'Quality review',
  order: 60,
  collapsed: true,
  component: lazy(() => import('./quality-section.tsx')),
});
