/**
 * Who hears about a visitor's chat line, and the agent's choice of how (kept per agent in this
 * browser's localStorage: a sound suits one desk, a silent office another).
 */
import type { TicketSummaryT } from '../../lib/api.ts';

export interface ChatAlertPrefs {
  /** Play the chime for a new chat line. */
  sound: boolean;
  /** Show a desktop notification while Shopdesk is in the background (needs the browser's permission). */
  desktop: boolean;
}

const DEFAULTS: ChatAlertPrefs = { sound: true, desktop: true };
export const prefsKey = (agentId: number) => `shopdesk:chat-alerts:${agentId}`;

export function loadPrefs(agentId: number): ChatAlertPrefs {
  try {
    const saved = JSON.parse(localStorage.getItem(prefsKey(agentId)) ?? '{}') as Partial<ChatAlertPrefs>;
    return {
      sound: typeof saved.sound === 'boolean' ? saved.sound : DEFAULTS.sound,
      desktop: typeof saved.desktop === 'boolean' ? saved.desktop : DEFAULTS.desktop,
    };
  } catch {
    return DEFAULTS;
  }
}

export function savePrefs(agentId: number, prefs: ChatAlertPrefs) {
  try {
    localStorage.setItem(prefsKey(agentId), JSON.stringify(prefs));
  } catch {
    // Private mode or a full quota: the choice holds for this tab only.
  }
}

/**
 * A chat concerns me when it is assigned to me, or still waiting for someone: unassigned and in one of
 * my teams or in no team. Chats a teammate already took stay quiet.
 */
export function concernsMe(
  t: Pick<TicketSummaryT, 'assigneeId' | 'teamId'>,
  me: { id: number; teamIds: number[] },
) {
  if (t.assigneeId !== null) return t.assigneeId === me.id;
  return t.teamId === null || me.teamIds.includes(t.teamId);
}

export const notificationPermission = (): NotificationPermission | 'unsupported' =>
  typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
