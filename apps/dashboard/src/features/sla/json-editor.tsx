import { useState } from 'react';

/** A small JSON form for rule definitions; the server validates and explains what is wrong. */
export function JsonEditor(props: {
  label: string;
  initial: unknown;
  submitLabel: string;
  onSubmit: (value: unknown) => Promise<unknown>;
  extra?: { label: string; onClick: (value: unknown) => void };
}) {
  const [text, setText] = useState(() => JSON.stringify(props.initial, null, 2));
  const [error, setError] = useState<string | null>(null);
  const parse = () => {
    try {
      setError(null);
      return JSON.parse(text) as unknown;
    } catch (e) {
      setError(`Not valid JSON: ${(e as Error).message}`);
      return undefined;
    }
  };
  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault();
        const v = parse();
        if (v !== undefined) void props.onSubmit(v);
      }}
    >
      <label className="stack">
        {props.label}
        <textarea
          rows={14}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          style={{ fontFamily: 'monospace' }}
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="primary">
          {props.submitLabel}
        </button>
        {props.extra && (
          <button
            type="button"
            onClick={() => {
              const v = parse();
              if (v !== undefined) props.extra!.onClick(v);
            }}
          >
            {props.extra.label}
          </button>
        )}
      </div>
    </form>
  );
}
