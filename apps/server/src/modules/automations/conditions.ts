/** Automation conditions over a flat record of ticket facts: all of `all` and (if any given) one of `any`. */

export interface ConditionDef {
  field: string;
  op: string;
  value?: unknown;
}

export type Facts = Record<string, unknown>;

const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

export function test(c: ConditionDef, facts: Facts): boolean {
  const actual = facts[c.field];
  const want = c.value;
  switch (c.op) {
    case 'is':
      return (
        norm(actual) === norm(want) || (actual != null && want != null && String(actual) === String(want))
      );
    case 'is_not':
      return !test({ ...c, op: 'is' }, facts);
    case 'in':
      return list(want).some((w) => test({ field: c.field, op: 'is', value: w }, facts));
    case 'not_in':
      return !test({ ...c, op: 'in' }, facts);
    case 'contains':
      return (
        typeof actual === 'string' &&
        typeof want === 'string' &&
        actual.toLowerCase().includes(want.toLowerCase())
      );
    case 'not_contains':
      return !test({ ...c, op: 'contains' }, facts);
    case 'includes': {
      const have = list(actual).map(norm);
      return list(want).every((w) => have.includes(norm(w)));
    }
    case 'excludes': {
      const have = list(actual).map(norm);
      return list(want).every((w) => !have.includes(norm(w)));
    }
    case 'gt':
      return typeof actual === 'number' && actual > Number(want);
    case 'gte':
      return typeof actual === 'number' && actual >= Number(want);
    case 'lt':
      return typeof actual === 'number' && actual < Number(want);
    case 'lte':
      return typeof actual === 'number' && actual <= Number(want);
    case 'present':
      return (
        actual !== undefined && actual !== null && actual !== '' && !(Array.isArray(actual) && !actual.length)
      );
    case 'absent':
      return !test({ ...c, op: 'present' }, facts);
    default:
      return false;
  }
}

export function matches(conds: { all: ConditionDef[]; any: ConditionDef[] }, facts: Facts): boolean {
  if (!conds.all.every((c) => test(c, facts))) return false;
  return conds.any.length === 0 || conds.any.some((c) => test(c, facts));
}

/** {{ticket.id}}, {{ticket.subject}}, {{contact.name}} … ; unknown names render empty. */
export function renderTemplate(
  body: string,
  vars: Record<string, string | number | null | undefined>,
): string {
  return body.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => String(vars[name] ?? ''));
}
