import type { ReactNode } from 'react';
import { ApiError } from '../lib/api.ts';

/** A labelled form control with an optional hint and the server's error for it (id `${id}-error`). */
export function Field({
  label,
  id,
  error,
  hint,
  children,
}: {
  label: string;
  id: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && <span className="muted small">{hint}</span>}
      {error && (
        <span className="error small" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * A settings form's save error: the server's message per field (`body.<path>` of the error details; with
 * `topLevel`, per top-level key only) and one line for the form.
 */
export function fieldErrors(
  e: unknown,
  opts: { topLevel?: boolean } = {},
): { fields: Record<string, string>; general: string } {
  if (!(e instanceof ApiError)) return { fields: {}, general: 'Something went wrong; try again' };
  const fields: Record<string, string> = {};
  if (Array.isArray(e.details))
    for (const d of e.details as { path?: string; message?: string }[]) {
      if (!d.path?.startsWith('body.')) continue;
      const path = d.path.slice(5);
      fields[opts.topLevel ? path.split('.')[0]! : path] ??= d.message ?? 'invalid';
    }
  const n = Object.keys(fields).length;
  return {
    fields,
    general: n ? `Please fix ${n === 1 ? 'the marked field' : `the ${n} marked fields`}.` : e.message,
  };
}
