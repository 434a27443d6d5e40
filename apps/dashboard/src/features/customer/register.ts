import { lazy } from 'react';
import { registerCustomerSection } from '../../extensions/index.ts';

registerCustomerSection({
  id: 'profile',
  title: 'Customer',
  order: 10,
  component: lazy(() => import('./profile-section.tsx')),
});
registerCustomerSection({
  id: 'past-tickets',
  title: 'Past tickets',
  order: 30,
  component: lazy(() => import('./past-tickets-section.tsx')),
});
