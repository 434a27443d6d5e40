import type { ChatSettingsT } from './chat-api.ts';

/* The chat settings form's draft: the settings without what only the server writes, and its helpers. */

export type Draft = Omit<
  ChatSettingsT,
  'identitySecret' | 'identitySecretHint' | 'identitySecretRotatedAt' | 'installSnippet' | 'updatedAt'
>;
export type Errors = Record<string, string>;

export const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;
export type Day = (typeof DAYS)[number][0];

export const toDraft = (s: ChatSettingsT): Draft => {
  const {
    identitySecret: _a,
    identitySecretHint: _b,
    identitySecretRotatedAt: _c,
    installSnippet: _d,
    updatedAt: _e,
    ...rest
  } = s;
  return structuredClone(rest);
};

/** A pre-chat key from its label: `Order number` → `order_number`. */
export const keyFrom = (label: string, taken: string[]) => {
  let k = label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 28);
  if (!k || k === 'name' || k === 'email') k = `field_${k || 'x'}`.slice(0, 28);
  let out = k;
  for (let i = 2; taken.includes(out); i++) out = `${k}_${i}`;
  return out;
};
