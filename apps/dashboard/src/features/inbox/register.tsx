import { lazy } from 'react';
import { registerRoute } from '../../extensions/index.ts';
import { InboxIcon } from '../../ui/icons.tsx';
import InboxScreen from './inbox-screen.tsx';

// The inbox is the landing screen, so it is in the initial bundle; everything else loads on demand.
registerRoute({
  id: 'inbox',
  path: '/inbox/*',
  component: InboxScreen,
  nav: { label: 'Inbox', icon: <InboxIcon />, order: 10, path: '/inbox' },
  order: 10,
});
registerRoute({
  id: 'ticket',
  path: '/tickets/:id',
  component: lazy(() => import('../ticket/ticket-screen.tsx')),
});
