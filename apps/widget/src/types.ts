import type { WidgetConfig, WidgetIdentity, WidgetMessage } from '@shopdesk/contracts';

export type WidgetEvent = 'message' | 'open' | 'close' | 'ready';
export type Listener = (data: unknown) => void;

/** What the always-loaded launcher hands the lazily loaded conversation UI. */
export interface WidgetContext {
  base: string;
  slug: string;
  root: ShadowRoot;
  panel: HTMLElement;
  config: WidgetConfig;
  identity: WidgetIdentity | null;
  locale: string | null;
  isOpen(): boolean;
  emit(event: WidgetEvent, data: unknown): void;
  setUnread(n: number): void;
}

export interface ChatUi {
  opened(): void;
  identify(identity: WidgetIdentity): void;
  setLocale(locale: string): void;
  logout(): void;
}

export type { WidgetConfig, WidgetIdentity, WidgetMessage };

export const storageKey = (slug: string, what: 'token' | 'outbox') => `shopdesk:${slug}:${what}`;

export function store(key: string, value?: string | null): string | null {
  try {
    if (value === undefined) return localStorage.getItem(key);
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage can be blocked (private mode, third-party contexts): the chat then lasts one page.
  }
  return null;
}

/** Creates an element with attributes and children; text children are always text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) if (c != null) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}
