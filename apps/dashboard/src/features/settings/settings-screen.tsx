import { Suspense, useEffect } from 'react';
import { settingsPages } from '../../extensions/index.ts';
import { atLeast } from '../../lib/roles.ts';
import { Link, navigate, useParams } from '../../lib/router.tsx';
import { useMe } from '../../lib/session.tsx';

export default function SettingsScreen() {
  const me = useMe();
  const id = useParams()['*'] || '';
  const pages = settingsPages.list().filter((p) => atLeast(me.agent.role, p.minRole));
  const current = pages.find((p) => p.id === id.split('/')[0]);
  useEffect(() => {
    if (!id && pages[0]) navigate(`/settings/${pages[0].id}`, { replace: true });
  }, [id, pages]);
  const groups = new Map<string, typeof pages>();
  for (const p of pages) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
  const Page = current?.component;
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label="Settings">
        <h1>Settings</h1>
        {[...groups].map(([g, items]) => (
          <section key={g}>
            <h2>{g}</h2>
            {items.map((p) => (
              <Link key={p.id} to={`/settings/${p.id}`} aria-current={p === current ? 'page' : undefined}>
                {p.title}
              </Link>
            ))}
          </section>
        ))}
      </nav>
      <section className="settings-page" aria-label={current?.title ?? 'Settings'}>
        {Page ? (
          <Suspense fallback={<div className="loading">Loading…</div>}>
            <Page />
          </Suspense>
        ) : (
          id && <p>This settings page does not exist or needs a higher role.</p>
        )}
      </section>
    </div>
  );
}
