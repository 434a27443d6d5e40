import { lazy } from 'react';
import {
  registerCustomerSection,
  registerMessageExtra,
  registerSettingsPage,
  registerTopBarItem,
} from '../../extensions/index.ts';

registerSettingsPage({
  id: 'chat',
  title: 'Chat',
  group: 'Channels',
  minRole: 'admin', // the settings API is admin-only (it manages the identity secret)
  order: 20,
  component: lazy(() => import('./chat-settings.tsx')),
});
registerCustomerSection({
  id: 'chat-visitor',
  title: 'Chat visitor',
  order: 5, // above the profile: on a live chat, where the shopper is right now matters most
  component: lazy(() => import('./visitor-section.tsx')),
});
// Every role: alerts for new chat lines, and the way to the demo shop.
registerTopBarItem({ id: 'chat-alerts', order: 20, component: lazy(() => import('./chat-menu.tsx')) });
registerMessageExtra({ id: 'chat-seen', component: lazy(() => import('./seen-receipt.tsx')) });
