import { lazy } from 'react';
import { registerRoute, registerSettingsPage } from '../../extensions/index.ts';
import { SettingsIcon } from '../../ui/icons.tsx';

registerRoute({
  id: 'settings',
  path: '/settings/*',
  component: lazy(() => import('./settings-screen.tsx')),
  nav: { label: 'Settings', icon: <SettingsIcon />, order: 90, path: '/settings' },
});

registerSettingsPage({
  id: 'profile',
  title: 'Profile and two-factor',
  group: 'You',
  order: 1,
  component: lazy(() => import('./profile-page.tsx')),
});
registerSettingsPage({
  id: 'agents',
  title: 'Agents',
  group: 'Team',
  order: 10,
  minRole: 'admin',
  component: lazy(() => import('./agents-page.tsx')),
});
registerSettingsPage({
  id: 'teams',
  title: 'Teams',
  group: 'Team',
  order: 11,
  minRole: 'lead',
  component: lazy(() => import('./teams-page.tsx')),
});
registerSettingsPage({
  id: 'tags',
  title: 'Tags',
  group: 'Tickets',
  order: 20,
  minRole: 'lead',
  component: lazy(() => import('./tags-page.tsx')),
});
registerSettingsPage({
  id: 'custom-fields',
  title: 'Custom fields',
  group: 'Tickets',
  order: 21,
  minRole: 'admin',
  component: lazy(() => import('./custom-fields-page.tsx')),
});
registerSettingsPage({
  id: 'tokens',
  title: 'API tokens',
  group: 'Developers',
  order: 60,
  minRole: 'agent',
  component: lazy(() => import('./tokens-page.tsx')),
});
registerSettingsPage({
  id: 'audit-log',
  title: 'Audit log',
  group: 'Security',
  order: 70,
  minRole: 'admin',
  component: lazy(() => import('./audit-page.tsx')),
});
registerSettingsPage({
  id: 'failed-jobs',
  title: 'Failed jobs',
  group: 'System',
  order: 71,
  minRole: 'admin',
  component: lazy(() => import('./failed-jobs-page.tsx')),
});
registerSettingsPage({
  id: 'macros',
  title: 'Macros',
  group: 'Tickets',
  order: 22,
  minRole: 'agent',
  component: lazy(() => import('./macros-page.tsx')),
});
