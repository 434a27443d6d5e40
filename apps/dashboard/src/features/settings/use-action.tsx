import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { useConfirm } from '../../ui/dialog.tsx';

/**
 * Runs a write, shows its outcome, refreshes the given query keys. `confirmRun` asks first in an in-app
 * dialog (rendered with `view`), for deletes and revokes.
 */
export function useAction(...keys: string[][]) {
  const qc = useQueryClient();
  const [confirm, dialog] = useConfirm();
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setMsg(null);
    try {
      await fn();
      setMsg({ ok: true, text: ok });
      for (const k of keys) await qc.invalidateQueries({ queryKey: k });
      return true;
    } catch (e) {
      setMsg({ ok: false, text: e instanceof ApiError ? e.message : 'Something went wrong' });
      return false;
    }
  };
  const confirmRun = async (question: string, confirmLabel: string, fn: () => Promise<unknown>, ok: string) =>
    (await confirm(question, { confirmLabel })) && run(fn, ok);
  const view = (
    <>
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      {dialog}
    </>
  );
  return { run, confirmRun, view };
}
