import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, Suspense, useRef, useState } from 'react';
import { routes, topBarItems } from '../extensions/index.ts';
import { api } from '../lib/api.ts';
import { useConnectionState } from '../lib/realtime-hooks.tsx';
import { atLeast } from '../lib/roles.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { useMe, useSession } from '../lib/session.tsx';
import { useShortcut } from '../lib/shortcuts.tsx';
import { BellIcon } from '../ui/icons.tsx';
import { ShortcutHelp } from './shortcut-help.tsx';

export function Layout({ children }: { children: ReactNode }) {
  const me = useMe();
  const { signOut } = useSession();
  const { path, search } = useLocation();
  const conn = useConnectionState();
  const [help, setHelp] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const [q, setQ] = useState(search.get('q') ?? '');
  const notifications = useQuery({ queryKey: ['notifications'], queryFn: api.notifications.list });
  const unread = notifications.data?.items.filter((n) => !n.readAt).length ?? 0;

  useShortcut({ keys: '?', description: 'Show keyboard shortcuts', group: 'General' }, () => setHelp(true));
  useShortcut({ keys: '/', description: 'Search', group: 'General' }, () => searchRef.current?.focus());
  useShortcut({ keys: 'g i', description: 'Go to the inbox', group: 'General' }, () => navigate('/inbox'));
  useShortcut({ keys: 'g n', description: 'Go to notifications', group: 'General' }, () =>
    navigate('/notifications'),
  );
  useShortcut({ keys: 'g s', description: 'Go to settings', group: 'General' }, () => navigate('/settings'));

  const nav = routes
    .list()
    .filter((r) => r.nav && atLeast(me.agent.role, r.minRole))
    .sort((a, b) => (a.nav!.order ?? 100) - (b.nav!.order ?? 100));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/inbox" className="brand">
          Shopdesk
        </Link>
        <span className="ws-name">{me.workspace.name}</span>
        <search className="search-box">
          <form onSubmit={submit}>
            <input
              ref={searchRef}
              type="search"
              aria-label="Search tickets, contacts and messages"
              placeholder="Search tickets, contacts, messages  ( / )"
              value={q}
              onChange={(e) => setQ(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') e.currentTarget.blur();
              }}
            />
          </form>
        </search>
        <span className={`conn conn-${conn}`} title={`Live updates: ${conn}`} aria-live="polite">
          {conn === 'open' ? '' : conn === 'connecting' ? 'Connecting…' : 'Offline — retrying'}
        </span>
        {topBarItems
          .list()
          .filter((item) => atLeast(me.agent.role, item.minRole))
          .map((item) => (
            // Each item loads on its own: a lazy control never holds up the bar.
            <Suspense key={item.id} fallback={null}>
              <item.component />
            </Suspense>
          ))}
        <Link to="/notifications" className="bell" aria-label={`Notifications, ${unread} unread`}>
          <BellIcon />
          {unread > 0 && <span className="badge">{unread}</span>}
        </Link>
        <button type="button" className="ghost" onClick={() => setHelp(true)} aria-label="Keyboard shortcuts">
          ?
        </button>
        <details className="user-menu">
          <summary aria-label="Account menu">
            <Avatar name={me.agent.name} url={me.agent.avatarUrl} />
          </summary>
          <div className="menu">
            <div className="menu-head">
              <strong>{me.agent.name}</strong>
              <span className="muted">
                {me.agent.email} · {me.agent.role}
              </span>
            </div>
            <Link to="/settings/profile">Profile and two-factor</Link>
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </details>
      </header>
      <nav className="rail" aria-label="Main">
        {nav.map((r) => {
          const to = r.nav!.path ?? r.path;
          const current = path === to || path.startsWith(`${to}/`);
          return (
            <Link key={r.id} to={to} aria-current={current ? 'page' : undefined} title={r.nav!.label}>
              <span aria-hidden="true" className="rail-icon">
                {r.nav!.icon}
              </span>
              <span className="rail-label">{r.nav!.label}</span>
            </Link>
          );
        })}
      </nav>
      <main id="main" className="content">
        {children}
      </main>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  );
}

export function Avatar({
  name,
  size = 28,
  title,
  url,
}: {
  name: string;
  size?: number;
  title?: string;
  /** The agent's uploaded picture; initials on a colour from the name otherwise. */
  url?: string | null;
}) {
  if (url)
    return (
      <img
        className="avatar"
        src={url}
        alt=""
        title={title ?? name}
        width={size}
        height={size}
        loading="lazy"
      />
    );
  const initials = name
    .split(/\s+/)
    .map((w) => w[0])
    .filter(Boolean)
    .slice(0, 2)
    .join('')
    .toUpperCase();
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) % 360;
  return (
    <span
      className="avatar"
      title={title ?? name}
      style={{ width: size, height: size, background: `hsl(${h} 55% 38%)`, fontSize: size * 0.4 }}
    >
      {initials}
    </span>
  );
}
