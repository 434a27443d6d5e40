import { useState } from 'react';
import { ApiError, type ViewT } from '../../lib/api.ts';
import { Dialog } from '../../ui/dialog.tsx';

/**
 * Save the current filters as a view, or change a saved one: its name, whether the whole workspace sees
 * it, or delete it. Any agent may share a view they saved; it stays theirs (and admins') to change.
 */
export function ViewDialog({
  view,
  onSave,
  onDelete,
  onClose,
}: {
  /** The saved view being changed; absent: a new view from the current filters. */
  view?: ViewT;
  onSave: (v: { name: string; shared: boolean }) => Promise<void>;
  onDelete?: () => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState(view?.name ?? '');
  const [shared, setShared] = useState(view?.shared ?? false);
  const [error, setError] = useState<string | null>(null);
  const [sure, setSure] = useState(false);
  const run = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
      onClose();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not save the view');
    }
  };
  return (
    <Dialog title={view ? `Edit view “${view.name}”` : 'Save as view'} onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void run(() => onSave({ name: name.trim(), shared }));
        }}
      >
        <label className="stack" style={{ gap: 2 }}>
          View name
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
          Share with the workspace (every agent sees it)
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row dialog-actions">
          {onDelete &&
            (sure ? (
              <button type="button" className="danger" onClick={() => void run(onDelete)}>
                Yes, delete this view
              </button>
            ) : (
              <button type="button" className="danger" onClick={() => setSure(true)}>
                Delete view
              </button>
            ))}
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!name.trim()}>
            {view ? 'Save changes' : 'Save view'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
