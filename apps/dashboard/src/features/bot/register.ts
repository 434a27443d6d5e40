import { lazy } from 'react';
import { registerSettingsPage } from '../../extensions/index.ts';

registerSettingsPage({
  id: 'bot',
  title: 'Bot',
  group: 'Channels',
  minRole: 'read-only', // everyone sees the settings and containment; admins change them (as the API)
  order: 45,
  component: lazy(() => import('./bot-settings.tsx')),
});
