import type { ReactNode } from 'react';

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
