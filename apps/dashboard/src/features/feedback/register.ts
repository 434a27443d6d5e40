import { lazy } from 'react';
import { registerRoute, registerSettingsPage, registerTimelineEvent } from '../../extensions/index.ts';
import { FeedbackTimelineEvent } from './feedback-event.tsx';

registerRoute({
  id: 'feedback',
  path: '/feedback/*',
  minRole: 'read-only',
  nav: { label: 'Feedback', icon: '☺', order: 45, path: '/feedback' },
  component: lazy(() => import('./feedback-screen.tsx')),
});
registerSettingsPage({
  id: 'feedback',
  title: 'Surveys & follow-ups',
  group: 'Workspace',
  minRole: 'read-only',
  order: 60,
  component: lazy(() => import('./feedback-settings.tsx')),
});
for (const id of ['survey_answered', 'follow_up_answered'])
  registerTimelineEvent({ id, component: FeedbackTimelineEvent });
