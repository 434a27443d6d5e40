import { Suspense, useEffect, useState } from 'react';
import { routes } from '../extensions/index.ts';
import { RealtimeClient } from '../lib/realtime.ts';
import { RealtimeProvider } from '../lib/realtime-hooks.tsx';
import { atLeast } from '../lib/roles.ts';
import { matchPath, navigate, ParamsProvider, useLocation } from '../lib/router.tsx';
import { useSession } from '../lib/session.tsx';
import { AccountLinkPage } from './account-link.tsx';
import { Layout } from './layout.tsx';
import { LiveUpdates } from './live-updates.tsx';
import { SignIn } from './sign-in.tsx';

export function App() {
  const session = useSession();
  const { path } = useLocation();
  // Opened from an invitation or reset e-mail: shown whether or not someone is signed in on this browser.
  if (path === '/accept-invite') return <AccountLinkPage purpose="invite" />;
  if (path === '/reset-password') return <AccountLinkPage purpose="reset" />;
  if (session.stage === 'loading') return <div className="boot">Loading Shopdesk…</div>;
  if (session.stage !== 'signed-in' || !session.me) return <SignIn />;
  return <SignedIn />;
}

function SignedIn() {
  const session = useSession();
  const [client] = useState(() => new RealtimeClient());
  useEffect(() => {
    client.start();
    return () => client.stop();
  }, [client]);
  useEffect(() => {
    if (!session.expired) client.kick();
  }, [session.expired, client]);
  return (
    <RealtimeProvider client={client}>
      <LiveUpdates />
      <Layout>
        <Routes />
      </Layout>
      {session.expired && (
        <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="expired-title">
          <SignIn expired />
        </div>
      )}
    </RealtimeProvider>
  );
}

function Routes() {
  const { path } = useLocation();
  const { me } = useSession();
  useEffect(() => {
    if (path === '/' || path === '') navigate('/inbox', { replace: true });
  }, [path]);
  for (const r of routes.list()) {
    if (!atLeast(me?.agent.role, r.minRole)) continue;
    const params = matchPath(r.path, path);
    if (!params) continue;
    const C = r.component;
    return (
      <ParamsProvider params={params}>
        <Suspense fallback={<div className="loading">Loading…</div>}>
          <C key={r.id} />
        </Suspense>
      </ParamsProvider>
    );
  }
  return (
    <div className="empty-state">
      <h1>Page not found</h1>
      <p>
        <a href="/inbox">Back to the inbox</a>
      </p>
    </div>
  );
}
