/**
 * Keyboard shortcuts. Screens register theirs with `useShortcut` while mounted; `?` lists whatever is
 * active right now, so the help never drifts from the behaviour. Keys are ignored while typing in a field,
 * except those marked `global` (e.g. Escape, Ctrl+Enter).
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';

export interface Shortcut {
  /** e.g. 'j', 'shift+a', 'ctrl+enter', '/', '?', 'g i' (a two-key sequence). */
  keys: string;
  description: string;
  group?: string;
  global?: boolean;
}

type Entry = Shortcut & { run: (e: KeyboardEvent) => void };
const active = new Set<Entry>();
const watchers = new Set<() => void>();
let snapshot: Shortcut[] = [];
const changed = () => {
  snapshot = [...active].map(({ run: _run, ...s }) => s);
  for (const w of watchers) w();
};

export function useShortcut(shortcut: Shortcut, run: (e: KeyboardEvent) => void, enabled = true) {
  const ref = useRef(run);
  ref.current = run;
  const { keys, description, group, global } = shortcut;
  useEffect(() => {
    if (!enabled) return;
    const entry: Entry = { keys, description, group, global, run: (e) => ref.current(e) };
    active.add(entry);
    changed();
    return () => {
      active.delete(entry);
      changed();
    };
  }, [keys, description, group, global, enabled]);
}

export const useActiveShortcuts = () =>
  useSyncExternalStore(
    (w) => {
      watchers.add(w);
      return () => watchers.delete(w);
    },
    () => snapshot,
  );

const isTyping = (t: EventTarget | null) => {
  const el = t as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
};

const name = (e: KeyboardEvent) => {
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key.toLowerCase();
  const mods = [
    e.ctrlKey || e.metaKey ? 'ctrl' : '',
    e.altKey ? 'alt' : '',
    e.shiftKey && k.length > 1 ? 'shift' : '',
  ]
    .filter(Boolean)
    .join('+');
  // Shifted printable keys arrive as their own character ('?', 'A'); name letters as shift+x.
  if (e.shiftKey && /^[a-z]$/.test(k) && e.key !== k) return mods ? `${mods}+shift+${k}` : `shift+${k}`;
  return mods ? `${mods}+${k}` : k;
};

let pending: string | null = null;
let pendingTimer: ReturnType<typeof setTimeout> | undefined;

window.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.isComposing) return;
  const typing = isTyping(e.target);
  const key = name(e);
  const candidates = [...active].reverse();
  const seq = pending ? `${pending} ${key}` : null;
  pending = null;
  clearTimeout(pendingTimer);
  for (const s of candidates) {
    if ((s.keys === key || s.keys === seq) && (!typing || s.global)) {
      e.preventDefault();
      s.run(e);
      return;
    }
  }
  if (!typing && candidates.some((s) => s.keys.startsWith(`${key} `))) {
    pending = key;
    pendingTimer = setTimeout(() => {
      pending = null;
    }, 1200);
  }
});
