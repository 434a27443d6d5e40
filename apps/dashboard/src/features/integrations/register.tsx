import { lazy } from 'react';
import { registerSettingsPage } from '../../extensions/index.ts';

registerSettingsPage({
  id: 'webhooks',
  title: 'Webhooks',
  group: 'Developers',
  order: 61,
  minRole: 'admin',
  component: lazy(() => import('./webhooks-page.tsx')),
});

registerSettingsPage({
  id: 'import',
  title: 'Import',
  group: 'Developers',
  order: 62,
  minRole: 'admin',
  component: lazy(() => import('./import-page.tsx')),
});
