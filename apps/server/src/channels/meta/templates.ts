import type { TemplateReply, WhatsAppTemplate } from '@shopdesk/contracts';

/** The highest {{n}} in a template text: how many variables it needs (a loop-free scan, no backtracking). */
export function variableCount(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/\{\{(\d{1,3})\}\}/g)) max = Math.max(max, Number(m[1]));
  return max;
}

/** A Graph `message_templates` row as the composer shows it. */
export function templateView(t: {
  name: string;
  language: string;
  status: string;
  category: string;
  components?: { type: string; format?: string; text?: string }[];
}): WhatsAppTemplate {
  const body = t.components?.find((c) => c.type === 'BODY')?.text ?? '';
  const header = t.components?.find((c) => c.type === 'HEADER');
  return {
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    body,
    variables: variableCount(body),
    header: header ? { format: header.format ?? 'TEXT', text: header.text ?? null } : null,
  };
}

/** The body with its variables filled in: what the customer reads and the ticket shows. */
export const renderTemplate = (body: string, variables: string[]) =>
  body.replace(/\{\{(\d{1,3})\}\}/g, (whole, n: string) => variables[Number(n) - 1] ?? whole);

/**
 * What is wrong with sending this template, checked against the account's templates before it is
 * queued (Meta would refuse it later with 132000/132001/132012): null when it can go.
 */
export function templateProblem(reply: TemplateReply, templates: WhatsAppTemplate[]): string | null {
  const same = templates.filter((t) => t.name === reply.name);
  if (same.length === 0) return `No template named “${reply.name}” on this WhatsApp account`;
  const t = same.find((x) => x.language === reply.language);
  if (!t)
    return `Template “${reply.name}” has no ${reply.language} version (it has ${same.map((x) => x.language).join(', ')})`;
  if (t.status !== 'APPROVED')
    return `Template “${reply.name}” (${reply.language}) is ${t.status.toLowerCase()}, not approved: it cannot be sent`;
  if (reply.variables.length !== t.variables)
    return `Template “${reply.name}” needs ${t.variables} variable${t.variables === 1 ? '' : 's'}, ${reply.variables.length} given`;
  for (const [i, v] of reply.variables.entries()) {
    if (!v.trim()) return `Variable {{${i + 1}}} is empty`;
    // WhatsApp's rule for body parameters: no new lines or tabs, at most four spaces in a row.
    if (v.includes('\n') || v.includes('\t') || v.includes('     '))
      return `Variable {{${i + 1}}} may not contain new lines, tabs or more than four spaces in a row`;
  }
  const media = t.header && ['IMAGE', 'VIDEO', 'DOCUMENT'].includes(t.header.format) ? t.header.format : null;
  if (media && !reply.headerMediaUrl)
    return `Template “${reply.name}” has a ${media.toLowerCase()} header: give its link (https URL)`;
  if (!media && reply.headerMediaUrl) return `Template “${reply.name}” has no media header`;
  return null;
}

/** The Cloud API `template` object for a checked reply. */
export function templatePayload(reply: TemplateReply, headerFormat: string | null) {
  const components: Record<string, unknown>[] = [];
  if (reply.headerMediaUrl && headerFormat) {
    const kind = headerFormat.toLowerCase();
    components.push({ type: 'header', parameters: [{ type: kind, [kind]: { link: reply.headerMediaUrl } }] });
  }
  if (reply.variables.length)
    components.push({ type: 'body', parameters: reply.variables.map((text) => ({ type: 'text', text })) });
  return {
    name: reply.name,
    language: { code: reply.language },
    ...(components.length ? { components } : {}),
  };
}
