import { lazy } from 'react';
import { registerCustomerSection, registerRoute, registerSettingsPage } from '../../extensions/index.ts';

// Callback tasks, click-to-call and voicemail triage (docs/sms-voice.md).
registerCustomerSection({
  id: 'voice-triage',
  title: 'Voicemail triage',
  order: 4,
  applies: (t) => t.channel === 'voice',
  component: lazy(() => import('./triage-section.tsx')),
});
registerCustomerSection({
  id: 'callbacks',
  title: 'Call back',
  order: 5,
  applies: (t) => t.channel === 'voice' || t.channel === 'sms',
  component: lazy(() => import('./callbacks-section.tsx')),
});
registerRoute({
  id: 'callbacks',
  path: '/callbacks',
  minRole: 'read-only',
  nav: { label: 'Callbacks', icon: '☎', order: 44, path: '/callbacks' },
  component: lazy(() => import('./callbacks-screen.tsx')),
});
registerSettingsPage({
  id: 'sms',
  title: 'SMS and voice',
  group: 'Channels',
  minRole: 'admin',
  order: 39,
  component: lazy(() => import('./sms-settings.tsx')),
});
