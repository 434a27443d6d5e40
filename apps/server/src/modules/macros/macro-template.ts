/**
 * Macro variables: `{{customer.first_name}}`, with an optional fallback `{{customer.first_name | there}}`.
 * Pure: values come in as a flat map; unknown or empty variables render as the fallback (or nothing) and
 * are reported so the agent sees what did not fill in before sending.
 */
// `[^{}]*` (not `\s*([^}]*?)\s*`): a fallback cannot run into the next `{{`, so the scan stays linear.
const VAR = /\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)\s*(?:\|([^{}]*))?\}\}/gi;

export type VariableValues = Record<string, string | number | null | undefined>;

export function renderTemplate(body: string, values: VariableValues): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const text = body.replace(VAR, (_m, name: string, fallback: string | undefined) => {
    const v = values[name.toLowerCase()];
    if (v === undefined || v === null || v === '') {
      if (fallback === undefined) missing.add(name);
      return fallback?.trim() ?? '';
    }
    return String(v);
  });
  return { text, missing: [...missing] };
}

export const firstName = (name: string | null | undefined) => (name ?? '').trim().split(/\s+/)[0] ?? '';
