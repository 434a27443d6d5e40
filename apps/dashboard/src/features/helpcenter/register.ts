import { lazy } from 'react';
import { registerComposerAction } from '../../extensions/composer-actions.ts';
import { registerRoute } from '../../extensions/index.ts';

registerRoute({
  id: 'helpcenter',
  path: '/helpcenter/*',
  minRole: 'read-only',
  nav: { label: 'Help center', icon: '📖', order: 50, path: '/helpcenter' },
  component: lazy(() => import('./helpcenter-screen.tsx')),
});
registerComposerAction({
  id: 'insert-article-link',
  order: 10,
  component: lazy(() => import('./article-link-action.tsx')),
});
