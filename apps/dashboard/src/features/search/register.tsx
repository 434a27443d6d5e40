import { lazy } from 'react';
import { registerRoute } from '../../extensions/index.ts';
import { SearchIcon } from '../../ui/icons.tsx';

registerRoute({
  id: 'search',
  path: '/search',
  component: lazy(() => import('./search-screen.tsx')),
  nav: { label: 'Search', icon: <SearchIcon />, order: 30 },
});
