import { lazy } from 'react';
import { registerRoute, registerSettingsPage } from '../../extensions/index.ts';

registerRoute({
  id: 'mentions',
  path: '/mentions',
  minRole: 'read-only',
  nav: { label: 'Mentions', icon: '📣', order: 44, path: '/mentions' },
  component: lazy(() => import('./mentions-screen.tsx')),
});
registerSettingsPage({
  id: 'listening',
  title: 'Listening sources',
  group: 'Channels',
  minRole: 'admin',
  order: 70,
  component: lazy(() => import('./listening-settings.tsx')),
});
