/** Unsent replies and notes live in localStorage per ticket, so a reload, a crash or an expired session loses nothing. */
export type Draft = {
  body: string;
  mode: 'reply' | 'note';
  mentions: number[];
  macroActions?: Record<string, unknown>;
};

const key = (ws: number, ticket: number) => `shopdesk.draft.${ws}.${ticket}`;

export function loadDraft(ws: number, ticket: number): Draft | null {
  try {
    const raw = localStorage.getItem(key(ws, ticket));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

export function saveDraft(ws: number, ticket: number, d: Draft) {
  try {
    if (!d.body.trim()) localStorage.removeItem(key(ws, ticket));
    else localStorage.setItem(key(ws, ticket), JSON.stringify(d));
  } catch {
    // Storage full or disabled: the draft still lives in memory for this tab.
  }
}

export const clearDraft = (ws: number, ticket: number) => localStorage.removeItem(key(ws, ticket));
