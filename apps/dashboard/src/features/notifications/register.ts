import { lazy } from 'react';
import { registerRoute } from '../../extensions/index.ts';

registerRoute({
  id: 'notifications',
  path: '/notifications',
  component: lazy(() => import('./notifications-screen.tsx')),
});
