import { AlwaysAvailableChannels, type Channel, Channels } from '@shopdesk/contracts';
import type { Deps } from '../../platform/deps.ts';
import type { Auth } from '../../platform/http/router.ts';
import { inboxCounts } from '../tickets/index.ts';

const LABELS: Record<Channel, string> = {
  email: 'Email',
  chat: 'Chat',
  sms: 'SMS',
  voice: 'Phone',
  messenger: 'Messenger',
  instagram: 'Instagram',
  whatsapp: 'WhatsApp',
  web: 'Web form',
  api: 'API',
  social: 'Social mentions',
};

/** `connected()`: the channels with a connector (adapter) in this deployment. */
export function createInboxService(deps: Deps, connected: () => string[] = () => []) {
  return {
    /**
     * What filters and settings offer: sms, voice, messenger, instagram and whatsapp only once a connector
     * for them exists, so nobody sets up routing or an SLA for a channel that cannot receive anything.
     */
    channels() {
      const usable = new Set<string>([...AlwaysAvailableChannels, ...connected()]);
      return {
        items: Channels.filter((c) => usable.has(c)).map((channel) => ({ channel, label: LABELS[channel] })),
      };
    },
    async counts(auth: Auth) {
      const { totals, groups } = await inboxCounts(deps.db, auth.workspaceId, auth.agentId);
      const byChannel: Record<string, number> = {};
      const byTeam: Record<string, number> = {};
      for (const g of groups) {
        byChannel[g.channel] = (byChannel[g.channel] ?? 0) + g.n;
        if (g.team_id !== null) byTeam[String(g.team_id)] = (byTeam[String(g.team_id)] ?? 0) + g.n;
      }
      return {
        myOpen: totals.my_open,
        unassigned: totals.unassigned,
        allOpen: totals.all_open,
        pending: totals.pending,
        onHold: totals.on_hold,
        solved: totals.solved,
        byChannel,
        byTeam,
      };
    },
  };
}
export type InboxService = ReturnType<typeof createInboxService>;
