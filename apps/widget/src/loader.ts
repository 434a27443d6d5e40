import type { ChatUi, Listener, WidgetConfig, WidgetContext, WidgetEvent, WidgetIdentity } from './types.ts';
import { h, storageKey, store } from './types.ts';

/*
 * Loaded on every page view of the shop: draws the launcher inside a Shadow DOM, exposes
 * window.Shopdesk, and loads the conversation UI (widget-chat.js) on first open.
 */

// Inline !important beats any page stylesheet rule aimed at our host element.
const HOST_STYLE =
  'all:initial!important;position:fixed!important;right:20px!important;bottom:20px!important;' +
  'z-index:2147483000!important;display:block!important;width:auto!important;height:auto!important;' +
  'margin:0!important;padding:0!important;border:0!important;transform:none!important;filter:none!important;' +
  'opacity:1!important;visibility:visible!important;contain:layout style!important';

const CSS = `
:host{all:initial}
*{box-sizing:border-box;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;letter-spacing:normal;text-transform:none;line-height:1.4}
.sd-launcher{all:unset;box-sizing:border-box;width:56px;height:56px;border-radius:50%;background:var(--sd-color);color:#fff;display:flex;align-items:center;justify-content:center;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);position:relative;margin-left:auto}
.sd-launcher:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.sd-launcher svg{width:28px;height:28px;fill:#fff}
.sd-badge{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;border-radius:10px;background:#dc2626;color:#fff;font-size:12px;font-weight:600;display:none;align-items:center;justify-content:center;padding:0 6px}
.sd-badge.on{display:flex}
.sd-panel{display:none;width:370px;max-width:calc(100vw - 40px);height:560px;max-height:calc(100vh - 110px);background:#fff;color:#111827;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.25);overflow:hidden;margin-bottom:14px;flex-direction:column;font-size:14px}
.sd-panel.on{display:flex}
.sd-fbtab{all:unset;box-sizing:border-box;position:absolute;right:66px;bottom:14px;background:#fff;color:#111827;border:1px solid #d1d5db;border-radius:14px;padding:5px 12px;font:13px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;cursor:pointer;box-shadow:0 2px 8px rgba(0,0,0,.15)}
.sd-fbtab:focus-visible{outline:3px solid #93c5fd}
`;

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
const CLOSE_ICON =
  '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7 4.3 4.3l6.3 6.3 6.3-6.3z"/></svg>';

type Api = {
  open(): void;
  close(): void;
  toggle(): void;
  identify(identity: WidgetIdentity): void;
  setLocale(locale: string): void;
  logout(): void;
  on(event: WidgetEvent, fn: Listener): void;
  off(event: WidgetEvent, fn: Listener): void;
  q?: unknown[][];
};

declare global {
  interface Window {
    Shopdesk?: Partial<Api> & { q?: unknown[][]; __loaded?: boolean };
  }
}

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const slug = script?.dataset.workspace;
  if (!script || !slug || window.Shopdesk?.__loaded) return;
  const base = new URL(script.src).origin;
  const queued = window.Shopdesk?.q ?? [];
  const listeners = new Map<WidgetEvent, Set<Listener>>();
  let identity: WidgetIdentity | null = null;
  let locale: string | null = script.dataset.locale ?? null;
  let config: WidgetConfig | null = null;
  let open = false;
  let ui: ChatUi | null = null;
  let loading: Promise<ChatUi | null> | null = null;

  const host = h('shopdesk-chat' as 'div', { style: HOST_STYLE });
  const root = host.attachShadow({ mode: 'open' });
  const style = h('style');
  style.textContent = CSS;
  const panel = h('div', { class: 'sd-panel', role: 'dialog', 'aria-label': 'Chat' });
  const badge = h('span', { class: 'sd-badge', 'aria-live': 'polite' });
  const launcher = h('button', { class: 'sd-launcher', type: 'button', 'aria-label': 'Open chat' });
  const setIcon = () => {
    launcher.innerHTML = open ? CLOSE_ICON : CHAT_ICON;
    launcher.append(badge);
    launcher.setAttribute('aria-label', open ? 'Close chat' : 'Open chat');
  };
  setIcon();
  // The site feedback tab (modules/feedback); its form loads on the first click. data-feedback="off" hides it.
  const fbTab =
    script.dataset.feedback === 'off' ? null : h('button', { class: 'sd-fbtab', type: 'button' }, 'Feedback');
  let fb: Promise<{ toggle(): void }> | null = null;
  fbTab?.addEventListener('click', () => {
    if (!fb) {
      const first = import(/* @vite-ignore */ `${base}/widget-feedback.js`).then(
        (m: {
          mount(c: { base: string; slug: string; root: ShadowRoot; locale: string | null }): {
            toggle(): void;
          };
        }) => m.mount({ base, slug: slug!, root, locale }),
      );
      fb = first;
      first.catch(() => {
        fb = null;
      });
    } else void fb.then((f) => f.toggle());
  });
  root.append(style, panel, launcher, ...(fbTab ? [fbTab] : []));

  const emit = (event: WidgetEvent, data: unknown) => {
    for (const fn of listeners.get(event) ?? []) {
      try {
        fn(data);
      } catch {
        // A page's listener must not break the chat.
      }
    }
  };

  function loadUi(): Promise<ChatUi | null> {
    if (!config) return Promise.resolve(null);
    const cfg = config;
    loading ??= import(/* @vite-ignore */ `${base}/widget-chat.js`).then(
      (mod: { mount(ctx: WidgetContext): ChatUi }) => {
        ui = mod.mount({
          base,
          slug: slug!,
          root,
          panel,
          config: cfg,
          identity,
          locale,
          isOpen: () => open,
          emit,
          setUnread(n) {
            badge.textContent = n > 9 ? '9+' : String(n);
            badge.classList.toggle('on', n > 0 && !open);
          },
        });
        return ui;
      },
    );
    return loading;
  }

  function setOpen(next: boolean) {
    if (!config || next === open) return;
    open = next;
    panel.classList.toggle('on', open);
    setIcon();
    if (open) {
      badge.classList.remove('on');
      void loadUi().then((u) => u?.opened());
    }
    emit(open ? 'open' : 'close', null);
  }

  const api: Api = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!open),
    identify(i) {
      identity = i;
      ui?.identify(i);
    },
    setLocale(l) {
      locale = l;
      ui?.setLocale(l);
    },
    logout() {
      // The shop signed its shopper out: forget their chat in this browser and start anonymous.
      identity = null;
      store(storageKey(slug, 'token'), null);
      store(storageKey(slug, 'outbox'), null);
      ui?.logout();
    },
    on(event, fn) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(fn);
    },
    off(event, fn) {
      listeners.get(event)?.delete(fn);
    },
  };
  window.Shopdesk = Object.assign(api, { __loaded: true });
  for (const [method, ...args] of queued) {
    const fn = api[method as keyof Api];
    if (typeof fn === 'function') (fn as (...a: unknown[]) => void)(...args);
  }

  launcher.addEventListener('click', () => setOpen(!open));

  fetch(`${base}/api/v1/widget/${encodeURIComponent(slug)}/config`)
    .then((r) => (r.ok ? (r.json() as Promise<WidgetConfig>) : null))
    .then((c) => {
      if (!c?.enabled) return;
      config = c;
      host.style.setProperty('--sd-color', c.color);
      (document.body ?? document.documentElement).append(host);
      // A returning visitor with a conversation reconnects now, so replies raise the unread badge.
      if (store(storageKey(slug, 'token'))) void loadUi();
      emit('ready', null);
    })
    .catch(() => {
      // No chat rather than a broken page.
    });
})();
