/**
 * Notice templates: `{{order.number}}`-style placeholders, strict. A template may only name variables
 * its kind declares, and a send must give a value for every variable the chosen template uses and no
 * variable the kind does not declare: anything else refuses to send (a half-filled message to a
 * customer is worse than none). Values are inserted as text; the email channel escapes for HTML.
 */
// The macros' syntax, `{{name}}` or `{{name | fallback}}` (a variable with a fallback is never missing);
// `[^{}]*` keeps the scan linear (the ReDoS check reads every regex here).
const VAR = /\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\s*(?:\|([^{}]*))?\}\}/g;

export type NoticeValues = Record<string, string | number>;

export class NoticeTemplateError extends Error {
  constructor(
    message: string,
    readonly problems: { unknown: string[]; missing: string[] },
  ) {
    super(message);
  }
}

/** The variable names a template uses, in order of first use. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VAR)].map((m) => m[1]!))];
}

/** Names in the template the kind does not declare (checked when a workspace saves its wording). */
export function undeclared(text: string, declared: readonly string[]): string[] {
  return templateVariables(text).filter((v) => !declared.includes(v));
}

/**
 * Fills subject and body, or throws NoticeTemplateError naming every unknown and missing variable.
 * `automatic` values (the options link, the shop's name) are provided by the notices module itself.
 */
export function renderNotice(
  t: { subject: string; body: string },
  values: NoticeValues,
  declared: readonly string[],
): { subject: string; body: string } {
  const used = templateVariables(`${t.subject}\n${t.body}`);
  const unknown = [
    ...new Set([
      ...Object.keys(values).filter((k) => !declared.includes(k)),
      ...used.filter((v) => !declared.includes(v)),
    ]),
  ];
  const empty = (v: string) => {
    const x = values[v];
    return x === undefined || x === null || String(x).trim() === '';
  };
  const withFallback = new Set(
    [...`${t.subject}\n${t.body}`.matchAll(VAR)].filter((m) => m[2] !== undefined).map((m) => m[1]!),
  );
  const missing = used.filter((v) => empty(v) && !withFallback.has(v));
  if (unknown.length || missing.length)
    throw new NoticeTemplateError(
      [
        unknown.length ? `unknown variables: ${unknown.join(', ')}` : '',
        missing.length ? `missing variables: ${missing.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      { unknown, missing },
    );
  const fill = (s: string) =>
    s.replace(VAR, (_m, name: string, fallback: string | undefined) =>
      empty(name) ? (fallback?.trim() ?? '') : String(values[name]),
    );
  return {
    subject: fill(t.subject)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    body: fill(t.body),
  };
}
