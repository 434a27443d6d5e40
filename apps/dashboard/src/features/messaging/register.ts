import { lazy } from 'react';
import { registerMessageExtra, registerSettingsPage } from '../../extensions/index.ts';

// WhatsApp, Messenger and Instagram accounts (docs/messaging-apps.md): one screen, one page per app.
const page = lazy(() => import('./messaging-settings.tsx'));
for (const [id, title, order] of [
  ['whatsapp', 'WhatsApp', 40],
  ['messenger', 'Messenger', 41],
  ['instagram', 'Instagram', 42],
] as const)
  registerSettingsPage({ id, title, group: 'Channels', minRole: 'admin', order, component: page });
registerMessageExtra({ id: 'messaging-delivery', component: lazy(() => import('./messaging-delivery.tsx')) });
