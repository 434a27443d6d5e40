import { useEffect, useRef } from 'react';
import { useActiveShortcuts, useShortcut } from '../lib/shortcuts.tsx';

const pretty = (keys: string) =>
  keys
    .split(' ')
    .map((k) =>
      k
        .split('+')
        .map((p) => (p === 'ctrl' ? 'Ctrl/⌘' : p.length === 1 ? p : p[0]!.toUpperCase() + p.slice(1))),
    );

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const list = useActiveShortcuts();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  useShortcut({ keys: 'escape', description: 'Close dialog', global: true }, onClose);
  const groups = new Map<string, typeof list>();
  for (const s of list) {
    const g = s.group ?? 'This screen';
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="kb-title" onClose={onClose}>
      <h2 id="kb-title">Keyboard shortcuts</h2>
      {[...groups].map(([g, items]) => (
        <section key={g}>
          <h3>{g}</h3>
          <dl className="kb-list">
            {items.map((s) => (
              <div key={s.keys + s.description}>
                <dt>
                  {pretty(s.keys).map((combo, i) => (
                    <span key={combo.join('+')}>
                      {i > 0 && ' then '}
                      {combo.map((k) => (
                        <kbd key={k}>{k}</kbd>
                      ))}
                    </span>
                  ))}
                </dt>
                <dd>{s.description}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <button type="button" className="primary" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}
