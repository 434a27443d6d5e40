import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import './sla.css';

/** Server validation errors by field path ("weekly.mon.0.end"), taken from `error.details[].path`. */
export type FieldErrors = Record<string, string>;

function toFieldErrors(e: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return out;
  for (const d of e.details as { path?: string; message?: string }[]) {
    if (!d.path) continue;
    const path = d.path.replace(/^body\.?/, '');
    out[path] ??= d.message ?? 'invalid';
  }
  return out;
}

/**
 * Saves a form: shows the outcome, keeps the server's field errors so each field can show its own, and
 * refreshes the given query keys.
 */
export function useFormSave(...keys: string[][]) {
  const qc = useQueryClient();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const save = async <T,>(fn: () => Promise<T>, ok: string): Promise<T | undefined> => {
    setMsg(null);
    setErrors({});
    try {
      const r = await fn();
      setMsg({ ok: true, text: ok });
      for (const k of keys) await qc.invalidateQueries({ queryKey: k });
      return r;
    } catch (e) {
      setErrors(toFieldErrors(e));
      setMsg({ ok: false, text: e instanceof ApiError ? e.message : 'Something went wrong' });
      return undefined;
    }
  };
  const status = msg && (
    <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
      {msg.text}
    </p>
  );
  return { save, errors, status, clear: () => setErrors({}) };
}

/** The first error at or below this path. */
export function errorAt(errors: FieldErrors, path: string): string | undefined {
  if (errors[path]) return errors[path];
  const k = Object.keys(errors).find((x) => x.startsWith(`${path}.`));
  return k ? errors[k] : undefined;
}

const idOf = (path: string) => `err-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;

/** Props that mark an input invalid and point it at its message. */
export const invalid = (errors: FieldErrors, path: string) =>
  errorAt(errors, path)
    ? { 'aria-invalid': true as const, 'aria-describedby': idOf(path) }
    : { 'aria-invalid': undefined };

export function FieldError({ errors, path }: { errors: FieldErrors; path: string }) {
  const m = errorAt(errors, path);
  return m ? (
    <span className="field-error" id={idOf(path)} data-field={path} role="alert">
      {m}
    </span>
  ) : null;
}

export function Field(props: { label: string; errors: FieldErrors; path: string; children: ReactNode }) {
  return (
    <div className="stack" style={{ gap: 2 }}>
      {/* biome-ignore lint/a11y/noLabelWithoutControl: the control is the children */}
      <label className="stack" style={{ gap: 2 }}>
        <span>{props.label}</span>
        {props.children}
      </label>
      <FieldError errors={props.errors} path={props.path} />
    </div>
  );
}

export const splitList = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
