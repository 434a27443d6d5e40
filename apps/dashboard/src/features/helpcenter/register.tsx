import { lazy } from 'react';
import { registerComposerAction } from '../../extensions/composer-actions.ts';
import { registerRoute, registerSettingsPage } from '../../extensions/index.ts';

// An open book, drawn inline like the core icons (no emoji font needed on the agent's machine).
const BookIcon = () => (
  <svg
    width={20}
    height={20}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth="2"
    strokeLinecap="round"
    strokeLinejoin="round"
    aria-hidden="true"
  >
    <path d="M12 6c-2-1.5-5-2-8-2v14c3 0 6 .5 8 2 2-1.5 5-2 8-2V4c-3 0-6 .5-8 2zM12 6v14" />
  </svg>
);

registerRoute({
  id: 'helpcenter',
  path: '/helpcenter/*',
  minRole: 'read-only',
  nav: { label: 'Help center', icon: <BookIcon />, order: 50, path: '/helpcenter' },
  component: lazy(() => import('./helpcenter-screen.tsx')),
});
registerComposerAction({
  id: 'insert-article-link',
  order: 10,
  component: lazy(() => import('./article-link-action.tsx')),
});
registerSettingsPage({
  id: 'helpcenter',
  title: 'Help center',
  group: 'Channels',
  minRole: 'read-only', // everyone reads; leads and admins edit (the page and the API agree)
  order: 40,
  component: lazy(() => import('./settings-page.tsx')),
});
