import { lazy } from 'react';
import { registerRoute } from '../../extensions/index.ts';

registerRoute({
  id: 'search',
  path: '/search',
  component: lazy(() => import('./search-screen.tsx')),
  nav: { label: 'Search', icon: '🔍', order: 30 },
});
