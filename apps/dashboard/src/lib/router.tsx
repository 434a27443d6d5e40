/**
 * A deliberately small client-side router (History API). Routes are plain patterns like
 * `/tickets/:id`; extensions add theirs through `registerRoute` (see extensions/routes.ts).
 */
import { createContext, type MouseEvent, type ReactNode, useContext, useEffect, useState } from 'react';

export type Params = Record<string, string>;
export type Location = { path: string; search: URLSearchParams };

const read = (): Location => ({
  path: window.location.pathname,
  search: new URLSearchParams(window.location.search),
});

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === `${window.location.pathname}${window.location.search}`) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const l of listeners) l();
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(read);
  useEffect(() => {
    const l = () => setLoc(read());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return loc;
}

/** `/tickets/:id` against `/tickets/42` → `{id: '42'}`; a trailing `/*` matches any rest. */
export function matchPath(pattern: string, path: string): Params | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  const params: Params = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg === '*') {
      params['*'] = s.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const part = s[i];
    if (part === undefined) return seg.endsWith('?') ? params : null;
    if (seg.startsWith(':')) params[seg.slice(1).replace(/\?$/, '')] = decodeURIComponent(part);
    else if (seg !== part) return null;
  }
  return s.length === p.length || (p.length > 0 && p[p.length - 1]!.endsWith('?') && s.length <= p.length)
    ? params
    : null;
}

const ParamsContext = createContext<Params>({});
export const ParamsProvider = ({ params, children }: { params: Params; children: ReactNode }) => (
  <ParamsContext.Provider value={params}>{children}</ParamsContext.Provider>
);
export const useParams = () => useContext(ParamsContext);

/** An anchor that navigates client-side on a plain click and behaves normally with modifiers. */
export function Link({
  to,
  children,
  className,
  ...rest
}: { to: string; children: ReactNode; className?: string; ref?: React.Ref<HTMLAnchorElement> } & Omit<
  React.AnchorHTMLAttributes<HTMLAnchorElement>,
  'href'
>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a {...rest} href={to} className={className} onClick={onClick}>
      {children}
    </a>
  );
}
