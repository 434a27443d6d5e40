/**
 * (e) Composer actions: small controls in the reply composer's action row (insert an article link, a
 * discount code...). Kept in its own file so the composer stays the only core file that reads it.
 * Documented in docs/dashboard.md.
 */
import type { ComponentType } from 'react';
import type { TicketDetailT } from '../lib/api.ts';
import { Registry } from './registry.ts';

export interface ComposerActionProps {
  ticket: TicketDetailT;
  mode: 'reply' | 'note';
  /** Inserts text at the caret (replacing a selection) and puts the caret after it. */
  insertText: (text: string) => void;
}

export interface ComposerActionEntry {
  id: string;
  /** Render null when the action does not apply (e.g. only for replies). */
  component: ComponentType<ComposerActionProps>;
  order?: number;
}

export const composerActions = new Registry<ComposerActionEntry>('composer-actions');
export const registerComposerAction = (e: ComposerActionEntry) => composerActions.add(e);
