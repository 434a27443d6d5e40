import { lazy } from 'react';
import { registerMessageExtra, registerSettingsPage } from '../../extensions/index.ts';

registerSettingsPage({
  id: 'email',
  title: 'Email',
  group: 'Channels',
  minRole: 'lead', // leads read; the page offers changes to admins only (the server enforces it)
  order: 30,
  component: lazy(() => import('./email-settings.tsx')),
});
registerSettingsPage({
  id: 'dev-mailbox',
  title: 'Dev mailbox',
  group: 'Channels',
  minRole: 'agent',
  order: 35,
  component: lazy(() => import('./dev-mailbox.tsx')),
});
registerMessageExtra({ id: 'email-delivery', component: lazy(() => import('./email-delivery.tsx')) });
registerMessageExtra({
  id: 'email-inbound-details',
  component: lazy(() => import('./email-inbound-details.tsx')),
});
