import { lazy } from 'react';
import { registerRoute, registerSettingsPage } from '../../extensions/index.ts';

registerRoute({
  id: 'settings',
  path: '/settings/*',
  component: lazy(() => import('./settings-screen.tsx')),
  nav: { label: 'Settings', icon: '⚙', order: 90, path: '/settings' },
});

registerSettingsPage({
  id: 'profile',
  title: 'Profile and two-factor',
  group: 'You',
  order: 1,
  component: lazy(() => import('./profile-page.tsx')),
});
