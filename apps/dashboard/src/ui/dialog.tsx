import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';

/**
 * An in-app modal on the native <dialog> element (focus trap, Escape and the backdrop come with it),
 * instead of the browser's prompt()/confirm(): styled like the app, testable, and it never blocks the
 * page's realtime updates.
 */
export function Dialog({
  title,
  onClose,
  children,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // No close() on cleanup: StrictMode's second effect run would fire `close`, and onClose with it.
  // Unmounting takes the dialog out of the top layer anyway.
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-label={title} onClose={onClose}>
      <h2>{title}</h2>
      {children}
    </dialog>
  );
}

type Ask = { text: string; confirmLabel: string; danger: boolean; resolve: (ok: boolean) => void };

/**
 * `const [confirm, dialog] = useConfirm()`: `await confirm('Delete X?', {confirmLabel: 'Delete'})` resolves
 * true or false from an in-app dialog; render `dialog` somewhere in the component.
 */
export function useConfirm(): [
  (text: string, o?: { confirmLabel?: string; danger?: boolean; title?: string }) => Promise<boolean>,
  ReactNode,
] {
  const [ask, setAsk] = useState<(Ask & { title: string }) | null>(null);
  const confirm = useCallback(
    (text: string, o: { confirmLabel?: string; danger?: boolean; title?: string } = {}) =>
      new Promise<boolean>((resolve) =>
        setAsk({
          text,
          title: o.title ?? 'Please confirm',
          confirmLabel: o.confirmLabel ?? 'OK',
          danger: o.danger ?? true,
          resolve,
        }),
      ),
    [],
  );
  const answer = (ok: boolean) => {
    ask?.resolve(ok);
    setAsk(null);
  };
  const dialog = ask ? (
    <Dialog title={ask.title} onClose={() => answer(false)}>
      <p>{ask.text}</p>
      <div className="row dialog-actions">
        <button type="button" onClick={() => answer(false)}>
          Cancel
        </button>
        <button type="button" className={ask.danger ? 'danger' : 'primary'} onClick={() => answer(true)}>
          {ask.confirmLabel}
        </button>
      </div>
    </Dialog>
  ) : null;
  return [confirm, dialog];
}
